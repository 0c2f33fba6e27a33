"""The in-server deliverer gives way to requests (engage/notifications/worker.py): it rests
after a round only while the requests keep its process busy, for as long as its share allows,
and never once delivery is late."""

from __future__ import annotations

import threading

import pytest

from engage.notifications.worker import BUSY_CPU, MAX_REST_SECONDS, Deliverer, rest_after


def test_a_busy_process_rests_its_share_of_the_time():
    # 20 ms of work at a share of 0.1: 180 ms of rest (the work is 10 % of the whole)
    assert rest_after(0.02, 12, busy=True, share=0.1, waited=1.0,
                      max_delay=30.0) == pytest.approx(0.18)
    assert rest_after(0.02, 12, busy=True, share=0.5, waited=1.0,
                      max_delay=30.0) == pytest.approx(0.02)
    assert rest_after(5.0, 20, busy=True, share=0.02, waited=1.0,
                      max_delay=30.0) == MAX_REST_SECONDS


@pytest.mark.parametrize("claimed, busy, share, waited", [
    (0, True, 0.1, 0.0),     # nothing was delivered: nothing to make up for
    (5, False, 0.1, 0.0),    # no requests to give way to
    (5, True, 1.0, 0.0),     # a share of 1: no limit
    (5, True, 0.1, 30.0),    # the oldest message waited the longest delay: full speed
])
def test_no_rest_without_work_without_load_without_limit_or_when_late(claimed, busy, share,
                                                                      waited):
    assert rest_after(0.02, claimed, busy=busy, share=share, waited=waited,
                      max_delay=30.0) == 0.0


def test_the_rest_measures_the_other_threads_cpu(app):
    deliverer = Deliverer(app)
    deliverer._stop = threading.Event()
    assert deliverer._rest(0.2) < BUSY_CPU  # an idle process

    done = threading.Event()

    def spin():
        while not done.is_set():
            sum(range(1000))

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        assert deliverer._rest(0.2) >= BUSY_CPU  # a thread keeps a core busy meanwhile
    finally:
        done.set()
        spinner.join()
