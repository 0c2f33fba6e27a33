"""Under gevent, the per-view Redis commands of every greenlet share one connection, pipelined.

Why: with gevent (``engage.serving.worker_classes``) a greenlet that waits on a connection of its own
pays for the wait in system calls (a ``recv`` that would block, registering the socket with
the event loop, ``epoll_wait``, the ``recv`` again) and wakes Redis once per view. On this
project's 2-core machine that put engage's server CPU at 352 µs per view against 221 µs for a
bare endpoint (``bench/views.py``, Redis mode). Greenlets hand off to each other without the
kernel, so batching their commands costs almost nothing; with threads it cost more than it
saved (``redis_wire.py``), so threads keep a connection each.

How: a caller queues its packed commands with a result slot and waits on the slot. One sender
greenlet per process takes everything queued, writes it in one ``sendall``, reads the replies in
order and gives each caller its own; what is queued meanwhile goes in the next batch. The
sender lives as long as the process and sleeps on an event when the queue is empty: a new
greenlet per busy spell cost a ``mmap`` and ``munmap`` of its frame stack each time. Under
light load a batch is one caller's commands; under load many views share one write, one read
and one wake-up of Redis.

Failure semantics are those of ``IdleConnections``: a connection or timeout error closes the
connection and the batch is sent once more on a new one (a script that ran but whose reply was
lost then answers "already counted": the view is counted once, its reply may say it was not);
a second failure is raised to every caller of the batch. An error reply is raised to the
caller whose command it answers, once all its replies are read. Callers wait without a timer
of their own (one per view was measurable): the sender gives every queued caller a reply or an
error, each of its reads is bounded by the socket timeout, and if it is killed it fails every
caller still waiting.
"""

from __future__ import annotations

from collections.abc import Sequence

import gevent
import redis
from gevent.event import AsyncResult, Event
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from engage.serving.fork_hooks import call_after_fork
from engage.pageviews.backends.redis_wire import Commands, exchange, raise_error_replies

_Queued = tuple[Sequence[bytes], AsyncResult]


class PipelinedConnection(Commands):
    """One connection per process; callers' commands are batched by a sender greenlet."""

    def __init__(self, shared: redis.Redis):
        self._pool = shared.connection_pool
        self.calls = 0
        self.batches_sent = 0  # for tests and curiosity: fewer than calls means batching
        self._start_afresh()
        call_after_fork(self._start_afresh)  # the parent's socket and sender are not ours

    def _start_afresh(self) -> None:
        self._queue: list[_Queued] = []
        self._sender: gevent.Greenlet | None = None
        self._sender_idle = False
        self._wake = Event()
        self._connection = self._pool.connection_class(**self._pool.connection_kwargs)

    def run(self, packed: Sequence[bytes]) -> list:
        slot = AsyncResult()
        self.calls += 1
        self._queue.append((packed, slot))
        if self._sender is None:
            self._sender = gevent.spawn(self._send_forever)
        elif self._sender_idle:
            self._sender_idle = False
            self._wake.set()
        return raise_error_replies(slot.get())

    def _send_forever(self) -> None:
        # No greenlet switch happens between the last check of the queue and going idle (no
        # I/O there), so nothing is ever queued while the sender is about to sleep unseen.
        try:
            while True:
                while self._queue:
                    batch, self._queue = self._queue, []
                    self._send(batch)
                self._sender_idle = True
                self._wake.clear()
                self._wake.wait()
        except BaseException as error:  # killed (the worker is stopping): fail the waiters
            for _, slot in self._queue:
                slot.set_exception(RedisConnectionError(f"Redis pipeline stopped: {error!r}"))
            self._queue = []
            raise
        finally:
            self._sender = None

    def _send(self, batch: list[_Queued]) -> None:
        data = b"".join(b"".join(packed) for packed, _ in batch)
        expected = sum(len(packed) for packed, _ in batch)
        try:
            replies = exchange(self._connection, data, expected)
        except (RedisConnectionError, RedisTimeoutError, OSError) as error:
            for _, slot in batch:
                slot.set_exception(type(error)(*error.args))
            return
        except BaseException as error:
            for _, slot in batch:
                slot.set_exception(RedisConnectionError(f"Redis pipeline stopped: {error!r}"))
            raise
        self.batches_sent += 1
        start = 0
        for packed, slot in batch:
            slot.set(replies[start:start + len(packed)])
            start += len(packed)
