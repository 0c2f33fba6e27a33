"""The directory where every gunicorn worker of this process writes its Prometheus values.

``/metrics`` must add up every worker of an instance (a scrape reaches only one), so engage
serves with prometheus_client's multiprocess mode: each worker writes its values to
memory-mapped files in one directory, and a scrape merges the files of every worker, living or
exited (a counter never goes backwards when a worker is replaced). prometheus_client chooses
that mode once, from ``PROMETHEUS_MULTIPROC_DIR``, when it is first imported, and building the
app imports it: so ``prepare`` runs before the app is built, from ``prepare_process``, which
every server start calls first (``engage serve``, the benchmarks).

The directory is the operator's ``PROMETHEUS_MULTIPROC_DIR`` (its old files are removed, as a
restart must start counting from zero) or a private temporary one, removed when the process
that made it exits.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import sys
import tempfile

_directory: str | None = None


def prepare() -> str:
    """Choose the directory and set ``PROMETHEUS_MULTIPROC_DIR``; idempotent.

    Raises RuntimeError if prometheus_client was imported first (its values would stay
    private to each worker).
    """
    global _directory
    if _directory is not None:
        return _directory
    if "prometheus_client" in sys.modules:
        raise RuntimeError("the metrics directory must be chosen before prometheus_client is "
                           "imported: call prepare_process before building the app")
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if configured:
        os.makedirs(configured, exist_ok=True)
        for stale in glob.glob(os.path.join(configured, "*.db")):
            os.remove(stale)
        directory = configured
    else:
        directory = tempfile.mkdtemp(prefix="engage-metrics-")
        atexit.register(_remove, directory, os.getpid())
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    _directory = directory
    return directory


def prepared_directory() -> str | None:
    """The directory ``prepare`` chose in this process (or its parent), or None."""
    return _directory


def _remove(directory: str, owner: int) -> None:
    if os.getpid() == owner:  # forked workers run exit handlers too; they must not remove it
        shutil.rmtree(directory, ignore_errors=True)
