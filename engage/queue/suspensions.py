"""Suspensions: bans that expire, set by moderators on an email address or a network.

Contracts
- ``suspend(session, request, moderator, now)`` stores a suspension of ``request.kind``/
  ``value`` for ``hours`` and commits; an active suspension of the same author is replaced (it
  is lifted by the same moderator), so an author has at most one. ``parse_request`` validates a
  client's fields: kind ``email`` or ``network``, the value in the blocklist's forms
  (``normalize_block_value``: a lower-cased address; a network such as ``203.0.113.0/24``, the
  anonymised prefix the queue shows, or one address), whole hours from 1 to
  ``SUSPENSION_MAX_HOURS``, a reason of 1 to 500 characters, ``shadow`` a boolean.
- A suspension is active from its creation until ``until`` or until it is lifted, whichever
  comes first: it ends by itself, compared with the ``now`` each caller passes (no job runs).
  ``active(session, now)`` lists active ones, newest first; ``lift`` ends one (404 when it is
  not active). Rows are kept when they end: who set each, why, and who lifted it.
- ``suspension_for(session, email, ip_prefix, now)`` is the check at submit
  (engage/comments/service.py): the active suspension naming this address, or a network that
  overlaps the poster's anonymised prefix; None when there is none. ``apply`` turns it into the
  comment's status and reasons: without shadow the comment is spam, as a blocked author's is;
  with shadow it is held (pending), unless the rules already said spam. Either way the poster
  gets the answer of any held comment (202 pending), so a suspension tells nobody anything; the
  reason ``suspension`` is for moderators only.
- Suspensions apply to every site, like the blocklist: the routes refuse moderators limited to
  some sites.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from engage.comments.models import CommentStatus
from engage.driver_statements import DriverStatement
from engage.errors import NotFound, ValidationFailed
from engage.moderation.settings.options import BlockKind, normalize_block_value
from engage.moderators.accounts import Moderator
from engage.queue.suspension_models import Suspension, SuspensionKind

RULE = "suspension"  # the reason's rule name, as the moderation rules name theirs
MAX_REASON = 500
MAX_LISTED = 500  # active suspensions one list shows
# Networks are matched in Python (overlap, as the blocklist does); a bound on the rows read.
MAX_NETWORKS_CHECKED = 1000
_BLOCK_KIND = {SuspensionKind.EMAIL: BlockKind.EMAIL, SuspensionKind.NETWORK: BlockKind.IP}


@dataclass(frozen=True)
class SuspensionRequest:
    kind: SuspensionKind
    value: str
    hours: int
    shadow: bool
    reason: str


def parse_request(data: Any, max_hours: int) -> SuspensionRequest:
    """A valid request from a client's JSON object, or ValidationFailed naming every bad field."""
    if not isinstance(data, dict):
        raise ValidationFailed("Expected a JSON object.")
    errors: dict[str, list[str]] = {}
    try:
        kind = SuspensionKind(data.get("kind"))
    except ValueError:
        kind = None
        errors["kind"] = ["must be email or network"]
    value = data.get("value")
    if kind is not None:
        try:
            if not isinstance(value, str) or len(value) > 254:
                raise ValueError("a string of at most 254 characters")
            value = normalize_block_value(_BLOCK_KIND[kind], value)
        except ValueError as error:
            errors["value"] = [str(error)]
    hours = data.get("hours")
    if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= max_hours:
        errors["hours"] = [f"whole hours from 1 to {max_hours}"]
    shadow = data.get("shadow", False)
    if not isinstance(shadow, bool):
        errors["shadow"] = ["true or false"]
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        errors["reason"] = [f"say why, in 1 to {MAX_REASON} characters"]
    if errors:
        raise ValidationFailed("Some fields are invalid.", fields=errors)
    return SuspensionRequest(kind, value, hours, shadow, reason.strip())


def _is_active(now: datetime):
    return and_(Suspension.lifted_at.is_(None), Suspension.until > now)


def suspend(session: Session, request: SuspensionRequest, moderator: Moderator,
            now: datetime) -> Suspension:
    """See the module docstring."""
    for earlier in session.scalars(select(Suspension).where(
            Suspension.kind == request.kind, Suspension.value == request.value,
            _is_active(now))):
        earlier.lifted_at, earlier.lifted_by = now, moderator.name
    suspension = Suspension(kind=request.kind, value=request.value, shadow=request.shadow,
                            reason=request.reason, created_by=moderator.name, created_at=now,
                            until=now + timedelta(hours=request.hours))
    session.add(suspension)
    session.commit()
    return suspension


def active(session: Session, now: datetime) -> list[Suspension]:
    """The active suspensions, newest first (at most ``MAX_LISTED``)."""
    return list(session.scalars(select(Suspension).where(_is_active(now))
                                .order_by(Suspension.id.desc()).limit(MAX_LISTED)))


