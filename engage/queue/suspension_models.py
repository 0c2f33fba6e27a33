"""The suspensions table: bans that expire (engage/queue/suspensions.py has the use cases)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from engage.db import Base, UTCDateTime


class SuspensionKind(str, enum.Enum):
    """Whom a suspension names: one email address, or one anonymised network (an IP prefix
    in the blocklist's form, e.g. ``203.0.113.0/24``)."""

    EMAIL = "email"
    NETWORK = "network"


class Suspension(Base):
    """One suspension, kept after it ends (expired or lifted) as the record of who set it,
    why, and who lifted it."""

    __tablename__ = "suspensions"
    __table_args__ = (
        # the check at every submit: the active suspensions of one address, or of networks
        Index("ix_suspensions_kind_value", "kind", "value"),
        Index("ix_suspensions_kind_until", "kind", "until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[SuspensionKind] = mapped_column(
        Enum(SuspensionKind, native_enum=False, length=16,
             values_callable=lambda kinds: [kind.value for kind in kinds], validate_strings=True))
    value: Mapped[str] = mapped_column(String(254))
    # Shadow: new comments are held silently (pending) instead of refused as spam.
    shadow: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reason: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
