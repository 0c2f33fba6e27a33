"""The per-view Redis commands, packed by hiredis and sent on a connection no one else is using.

Why not the redis-py client: every view in Redis mode is one script call, and on this
project's 2-core machine redis-py spent about 35 µs of CPU per command above the socket round
trip itself (argument encoding, retry and health-check wrappers, and a shared connection pool
whose lock every request thread takes twice per command; a thread preempted while holding it
stalls the others, the lock convoy ``tally.py`` describes). Here a command is packed into RESP
bytes and written on a ``redis.connection.Connection`` taken from a stack of idle ones, which
still does the connecting, timeouts and reply parsing (hiredis when installed), with the
settings of the client ``backends.redis.connect`` builds. Taking and returning are
``deque.pop`` and ``deque.append``, atomic without a lock, for threads and greenlets alike;
there are never more connections than callers at once (with gevent a connection per greenlet
would mean a new connection for every HTTP connection).

With threads, auto-pipelining (one sender thread per process writing every queued command in
one batch, as ioredis does) was tried and not kept: it cut Redis's CPU per view from about 52
to 38 µs, but the two thread hand-offs per view cost more in engage (424 → 492 µs of server
CPU per view in ``bench/views.py``). Under gevent, where hand-offs are cheap, it is what
``redis_pipeline.py`` does.

Failure semantics match that client: a connection or timeout error closes the connection and
the commands are sent once more on a new one (a script that ran but whose reply was lost then
answers "already counted": the view is counted once, the reply may say it was not); a second
failure is raised, for ``FailoverCounter``. An error reply (such as ``NOSCRIPT`` after Redis
lost its script cache) is raised once every reply of the call has been read.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import hiredis
import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from engage.serving.fork_hooks import call_after_fork

Arg = bytes | str | int


def pack(*args: Arg) -> bytes:
    """One command as a RESP array of bulk strings (UTF-8 text, decimal integers).

    hiredis's packer, the one redis-py's ``HiredisRespSerializer`` calls, without that
    wrapper's command-name splitting and list output (the wrapper was slower than hand-packing).
    """
    return hiredis.pack_command(args)


class Commands:
    """What the Redis backend sends per view: ``run`` (in subclasses) and ``script``."""

    def run(self, packed: Sequence[bytes]) -> list:  # pragma: no cover - abstract
        """Send ``packed`` commands in one write and return their replies, in order."""
        raise NotImplementedError

    def script(self, sha: str, source: str, keys: Sequence[Arg], args: Sequence[Arg]):
        """``EVALSHA`` (``EVAL`` if Redis lost the script): the script's reply."""
        try:
            return self.run([pack("EVALSHA", sha, len(keys), *keys, *args)])[0]
        except NoScriptError:
            return self.run([pack("EVAL", source, len(keys), *keys, *args)])[0]


class IdleConnections(Commands):
    """Connections lent to one caller at a time (per process: a forked child starts empty)."""

    def __init__(self, shared: redis.Redis):
        self._pool = shared.connection_pool
        self._idle: deque = deque()
        call_after_fork(self._forget_parents_connections)

    def _forget_parents_connections(self) -> None:
        self._idle = deque()  # the parent's sockets are not ours to use

    def _take(self):
        try:
            return self._idle.pop()
        except IndexError:
            return self._pool.connection_class(**self._pool.connection_kwargs)

    def _give_back(self, connection) -> None:
        self._idle.append(connection)

    @property
    def idle(self) -> int:
        """How many connections wait to be lent (for tests)."""
        return len(self._idle)

    def run(self, packed: Sequence[bytes]) -> list:
        """Send ``packed`` commands in one write and return their replies, in order."""
        connection = self._take()
        try:
            replies = exchange(connection, b"".join(packed), len(packed))
        finally:
            self._give_back(connection)  # if it failed, it is disconnected: it reconnects
        return raise_error_replies(replies)


def exchange(connection, data: bytes, expected: int) -> list:
    """Write ``data`` (``expected`` packed commands) and read their replies, error replies
    included as values; on a connection or timeout error, once more on a new connection.

    Raises the second such error, or anything else at once; either way the connection is left
    disconnected, since unread replies would answer the next caller.
    """
    for attempt in (1, 2):
        try:
            connection.send_packed_command([data], check_health=False)
            return [read_reply(connection) for _ in range(expected)]
        except (RedisConnectionError, RedisTimeoutError, OSError):
            connection.disconnect()
            if attempt == 2:
                raise
        except BaseException:
            connection.disconnect()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def raise_error_replies(replies: list) -> list:
    """``replies``, unless one is an error reply: then that error is raised."""
    for reply in replies:
        if isinstance(reply, ResponseError):
            raise reply
    return replies


def read_reply(connection):
    """The next reply; an error reply is returned, not raised, so the stream stays in step."""
    try:
        return connection.read_response()
    except ResponseError as error:
        return error