def lift(session: Session, suspension_id: int, moderator: Moderator, now: datetime) -> Suspension:
    """End an active suspension now and commit; NotFound when there is no such active one."""
    suspension = session.get(Suspension, suspension_id) if suspension_id < 2**31 else None
    if suspension is None or suspension.lifted_at is not None or suspension.until <= now:
        raise NotFound(f"No active suspension with id {suspension_id}.")
    suspension.lifted_at, suspension.lifted_by = now, moderator.name
    session.commit()
    return suspension


def suspension_for(session: Session, email: str, ip_prefix: str | None,
                   now: datetime):
    """See the module docstring; one indexed query. Returns a row with the columns of
    ``Suspension`` (what ``apply`` reads), or None."""
    network = _network(ip_prefix)
    statement, first_look = _FOR_ADDRESS if network is None else _FOR_ADDRESS_OR_NETWORK
    params = {"address": (email or "").strip().lower(), "now": now}
    # Almost no post meets a suspension: asked first on the driver's cursor (SQLAlchemy's
    # execution cost more than the query, engage/driver_statements.py); a hit is read again
    # with SQLAlchemy's types.
    if first_look.scalar(session, params) is None:
        return None
    for suspension in session.connection().execute(statement, params):
        if suspension.kind is SuspensionKind.EMAIL:
            return suspension
        entry = _network(suspension.value)
        if entry is not None and entry.version == network.version and entry.overlaps(network):
            return suspension
    return None


def _with_first_look(statement):
    return statement, DriverStatement(statement)


def _submit_check(*wanted):
    table = Suspension.__table__
    return (select(table)
            .where(table.c.lifted_at.is_(None), table.c.until > bindparam("now"), or_(*wanted))
            # "email" sorts first: an address is never crowded out by networks
            .order_by(table.c.kind, table.c.id.desc())
            .limit(MAX_NETWORKS_CHECKED))


# Built once, Core on the session's connection: every submit runs one, and building the
# statement and ORM objects each time cost more than the query (issue 22).
_EMAIL = and_(Suspension.__table__.c.kind == SuspensionKind.EMAIL,
              Suspension.__table__.c.value == bindparam("address"))
_FOR_ADDRESS = _with_first_look(_submit_check(_EMAIL))
_FOR_ADDRESS_OR_NETWORK = _with_first_look(_submit_check(
    _EMAIL, Suspension.__table__.c.kind == SuspensionKind.NETWORK))


def _network(value: str | None):
    try:
        return ipaddress.ip_network(value, strict=False) if value else None
    except ValueError:
        return None


def apply(suspension, status: CommentStatus,
          reasons: list[dict]) -> tuple[CommentStatus, list[dict]]:
    """The status and reasons of a comment its suspended author sent (module docstring)."""
    if suspension.shadow and status is not CommentStatus.SPAM:
        status = CommentStatus.PENDING
    elif not suspension.shadow:
        status = CommentStatus.SPAM
    what = "shadow-suspended" if suspension.shadow else "suspended"
    reason = {"rule": RULE, "reason": f"the author's {suspension.kind.value} is {what}",
              "evidence": {"value": suspension.value, "until": suspension.until.isoformat(),
                           "by": suspension.created_by, "why": suspension.reason}}
    return status, [reason, *reasons]


def as_dict(suspension: Suspension) -> dict[str, Any]:
    """The moderation API's JSON of one suspension."""
    return {"id": suspension.id, "kind": suspension.kind.value, "value": suspension.value,
            "shadow": suspension.shadow, "reason": suspension.reason,
            "created_by": suspension.created_by, "created_at": suspension.created_at.isoformat(),
            "until": suspension.until.isoformat(),
            "lifted_at": suspension.lifted_at.isoformat() if suspension.lifted_at else None,
            "lifted_by": suspension.lifted_by}


def request_from_comment(comment, kind: SuspensionKind, form: Mapping[str, str],
                         max_hours: int) -> SuspensionRequest:
    """A request from the queue card's form fields (``suspend-hours-<id>`` and so on) for the
    author of ``comment``: the value is the comment's address or network, never the form's."""
    value = comment.author_email if kind is SuspensionKind.EMAIL else comment.ip_prefix
    hours = form.get(f"suspend-hours-{comment.id}", "")
    return parse_request({
        "kind": kind.value, "value": value or "",
        "hours": int(hours) if hours.isdigit() and len(hours) < 6 else -1,
        "shadow": bool(form.get(f"suspend-shadow-{comment.id}")),
        "reason": form.get(f"suspend-reason-{comment.id}", "")}, max_hours)
