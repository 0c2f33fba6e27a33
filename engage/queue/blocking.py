""""Block this author" from the queue: a blocklist entry plus spam for what they already wrote.

Contract: ``block_author(session, comment_id, kind, moderator, now)`` takes the author's email,
email domain or anonymised IP prefix from comment ``comment_id``, adds it to the blocklist
(owned by ``engage.moderation.settings.store``; from then on the blocklist rule marks their new
comments spam) and marks every comment matching it spam, this one included, through the normal
decision path (audit event with the note "blocked <kind> <value>", spam filter training).
The entry is committed first, so the author's new comments are spam from then on; their
existing comments follow in the queue's chunks (``engage.queue.service``, "Long actions"),
oldest first, each chunk committed with its audit events. Blocking twice is harmless: the
entry is reused, and an interrupted block is finished by blocking again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engage.comments.models import Comment, CommentStatus
from engage.errors import ValidationFailed
from engage.moderators.accounts import Moderator
from engage.moderation.settings import store as settings
from engage.moderation.settings.options import BlockKind, normalize_block_value
from engage.queue.service import Decision, apply_decision, get_comment, in_chunks

# What the queue offers to block, in menu order.
BLOCK_KINDS = (BlockKind.EMAIL, BlockKind.DOMAIN, BlockKind.IP)
_LABELS = {BlockKind.EMAIL: "email", BlockKind.DOMAIN: "email domain", BlockKind.IP: "IP network"}


@dataclass(frozen=True)
class BlockOutcome:
    kind: BlockKind
    value: str
    marked: int  # comments moved to spam by this block


def parse_block_kind(raw: object) -> BlockKind:
    try:
        kind = BlockKind(raw)
    except ValueError:
        kind = None
    if kind not in BLOCK_KINDS:
        valid = ", ".join(k.value for k in BLOCK_KINDS)
        raise ValidationFailed(f"Unknown kind; use one of: {valid}.",
                               fields={"kind": [f"must be one of: {valid}"]})
    return kind


def block_value(comment: Comment, kind: BlockKind) -> str:
    """The normalised value to block for ``comment``'s author, or ValidationFailed."""
    raw = {BlockKind.EMAIL: comment.author_email,
           BlockKind.DOMAIN: comment.author_email.rpartition("@")[2],
           BlockKind.IP: comment.ip_prefix or ""}[kind]
    try:
        return normalize_block_value(kind, raw)
    except ValueError as error:
        raise ValidationFailed(f"Cannot block this author's {_LABELS[kind]}: {error}.",
                               fields={"kind": [str(error)]}) from None


def _matching(kind: BlockKind, value: str):
    if kind is BlockKind.EMAIL:
        return Comment.author_email == value
    if kind is BlockKind.DOMAIN:
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return or_(Comment.author_email.like(f"%@{escaped}", escape="\\"),
                   Comment.author_email.like(f"%@%.{escaped}", escape="\\"))
    return Comment.ip_prefix == value


def block_author(session: Session, comment_id: int, kind: BlockKind, moderator: Moderator,
                 now: datetime) -> BlockOutcome:
    """See the module docstring."""
    comment = get_comment(session, comment_id)
    value = block_value(comment, kind)
    # add_blocked commits: the entry is stored before the first chunk.
    settings.add_blocked(session, kind, value, moderator.name, now, current_app.config)
    ids = list(session.scalars(select(Comment.id).where(
        _matching(kind, value), Comment.status != CommentStatus.SPAM).order_by(Comment.id)))
    marked = 0
    for chunk in in_chunks(ids):
        marked += len(apply_decision(session, chunk, Decision.SPAM, moderator,
                                     f"blocked {_LABELS[kind]} {value}", now))
        session.commit()
    return BlockOutcome(kind, value, marked)
