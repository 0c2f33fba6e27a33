"""Trained spam-filter weights kept in the database, so that one process trains for all.

Table ``spam_trained_model`` (one row, id 1):
- ``generation``/``version``: the training-set stamp (``store.read_version``) the weights were
  trained from; ``weights``: the model (``weights.encode_model``: zlib-compressed JSON);
- ``lease_until``: while in the future, one process is training and the others wait for it.

``refresh(session, current, train_fn, …)`` is what each process's background refresh does:
1. read the training-set stamp; if the process already holds that model, nothing more;
2. if the stored model has that stamp, load it (a restarted process starts here: no training);
3. otherwise take the lease with one conditional UPDATE; the process that gets it loads the
   examples, trains (off the request path: the caller's background thread), stores the weights
   and clears the lease; the others keep their model (or load an older stored one) and look
   again at their next refresh, so a decision reaches every process within a few seconds.
A lease that is not cleared (a process died while training) expires after ``LEASE_SECONDS``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Integer, LargeBinary, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.db import Base, UTCDateTime, upsert, utcnow
from engage.spamfilter.model import LinearModel
from engage.spamfilter.store import load_example_rows, read_version
from engage.spamfilter.token_memo import TokenMemo
from engage.spamfilter.trainer import fit_encoded
from engage.spamfilter.weights import decode_model, encode_model

LEASE_SECONDS = 120.0


class SpamTrainedModel(Base):
    """The newest trained weights and the stamp of the training set they came from."""

    __tablename__ = "spam_trained_model"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[str] = mapped_column(String(32), default="")
    version: Mapped[int] = mapped_column(Integer, default=-1)
    weights: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    trained_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


def _stored_stamp(session: Session) -> tuple[str, int] | None:
    row = session.execute(select(SpamTrainedModel.generation, SpamTrainedModel.version)
                          .where(SpamTrainedModel.id == 1, SpamTrainedModel.weights.is_not(None))
                          ).first()
    return (row[0], row[1]) if row else None


def load_stored(session: Session, run: Callable = lambda function, *args: function(*args)
                ) -> tuple[tuple[str, int], LinearModel] | None:
    """(stamp, model) of the stored weights, or None when nothing was stored yet."""
    row = session.execute(select(SpamTrainedModel.generation, SpamTrainedModel.version,
                                 SpamTrainedModel.weights).where(SpamTrainedModel.id == 1)).first()
    if row is None or row[2] is None:
        return None
    return (row[0], row[1]), run(decode_model, row[2])


def claim_lease(session: Session, now: datetime | None = None) -> bool:
    """Take the training lease (commits); False when another process holds it."""
    now = now or utcnow()
    session.execute(upsert(session, SpamTrainedModel).values(id=1, generation="", version=-1)
                    .on_conflict_do_nothing(index_elements=["id"]))
    claimed = session.execute(
        update(SpamTrainedModel).where(SpamTrainedModel.id == 1)
        .where((SpamTrainedModel.lease_until.is_(None)) | (SpamTrainedModel.lease_until < now))
        .values(lease_until=now + timedelta(seconds=LEASE_SECONDS))).rowcount
    session.commit()
    return claimed == 1


def save_model(session: Session, stamp: tuple[str, int], model: LinearModel) -> None:
    """Store ``model`` as trained from ``stamp`` and release the lease (commits)."""
    session.execute(update(SpamTrainedModel).where(SpamTrainedModel.id == 1).values(
        generation=stamp[0], version=stamp[1], weights=encode_model(model), trained_at=utcnow(),
        lease_until=None))
    session.commit()


def release_lease(session: Session) -> None:
    session.rollback()
    session.execute(update(SpamTrainedModel).where(SpamTrainedModel.id == 1)
                    .values(lease_until=None))
    session.commit()


def refresh(session: Session, held: tuple[str, int] | None, train_fn: Callable,
            max_examples: int, run: Callable = lambda function, *args: function(*args)
            ) -> tuple[tuple[str, int] | None, LinearModel | None] | None:
    """One refresh (see the module docstring): the new (stamp, model) to hold, or None to
    keep what ``held`` stands for. ``train_fn(rows)`` turns ``store.load_example_rows`` rows
    into a ``LinearModel``; ``run(function, *args)`` runs the CPU-heavy steps (training,
    decoding) where they do not stall the caller's event loop."""
    stamp = read_version(session)
    if stamp == held:
        return None
    if stamp is None:  # nothing ever learned (or the database was replaced)
        return None, None
    stored = _stored_stamp(session)
    if stored == stamp:
        return load_stored(session, run)
    session.commit()  # end the read transaction before the lease's write
    if not claim_lease(session):
        # someone else is training; meanwhile an older stored model beats none
        return load_stored(session, run) if stored is not None and stored != held else None
    try:
        rows = load_example_rows(session, max_examples)
        session.commit()
        model = run(train_fn, rows)
        save_model(session, stamp, model)
    except BaseException:
        release_lease(session)
        raise
    return stamp, model


class RowTrainer:
    """Tokens and training for ``store.load_example_rows`` rows (CPU only, no session),
    remembering the tokens of rows it has seen (``TokenMemo``): one per process's cache."""

    def __init__(self):
        self.memo = TokenMemo()

    def __call__(self, rows: list[tuple]) -> LinearModel:
        return fit_encoded(*self.memo.encode(rows))
