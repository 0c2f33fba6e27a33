"""Recording a view: the one use case between the HTTP layer and the counter.

What a client is told (``ViewOutcome.accepted``, the answer's ``counted``) depends only on
the request itself: whether it is a bot, a prefetch or a HEAD. Whether the view was a repeat
or over a per-network limit depends on other requests, which may be other readers' (a
neighbour behind the same network with the same browser is the same visitor to engage), so
it is never said; it goes to the metrics only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from engage.pageviews.backends.base import ViewCounter
from engage.pageviews.bots import MAX_USER_AGENT, NotCounted, classify
from engage.pageviews.visitors import DailySalts


@dataclass(frozen=True)
class ViewRequest:
    """What a request tells about a possible view. ``article`` is already normalized."""

    article: str
    method: str
    headers: Mapping[str, str]
    ip_prefix: str | None
    user_agent: str | None
    now: datetime


class ViewOutcome(NamedTuple):
    counted: bool
    total: int
    reason: NotCounted | None  # why it did not count

    @property
    def accepted(self) -> bool:
        """Taken as a reader's view (the answer's ``counted``): not a bot, prefetch or HEAD."""
        return self.reason is None or self.reason is NotCounted.REPEAT


def record_view(counter: ViewCounter, salts: DailySalts, view: ViewRequest) -> ViewOutcome:
    """Count ``view`` unless it is a bot, a prefetch, a HEAD, a repeat within the window or
    over a limit of its network (``REPEAT`` stands for both: see the module docstring)."""
    reason = classify(view.method, view.headers, view.user_agent)
    if reason is not None:
        return ViewOutcome(False, counter.totals([view.article])[view.article], reason)
    visitor, network = salts.keys(view.now, view.ip_prefix,
                                  (view.user_agent or "")[:MAX_USER_AGENT])
    # No address at all (a unix socket without a trusted proxy): no network to hold to a limit.
    result = counter.record(view.article, visitor, view.now,
                            network if view.ip_prefix else None)
    return ViewOutcome(result.counted, result.total,
                       None if result.counted else NotCounted.REPEAT)
