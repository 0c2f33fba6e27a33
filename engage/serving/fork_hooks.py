"""Reset per-process state in forked children without asking for the pid on every call.

gunicorn forks its workers after engage built the app, so objects that hold sockets, threads
or greenlets must start afresh in each worker. Comparing ``os.getpid()`` on every view does
that too, but each is a system call, and on the benchmark VM system calls are dear.
"""

from __future__ import annotations

import os
import weakref


def call_after_fork(method) -> None:
    """Have the bound ``method`` called in every forked child for as long as its object lives
    (the object is held weakly: registering does not keep it alive)."""
    ref = weakref.WeakMethod(method)

    def after_fork() -> None:
        alive = ref()
        if alive is not None:
            alive()

    os.register_at_fork(after_in_child=after_fork)
