"""The contract every view-count backend keeps, run against buffered SQL and Redis, on SQLite
and PostgreSQL. Time is passed in; "another process" is another counter over the same stores."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from tests.pageviews.conftest import WINDOW, stored_views

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_first_view_counts_and_a_repeat_within_the_window_does_not(make_counter):
    counter = make_counter()
    assert counter.record("/a", "visitor-1", T0) == (True, 1)
    assert counter.record("/a", "visitor-1", T0 + timedelta(seconds=WINDOW - 1)) == (False, 1)


def test_a_view_after_the_window_counts_again(make_counter):
    counter = make_counter()
    counter.record("/a", "visitor-1", T0)
    assert counter.record("/a", "visitor-1", T0 + timedelta(seconds=WINDOW)).counted
    counter.flush(T0 + timedelta(seconds=WINDOW + 1))
    assert stored_views("/a") == 2


def test_articles_and_visitors_are_counted_separately(make_counter):
    counter = make_counter()
    assert counter.record("/a", "visitor-1", T0).counted
    assert counter.record("/b", "visitor-1", T0).counted
    assert counter.record("/a", "visitor-2", T0).counted
    assert counter.totals(["/a", "/b", "/never-viewed"]) == {"/a": 2, "/b": 1, "/never-viewed": 0}


def test_totals_include_views_not_yet_flushed_and_stay_the_same_after_the_flush(make_counter):
    counter = make_counter()
    for n in range(5):
        counter.record("/a", f"visitor-{n}", T0)
    assert stored_views() == 0
    assert counter.totals(["/a"]) == {"/a": 5}
    assert counter.flush(T0) == 5
    assert stored_views("/a") == 5
    assert counter.totals(["/a"]) == {"/a": 5}


def test_a_second_flush_stores_nothing_more(make_counter):
    counter = make_counter()
    counter.record("/a", "visitor-1", T0)
    assert counter.flush(T0) == 1
    assert counter.flush(T0 + timedelta(seconds=1)) == 0
    assert stored_views() == 1


def test_daily_counts_and_top_articles_come_from_flushed_days(make_counter):
    counter = make_counter()
    yesterday = T0 - timedelta(days=1)
    for n in range(3):
        counter.record("/popular", f"v{n}", yesterday)
    counter.record("/popular", "v9", T0)
    counter.record("/quiet", "v1", T0)
    counter.flush(T0)
    assert counter.daily("/popular", yesterday.date() - timedelta(days=5), T0.date()) == {
        yesterday.date(): 3, T0.date(): 1}
    assert counter.top(T0.date(), T0.date(), 10) == [("/popular", 1), ("/quiet", 1)]
    assert counter.top(yesterday.date(), T0.date(), 1) == [("/popular", 4)]


def test_repeat_through_another_process_is_stored_once(make_counter):
    first, second = make_counter(), make_counter()
    first.record("/a", "visitor-1", T0)
    first.flush(T0)
    second.record("/a", "visitor-1", T0 + timedelta(seconds=2))
    second.flush(T0 + timedelta(seconds=3))
    assert stored_views("/a") == 1


def test_simultaneous_first_views_through_two_processes_are_stored_once(make_counter):
    first, second = make_counter(), make_counter()
    first.record("/a", "visitor-1", T0)
    second.record("/a", "visitor-1", T0)
    first.flush(T0 + timedelta(seconds=1))
    second.flush(T0 + timedelta(seconds=1))
    assert stored_views("/a") == 1


def test_after_a_flush_the_other_process_knows_the_visitor(make_counter):
    first, second = make_counter(), make_counter()
    first.record("/a", "visitor-1", T0)
    first.flush(T0)
    second.flush(T0 + timedelta(seconds=1))  # the other process's periodic flush
    assert second.record("/a", "visitor-1", T0 + timedelta(seconds=2)).counted is False


def test_close_stores_everything(make_counter):
    counter = make_counter()
    for n in range(7):
        counter.record("/a", f"visitor-{n}", T0)
    counter.close(T0)
    assert stored_views("/a") == 7


def _hammer(counters, views_per_thread: int, threads_per_counter: int, visitors, stop_flushing):
    """Record from many threads while every counter also flushes in the background."""
    counted = []
    lock = threading.Lock()

    def worker(counter, thread_no):
        mine = 0
        for n in range(views_per_thread):
            visitor = visitors(thread_no, n)
            moment = T0 + timedelta(milliseconds=n)
            if counter.record(f"/article-{n % 3}", visitor, moment).counted:
                mine += 1
        with lock:
            counted.append(mine)

    def flusher(counter):
        tick = 0
        while not stop_flushing.is_set():
            tick += 1
            counter.flush(T0 + timedelta(milliseconds=tick))
            stop_flushing.wait(0.01)

    flushers = [threading.Thread(target=flusher, args=(c,)) for c in counters]
    workers = [threading.Thread(target=worker, args=(c, i * 100 + j))
               for i, c in enumerate(counters) for j in range(threads_per_counter)]
    for thread in flushers + workers:
        thread.start()
    for thread in workers:
        thread.join()
    stop_flushing.set()
    for thread in flushers:
        thread.join()
    for counter in counters:
        counter.close(T0 + timedelta(minutes=1))
    return sum(counted)


def test_concurrent_views_from_many_threads_are_counted_exactly(make_counter):
    counter = make_counter()
    counted = _hammer([counter], views_per_thread=150, threads_per_counter=6,
                      visitors=lambda thread, n: f"t{thread}-v{n}", stop_flushing=threading.Event())
    assert counted == 900
    assert stored_views() == 900
    assert sum(counter.totals(["/article-0", "/article-1", "/article-2"]).values()) == 900


def test_two_processes_with_overlapping_visitors_store_each_view_once(make_counter):
    counters = [make_counter(), make_counter()]
    # Both "processes" see the same 300 visitors (as when a load balancer spreads refreshes).
    _hammer(counters, views_per_thread=300, threads_per_counter=2,
            visitors=lambda thread, n: f"v{n}", stop_flushing=threading.Event())
    assert stored_views() == 300
