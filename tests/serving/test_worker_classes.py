"""Serving with gevent or gthread: what each needs from the process (engage/serving/worker_classes.py).

gevent's patching cannot be undone, so what it changes is checked in a child process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from engage.pageviews.backends.tally import PerThreadTally
from engage.serving.worker_classes import (is_patched, off_the_event_loop, os_thread_local,
                                   prepare_process)
from tests.servers import ROOT, engage_env

UNDER_GEVENT = r"""
import json
from engage.serving.worker_classes import (is_patched, off_the_event_loop, os_thread_local,
                                   prepare_process)
prepare_process("gevent")
import gevent
from engage.pageviews.backends.tally import PerThreadTally

tally = PerThreadTally()
shared = os_thread_local()
shared.value = "set before the greenlets"
seen = []

def view():
    tally.add("a")
    gevent.sleep(0)  # every greenlet is switched out between its two views
    tally.add("a")
    seen.append(getattr(shared, "value", None))

gevent.joinall([gevent.spawn(view) for _ in range(300)])
tally.retire_dead_threads()  # greenlets have ended, the OS thread has not: nothing is lost
print(json.dumps({"patched": is_patched(), "count": tally.get("a"),
                  "registered": tally.registered, "seen": sorted(set(seen))}))
"""


def test_under_gevent_greenlets_share_their_threads_counter_and_no_view_is_lost():
    result = subprocess.run([sys.executable, "-c", UNDER_GEVENT], cwd=ROOT, check=True,
                            capture_output=True, text=True, timeout=60)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"patched": True, "count": 600, "registered": 1,
                      "seen": ["set before the greenlets"]}


BUSY_UNDER_GEVENT = r"""
import json, sys, time
from engage.serving.worker_classes import off_the_event_loop, prepare_process
prepare_process("gevent")
import gevent

def compute(seconds):  # a pure computation, like training the spam filter
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n

ticks = []
def ticker():  # another connection's greenlet, served every 10 ms
    while True:
        ticks.append(1)
        gevent.sleep(0.01)

tick = gevent.spawn(ticker)
gevent.sleep(0.02)
before = len(ticks)
if sys.argv[1] == "off":
    result = off_the_event_loop(compute, 0.5)
else:
    result = compute(0.5)
served = len(ticks) - before
tick.kill()
print(json.dumps({"served_meanwhile": served, "computed": result > 0}))
"""


def _ticks_while_computing(mode: str) -> dict:
    result = subprocess.run([sys.executable, "-c", BUSY_UNDER_GEVENT, mode], cwd=ROOT,
                            check=True, capture_output=True, text=True, timeout=60)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_under_gevent_a_long_computation_off_the_event_loop_leaves_the_worker_serving():
    inline = _ticks_while_computing("inline")
    off = _ticks_while_computing("off")
    assert inline == {"served_meanwhile": 0, "computed": True}  # the worker stalled
    assert off["computed"] and off["served_meanwhile"] >= 10  # 0.5 s at one tick per 10 ms


def test_off_the_event_loop_without_gevent_runs_in_place():
    assert off_the_event_loop(lambda a, b: (a + b, threading.current_thread()), 2, 3) == (
        5, threading.current_thread())


def test_without_gevent_each_thread_counts_apart_and_an_exited_threads_counts_are_kept():
    assert not is_patched()
    tally = PerThreadTally()
    local = os_thread_local()
    local.value = "main"
    seen = []

    def views():
        seen.append(getattr(local, "value", None))
        for _ in range(100):
            tally.add("a")

    threads = [threading.Thread(target=views) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [None] * 4  # a real thread-local: the main thread's value is not shared
    assert tally.registered == 4
    tally.retire_dead_threads()
    assert tally.registered == 0
    assert tally.get("a") == 400


def test_an_unknown_worker_class_is_refused():
    with pytest.raises(ValueError, match="gevent, gthread"):
        prepare_process("eventlet")


def test_engage_serve_refuses_an_unknown_worker_class_before_starting(tmp_path):
    env = engage_env({"INSTANCE_PATH": str(tmp_path), "WORKER_CLASS": "tornado"})
    result = subprocess.run([sys.executable, "-m", "engage", "serve", "--port", "1"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "ENGAGE_WORKER_CLASS must be one of gevent, gthread, got 'tornado'" in result.stderr
