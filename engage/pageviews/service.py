"""Recording a view: the one use case between the HTTP layer and the counter."""

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


def record_view(counter: ViewCounter, salts: DailySalts, view: ViewRequest) -> ViewOutcome:
    """Count ``view`` unless it is a bot, a prefetch, a HEAD or a repeat within the window."""
    reason = classify(view.method, view.headers, view.user_agent)
    if reason is not None:
        return ViewOutcome(False, counter.totals([view.article])[view.article], reason)
    visitor = salts.visitor(view.now, view.ip_prefix, (view.user_agent or "")[:MAX_USER_AGENT])
    result = counter.record(view.article, visitor, view.now)
    return ViewOutcome(result.counted, result.total,
                       None if result.counted else NotCounted.REPEAT)
