"""``AutoFlush`` starts its thread once per process: again in a forked child (gunicorn forks
its workers after the app exists), and never twice in one process."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone

from engage.pageviews.backends.flusher import AutoFlush


class FlushLog:
    """The smallest counter AutoFlush can drive: it notes each flush and its process."""

    def __init__(self):
        self.flushed_in: list[int] = []

    def flush(self, now):
        self.flushed_in.append(os.getpid())
        return 0

    def close(self, now):
        pass


def _flushers() -> int:
    return sum(thread.name == "test-flush" for thread in threading.enumerate())


def test_the_flush_thread_starts_once_here_and_again_in_a_forked_child():
    log = FlushLog()
    flusher = AutoFlush(log, 0.05, lambda: datetime.now(timezone.utc), name="test-flush")
    try:
        flusher.ensure_running()
        flusher.ensure_running()
        assert _flushers() == 1
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: only the forking thread survives a fork
            try:
                before = _flushers()
                flusher.ensure_running()
                flusher.wake()
                deadline = 50
                while os.getpid() not in log.flushed_in and deadline:
                    threading.Event().wait(0.02)
                    deadline -= 1
                report = {"before": before, "after": _flushers(),
                          "flushed_here": os.getpid() in log.flushed_in}
                os.write(write_end, json.dumps(report).encode())
            finally:
                os._exit(0)
        os.close(write_end)
        report = json.loads(os.read(read_end, 4096))
        os.waitpid(pid, 0)
        assert report == {"before": 0, "after": 1, "flushed_here": True}
        assert _flushers() == 1  # the parent's thread is untouched
    finally:
        flusher.close(datetime.now(timezone.utc))
