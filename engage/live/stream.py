"""The body of one ``text/event-stream`` answer, and the frames it sends.

An ``EventStream`` is the WSGI body iterable itself (not a generator): the server calls its
``close`` when the connection ends, even if the body was never iterated, which is what gives
the stream's place back to the hub (a generator's ``finally`` would not run then). It waits
for frames that the hub's listener ``offer``s, sending a comment line every
``LIVE_HEARTBEAT_SECONDS`` so that proxies keep the connection and a dead client is noticed
at the next write, and ends after ``LIVE_MAX_STREAM_SECONDS`` (the browser reconnects with
``Last-Event-ID`` and loses nothing), when its client reads too slowly to keep up with
``MAX_QUEUED`` frames, or when the worker stops (``end``).

Waiting is a ``threading.Event``: under gevent (patched threading) a greenlet switch, under
gthread a blocked thread, which is why ``engage.live.hub`` only serves streams under gevent
unless told otherwise.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from typing import Callable

MAX_QUEUED = 64


def comment_frame(event_id: int, public: dict) -> bytes:
    """The ``comment`` event: the comment's public JSON (published, or changed while published)."""
    return _frame(event_id, "comment", public)


def remove_frame(event_id: int, comment_id: int) -> bytes:
    """The ``remove`` event: a comment that was published is no longer (rejected, deleted)."""
    return _frame(event_id, "remove", {"id": comment_id})


def resync_frame() -> bytes:
    """``resync``: events the client asked to resume from are gone; re-read the thread."""
    return b"event: resync\ndata: {}\n\n"


def _frame(event_id: int, name: str, data: dict) -> bytes:
    # One line of data: json.dumps never writes a newline unless asked to indent.
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event_id}\nevent: {name}\ndata: {body}\n\n".encode()


HEARTBEAT = b": \n\n"


class EventStream:
    """One open stream of ``topic`` (site id, article key) for clients of ``network``.

    ``after`` is the last event id this client has (frames with ids up to it are not sent
    again); ``base`` the URL base its comment JSON links to. ``release`` is called once, when
    the stream ends, with the stream.
    """

    def __init__(self, topic: tuple[str, str], network: str, base: str, after: int,
                 first: bytes, heartbeat: float, lifetime: float,
                 release: Callable[["EventStream"], None], clock=time.monotonic):
        self.topic, self.network, self.base, self.after = topic, network, base, after
        self._pending: deque[bytes] = deque([first])
        self._ready = threading.Event()
        self._ready.set()
        self._heartbeat = heartbeat
        self._clock = clock
        self._deadline = clock() + lifetime
        self._ended = False
        self._release = release
        self._released = False

    def offer(self, event_id: int, frame: bytes) -> None:
        """Queue ``frame`` (event ``event_id``) unless the client has it; a client that has
        ``MAX_QUEUED`` frames waiting is ended instead (it reconnects and resumes)."""
        if event_id <= self.after or self._ended:
            return
        self.after = event_id
        if len(self._pending) >= MAX_QUEUED:
            self.end()
            return
        self._pending.append(frame)
        self._ready.set()

    def end(self) -> None:
        """Finish the answer after what is queued (the worker stops, the stream overflowed)."""
        self._ended = True
        self._ready.set()

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        while True:
            if self._pending:
                return self._pending.popleft()
            left = self._deadline - self._clock()
            if self._ended or left <= 0:
                self.close()
                raise StopIteration
            self._ready.clear()
            if self._pending or self._ended:
                continue
            if not self._ready.wait(min(self._heartbeat, left)):
                return HEARTBEAT

    def close(self) -> None:
        self._ended = True
        if not self._released:
            self._released = True
            self._release(self)
