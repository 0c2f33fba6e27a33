"""The workers' metrics directory (engage/serving/metrics_directory.py): chosen by
``prepare_process`` before prometheus_client is imported, so that prometheus_client itself
writes every process's values to files that one scrape adds up. Each check runs in a child
process, which prepares itself as ``engage serve`` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.servers import ROOT

FORKED_WORKER = r"""
import json, os, sys
from engage.serving.worker_classes import prepare_process
prepare_process("gthread")
from prometheus_client import values
from engage.observability import metrics
from engage.observability.metric_registry import multiprocess_dir

directory = multiprocess_dir()
pid = os.fork()
if pid == 0:  # a worker: counts one request, then exits the way gunicorn's workers do
    metrics.request_answered("GET", "/probe", 200, 0.01)
    metrics.publish_pending()
    sys.exit(0)
os.waitpid(pid, 0)
text = metrics.exposition(lambda: None).decode()
print(json.dumps({
    "directory": directory,
    "environment": os.environ.get("PROMETHEUS_MULTIPROC_DIR"),
    "multiprocess_values": values.ValueClass is not values.MutexValue,
    "worker_count_seen": 'engage_http_requests_total{method="GET",route="/probe",status="200"} 1.0'
                         in text,
    "exists_after_worker_exit": os.path.isdir(directory),
    "files": sorted(os.listdir(directory)),
}))
"""


def _child(script: str, env: dict | None = None) -> dict:
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _without_multiproc_dir() -> dict:
    return {key: value for key, value in os.environ.items()
            if key.upper() != "PROMETHEUS_MULTIPROC_DIR"}


def test_a_forked_workers_counts_reach_the_parents_scrape_and_the_private_directory_goes():
    report = _child(FORKED_WORKER, _without_multiproc_dir())
    assert report["environment"] == report["directory"]
    assert os.path.basename(report["directory"]).startswith("engage-metrics-")
    assert report["multiprocess_values"]
    assert report["worker_count_seen"]
    assert report["exists_after_worker_exit"]  # a worker's exit must not remove it
    assert any(name.startswith("counter_") for name in report["files"])
    assert not os.path.exists(report["directory"])  # removed when the preparing process ended


def test_the_operators_directory_is_used_emptied_of_old_values_and_kept(tmp_path):
    stale = tmp_path / "counter_999999.db"
    stale.write_bytes(b"values of the previous run")
    env = _without_multiproc_dir() | {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    report = _child(FORKED_WORKER, env)
    assert report["directory"] == str(tmp_path) and report["worker_count_seen"]
    assert stale.name not in report["files"]
    assert tmp_path.is_dir() and any(tmp_path.iterdir())


def test_choosing_it_after_prometheus_client_was_imported_is_refused():
    import prometheus_client  # noqa: F401 (imported first, as an app built too early would)

    from engage.serving import metrics_directory

    assert metrics_directory.prepared_directory() is None
    with pytest.raises(RuntimeError, match="before prometheus_client is imported"):
        metrics_directory.prepare()
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ
