"""The per-network limits and the network mask, on every backend (the counter contract).

A network key is what ``visitors.network_key`` makes; here they are chosen so that their
bits in the daily network mask (``store.network_bit``) are known: ``_network(i)`` sets bit i.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engage.pageviews import store
from tests.pageviews.conftest import WINDOW, stored_views

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
# The last seconds of a window (windows are consecutive periods of WINDOW seconds).
LATE = datetime.fromtimestamp((int(T0.timestamp()) // WINDOW + 1) * WINDOW - 10, timezone.utc)


def _network(i: int) -> str:
    return f"{i:08x}" + "ab" * 12


def test_network_bits_are_one_of_31_and_known_from_the_key():
    assert store.network_bit(_network(0)) == 1 and store.network_bit(_network(30)) == 1 << 30
    assert store.network_bit(_network(31)) == 1


def test_one_network_counts_at_most_the_limit_per_article_and_window(make_counter):
    counter = make_counter(per_network=3)
    answers = [counter.record("/a", f"visitor-{n}", T0, _network(1)) for n in range(6)]
    assert [answer.counted for answer in answers] == [True] * 3 + [False] * 3
    assert answers[-1].total == 3
    assert counter.record("/b", "visitor-5", T0, _network(1)).counted  # another article
    assert counter.record("/a", "visitor-6", T0, _network(2)).counted  # another network
    assert counter.record("/a", "visitor-7", T0 + timedelta(seconds=WINDOW), _network(1)).counted
    counter.flush(T0 + timedelta(seconds=WINDOW))
    assert stored_views("/a") == 5


def test_a_refused_view_leaves_nothing_behind(make_counter):
    counter = make_counter(per_network=1)
    assert counter.record("/a", "visitor-1", LATE, _network(1)).counted
    assert not counter.record("/a", "visitor-2", LATE, _network(1)).counted
    # Twenty seconds later a new window has begun; visitor-2 was never remembered as seen,
    # so its view now counts (a remembered visitor would be a repeat for 30 minutes).
    assert counter.record("/a", "visitor-2", LATE + timedelta(seconds=20), _network(1)).counted


def test_one_network_brings_in_at_most_the_limit_of_new_articles(make_counter):
    counter = make_counter(new_per_network=2)
    assert counter.record("/known", "visitor-0", T0).counted  # no network: no limit
    counter.flush(T0)
    invented = [counter.record(f"/invented-{n}", "visitor-1", T0, _network(1)).counted
                for n in range(5)]
    assert invented == [True, True, False, False, False]
    assert counter.record("/invented-1", "visitor-2", T0, _network(1)).counted  # counting now
    assert counter.record("/known", "visitor-1", T0, _network(1)).counted
    assert counter.record("/invented-3", "visitor-1", T0, _network(2)).counted  # elsewhere
    counter.flush(T0 + timedelta(seconds=1))
    assert counter.record("/invented-3", "visitor-3", T0 + timedelta(seconds=2),
                          _network(1)).counted  # an article now
    counter.flush(T0 + timedelta(seconds=3))
    assert stored_views() == 7
    assert counter.totals(["/invented-4"]) == {"/invented-4": 0}


def test_without_a_network_no_limit_applies(make_counter):
    counter = make_counter(per_network=1, new_per_network=1)
    assert all(counter.record(f"/new-{n % 3}", f"visitor-{n}", T0).counted for n in range(9))


def test_top_can_require_views_from_several_networks(make_counter):
    counter = make_counter()
    for n in range(5):  # five readers behind one network
        counter.record("/one-network", f"visitor-{n}", T0, _network(7))
    for n in range(3):
        counter.record("/three-networks", f"visitor-{n}", T0, _network(n))
    counter.record("/two-networks", "visitor-1", T0, _network(4))
    counter.record("/two-networks", "visitor-2", T0 - timedelta(days=1), _network(5))
    counter.record("/two-networks", "visitor-3", T0 - timedelta(days=1), _network(6))
    counter.flush(T0)
    first, last = (T0 - timedelta(days=1)).date(), T0.date()
    assert counter.top(first, last, 10, min_networks=3) == [("/three-networks", 3)]
    assert counter.top(first, last, 10, min_networks=2) == [
        ("/three-networks", 3), ("/two-networks", 3)]  # two networks on yesterday's
    assert counter.top(first, last, 10) == [
        ("/one-network", 5), ("/three-networks", 3), ("/two-networks", 3)]
