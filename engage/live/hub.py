"""The streams one worker process serves, and the one listener that feeds them.

``init_app`` keeps the app's ``LiveHub`` in ``app.extensions["engage.live"]``. Per process:

- ``open`` admits a stream (429 past ``LIVE_MAX_STREAMS_PER_NETWORK`` streams of one
  network or ``LIVE_MAX_STREAMS`` in all, counted per worker process: the bound on what one
  network can hold open is that times the workers) and replays what a resuming client missed;
- one listener (a thread; a greenlet under gevent), started with the first stream, reads new
  ``live_events`` rows and offers each to the streams of its article. It learns of new rows
  from Redis pub/sub when ``REDIS_URL`` is set (and reads the log every
  ``SAFETY_POLL_SECONDS`` anyway, so a message lost to a Redis restart costs a delay, not an
  event); without Redis, or while Redis is down, it reads the log every
  ``LIVE_POLL_SECONDS``: one indexed query per process, however many streams it serves. While
  the process has no stream it waits and queries nothing.
- ``stop`` ends every stream (the worker is stopping: connections close at once instead of
  holding the graceful stop for ``GRACEFUL_TIMEOUT``).

Whether streams are served at all is ``LIVE_STREAMS``: ``auto`` serves them only under gevent,
where an idle stream is a parked greenlet of a few kilobytes; under gthread each would hold one
of the worker's ``THREADS`` threads for as long as the reader keeps the page open, so there the
endpoint answers 204 (the browser's EventSource then stops and the widget polls instead).
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app
from redis import RedisError
from sqlalchemy import func, select

from engage.articles import Article
from engage.comments.models import Comment, CommentStatus
from engage.comments.public import public_comment
from engage.db import db
from engage.errors import TooManyRequests
from engage.live import recorder
from engage.live.models import LiveEvent
from engage.live.stream import EventStream, comment_frame, remove_frame, resync_frame
from engage.serving.fork_hooks import call_after_fork
from engage.serving.worker_classes import is_patched
from engage.shared_store import shared_store

log = logging.getLogger(__name__)

EXTENSION = "engage.live"
MODES = ("auto", "on", "off")
SAFETY_POLL_SECONDS = 15.0
BATCH = 500            # log rows read per query
REPLAY_MAX = 100       # events replayed to one resuming client; more: resync
_LOG = LiveEvent.__table__


class LiveHub:
    def __init__(self, app: Flask):
        config = app.config
        self._app = app
        self.mode = config["LIVE_STREAMS"]
        if self.mode not in MODES:
            raise ValueError(f"ENGAGE_LIVE_STREAMS must be one of {', '.join(MODES)}, "
                             f"got {self.mode!r}")
        self._poll = float(config["LIVE_POLL_SECONDS"])
        self._max_streams = int(config["LIVE_MAX_STREAMS"])
        self._max_per_network = int(config["LIVE_MAX_STREAMS_PER_NETWORK"])
        self._heartbeat = float(config["LIVE_HEARTBEAT_SECONDS"])
        self._lifetime = float(config["LIVE_MAX_STREAM_SECONDS"])
        self._retry_ms = int(config["LIVE_RETRY_MS"])
        self._reset()
        call_after_fork(self._reset)

    def _reset(self) -> None:
        """Start empty (in a forked worker: the parent's listener did not come along)."""
        self._lock = threading.Lock()
        self._active = threading.Event()
        self._streams: dict[tuple[str, str], set[EventStream]] = {}
        self._networks: dict[str, int] = {}
        self._count = 0
        self._position: int | None = None  # the last log id offered; None: read it anew
        self._listener: threading.Thread | None = None
        self._stopping = False

    def enabled(self) -> bool:
        """Whether this process serves streams (see the module docstring)."""
        if self.mode == "auto":
            return is_patched()
        return self.mode == "on"

    @property
    def count(self) -> int:
        return self._count

    # ---- streams ------------------------------------------------------------------------

    def open(self, topic: tuple[str, str], article_id: int | None, network: str | None,
             base: str, last_event_id: int | None) -> EventStream:
        """A new stream of ``topic`` (call inside the request); raises TooManyRequests."""
        network = network or "unknown"
        with self._lock:
            if self._stopping or self._count >= self._max_streams:
                raise TooManyRequests("This server holds as many live streams as it can.",
                                      retry_after=30)
            if self._networks.get(network, 0) >= self._max_per_network:
                raise TooManyRequests("Too many live streams from your network.",
                                      retry_after=60)
            if self._position is None:
                self._position = _latest_id()
            position = self._position
            # Claimed before the replay's queries, which may yield to other greenlets.
            self._count += 1
            self._networks[network] = self._networks.get(network, 0) + 1
        try:
            first, after = self._preamble(article_id, last_event_id, position, base)
        except BaseException:
            self._unclaim(network)
            raise
        stream = EventStream(topic, network, base, after, first, self._heartbeat,
                             self._lifetime, self._release)
        with self._lock:
            self._streams.setdefault(topic, set()).add(stream)
            self._active.set()
        self._ensure_listener()
        return stream

    def _preamble(self, article_id, last_event_id, position, base) -> tuple[bytes, int]:
        """The first bytes of a stream (reconnect delay, replayed events) and the last event
        id they cover. A client that names no event id (or a future one) starts now."""
        first = f"retry: {self._retry_ms}\n: engage live\n\n".encode()
        if last_event_id is None or last_event_id >= position:
            return first, position
        if article_id is None:
            return first, position
        oldest = db.session.scalar(select(func.min(_LOG.c.id)))
        rows = db.session.execute(
            select(_LOG.c.id, _LOG.c.comment_id)
            .where(_LOG.c.article_id == article_id, _LOG.c.id > last_event_id,
                   _LOG.c.id <= position)
            .order_by(_LOG.c.id).limit(REPLAY_MAX + 1)).all()
        if (oldest is not None and last_event_id < oldest - 1) or len(rows) > REPLAY_MAX:
            return first + resync_frame(), position
        comments = _comments([row.comment_id for row in rows])
        secret = current_app.config["SECRET_KEY"]
        frames = [_frame_for(row.id, row.comment_id, comments, base, secret) for row in rows]
        return first + b"".join(frames), position

    def _release(self, stream: EventStream) -> None:
        with self._lock:
            streams = self._streams.get(stream.topic)
            if streams is not None:
                streams.discard(stream)
                if not streams:
                    del self._streams[stream.topic]
        self._unclaim(stream.network)

    def _unclaim(self, network: str) -> None:
        with self._lock:
            self._count -= 1
            left = self._networks.get(network, 1) - 1
            if left > 0:
                self._networks[network] = left
            else:
                self._networks.pop(network, None)

    def stop(self) -> None:
        """End every stream now; refuse new ones (the worker is stopping)."""
        with self._lock:
            self._stopping = True
            streams = [stream for group in self._streams.values() for stream in group]
            self._active.set()
        for stream in streams:
            stream.end()

    # ---- the listener -------------------------------------------------------------------

    def _ensure_listener(self) -> None:
        with self._lock:
            if self._listener is not None or self._stopping:
                return
            self._listener = threading.Thread(target=self._listen, name="engage-live",
                                              daemon=True)
        self._listener.start()

    def _listen(self) -> None:
        client = shared_store(self._app).client
        pubsub = None
        while not self._stopping:
            self._wait_for_streams()
            if self._stopping:
                break
            if client is not None and pubsub is None:
                pubsub = self._subscribe(client)
            if pubsub is not None:
                pubsub = self._wait_for_message(pubsub)
            else:
                time.sleep(self._poll)  # gevent's sleep under gevent
            try:
                self.deliver_new()
            except Exception:  # a database outage: keep the streams, try again
                log.exception("live updates could not read the change log")
                time.sleep(self._poll)
        if pubsub is not None:
            pubsub.close()

    def _wait_for_streams(self) -> None:
        with self._lock:
            if self._count == 0:
                self._position = None  # streams opened later start from the log's end
                self._active.clear()
        self._active.wait()

    def _subscribe(self, client):
        if shared_store(self._app).outage.ongoing():
            return None
        try:
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(shared_store(self._app).key(recorder.CHANNEL))
            return pubsub
        except (RedisError, OSError) as error:
            log.warning("Redis unavailable (%s); live updates poll the database",
                        type(error).__name__)
            shared_store(self._app).outage.begin()
            return None

    def _wait_for_message(self, pubsub):
        """Return after a wake-up (every waiting one is taken) or the safety poll; None when
        Redis failed (the listener polls the database until it answers again)."""
        try:
            message = pubsub.get_message(timeout=SAFETY_POLL_SECONDS)
            while message is not None:
                message = pubsub.get_message(timeout=0)
            return pubsub
        except (RedisError, OSError, ValueError) as error:
            log.warning("Redis unavailable (%s); live updates poll the database",
                        type(error).__name__)
            shared_store(self._app).outage.begin()
            try:
                pubsub.close()
            except (RedisError, OSError):
                pass
            return None

    def deliver_new(self) -> None:
        """Offer every log row after the position to the streams of its article."""
        while True:
            with self._lock:
                position = self._position
            if position is None:
                return
            with self._app.app_context():
                try:
                    rows, frames = self._read_after(position)
                finally:
                    db.session.remove()
            if not rows:
                return
            with self._lock:
                if self._position is not None:
                    self._position = max(self._position, rows[-1].id)
            for (event_id, topic), (render, by_base) in frames.items():
                for stream in list(self._streams.get(topic, ())):
                    if stream.base not in by_base:  # opened while the log was read
                        by_base[stream.base] = render(stream.base)
                    stream.offer(event_id, by_base[stream.base])
            if len(rows) < BATCH:
                return

    def _read_after(self, position: int):
        rows = db.session.execute(
            select(_LOG.c.id, _LOG.c.comment_id, Article.site_id, Article.key)
            .join(Article, Article.id == _LOG.c.article_id)
            .where(_LOG.c.id > position).order_by(_LOG.c.id).limit(BATCH)).all()
        wanted = [row for row in rows if (row.site_id, row.key) in self._streams]
        comments = _comments([row.comment_id for row in wanted])
        secret = self._app.config["SECRET_KEY"]
        frames = {}
        for row in wanted:
            topic = (row.site_id, row.key)

            def render(base, row=row):
                return _frame_for(row.id, row.comment_id, comments, base, secret)

            # Rendered here, in the session, for the bases the streams use now.
            bases = {stream.base for stream in list(self._streams.get(topic, ()))}
            frames[(row.id, topic)] = (render, {base: render(base) for base in bases})
        return rows, frames


def _latest_id() -> int:
    return db.session.scalar(select(func.max(_LOG.c.id))) or 0


def _comments(ids: list[int]) -> dict[int, Comment]:
    if not ids:
        return {}
    return {comment.id: comment
            for comment in db.session.scalars(select(Comment).where(Comment.id.in_(set(ids))))}


def _frame_for(event_id: int, comment_id: int, comments: dict[int, Comment], base: str,
               secret: str) -> bytes:
    """What a stream is told about one logged change: the comment as published now, or that
    it is no longer published."""
    comment = comments.get(comment_id)
    if comment is None or comment.status != CommentStatus.APPROVED:
        return remove_frame(event_id, comment_id)
    return comment_frame(event_id, public_comment(comment, base, secret))


def init_app(app: Flask) -> None:
    from engage.serving.lifecycle import on_shutdown, on_stop_serving  # wiring only

    hub = app.extensions[EXTENSION] = LiveHub(app)
    recorder.install()
    on_stop_serving(app, hub.stop)
    on_shutdown(app, hub.stop)


def live_hub(app: Flask | None = None) -> LiveHub:
    return (app or current_app).extensions[EXTENSION]
