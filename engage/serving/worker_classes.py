"""The two ways ``engage serve`` runs requests, and what each needs from the process.

- ``gevent`` (the default): each worker process serves every connection in one OS thread, a
  greenlet per connection, switching only where a request waits on a socket (Redis,
  PostgreSQL, the client). A view beacon in Redis mode is mostly such a wait. With threads,
  every wait handed the interpreter lock to another thread and back: on this project's 2-core
  machine that cost more than the view itself (``bench/views.py``, Redis mode: 416 µs of
  server CPU per view with 8 threads, about 300 µs with gevent and ``redis_pipeline.py``;
  embedded mode: the ratio to a bare endpoint rose from 0.71 to 0.82-0.95). What it costs:
  work that holds the CPU without waiting on a socket holds the whole worker meanwhile.
  SQLite's calls are such work (short ones; a write waiting for another process's lock waits
  up to the busy timeout). Long pure computations go to a native thread with
  ``off_the_event_loop`` (training the spam filter takes about a second), so the worker keeps
  serving meanwhile, as it would with threads. Use more worker processes, not threads, to use
  more cores.
- ``gthread``: gunicorn's thread pool, ``THREADS`` threads per worker. For deployments that
  cannot have gevent's monkey-patching (a C extension that blocks on its own sockets).

gevent only works when the standard library is patched before anything creates a lock, a
thread, a thread-local or a socket. gunicorn patches in each worker after the fork, but engage
builds its app before forking (``preload_app``), so ``engage serve`` (and the benchmarks)
call ``prepare_process`` first, before the app exists.
"""

from __future__ import annotations

import os
import threading
from typing import Callable, TypeVar

from engage.config import DEFAULTS
from engage.serving import metrics_directory

T = TypeVar("T")

WORKER_CLASSES = ("gevent", "gthread")


def configured_worker_class() -> str:
    """``ENGAGE_WORKER_CLASS``, or the default (for scripts that serve without ``engage serve``,
    such as the benchmarks' baselines, which must serve the way engage does)."""
    return os.environ.get("ENGAGE_WORKER_CLASS", DEFAULTS["WORKER_CLASS"])


def prepare_process(worker_class: str) -> None:
    """Make this process ready to serve with ``worker_class``; call before building the app.

    Also chooses the directory the workers' metrics go to, which must happen before the app
    imports prometheus_client (``engage.serving.metrics_directory``).
    Raises ValueError for an unknown class. Idempotent.
    """
    if worker_class not in WORKER_CLASSES:
        raise ValueError(f"ENGAGE_WORKER_CLASS must be one of {', '.join(WORKER_CLASSES)}, "
                         f"got {worker_class!r}")
    if worker_class == "gevent":
        from gevent import monkey  # gevent is loaded only by processes that serve with it

        monkey.patch_all()
    metrics_directory.prepare()


def is_patched() -> bool:
    """Whether gevent has patched threads into greenlets in this process."""
    try:
        from gevent import monkey  # loaded only when asked: see prepare_process
    except ImportError:  # pragma: no cover - gevent is a dependency
        return False
    return monkey.is_module_patched("threading")


def off_the_event_loop(function: Callable[..., T], *args) -> T:
    """``function(*args)``, on a native thread when gevent serves, so that the worker's other
    greenlets keep being served while it runs (sharing the interpreter lock, as threads do).

    For long pure computations only: ``function`` must not touch sockets, database sessions
    or locks that greenlets hold. Without gevent it simply runs here.
    """
    if is_patched():
        import gevent  # only after gevent patched the process: it is loaded then

        return gevent.get_hub().threadpool.apply(function, args)
    return function(*args)


def os_thread_local():
    """A thread-local that is one per OS thread, even when gevent has patched ``threading.local``
    to be one per greenlet.

    For state that callers only touch in code that never waits on I/O (a greenlet cannot be
    switched out there, so the greenlets of one thread can share it), and that would otherwise
    be made anew for every connection's greenlet.
    """
    if is_patched():
        from gevent import monkey  # only after gevent patched the process: it is loaded then

        return monkey.get_original("_thread", "_local")()
    return threading.local()
