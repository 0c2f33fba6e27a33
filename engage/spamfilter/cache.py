"""Each process's trained copy of the spam filter, kept fresh in the background.

Classifying must stay far inside the pipeline's 1 ms budget, and training takes a fraction of
a second per thousand examples, so the two never happen on the same call:

- ``ClassifierCache.model()`` returns the last trained model (or None) from memory: no I/O.
- At most once per ``CLASSIFIER_REFRESH_SECONDS`` it wakes a background thread, which reads
  the training set's version (one primary-key query) and, when it moved, loads the weights
  stored for that version, or (one process at a time: ``model_store``) loads the newest
  ``CLASSIFIER_MAX_EXAMPLES`` examples, trains, stores the weights, and swaps the new model in.

So a moderator's decision reaches every process within a few seconds plus one training run.
Training runs on a background thread but holds the GIL, so its CPU share is bounded: after a
run that took t seconds the next check waits at least ``TRAINING_DUTY`` × t (a process
trains at most about a quarter of the time even while moderators decide continuously).
Every process holds the same weights for the same version: the stored ones.
``refresh_now()`` does the same work synchronously (tests, CLI).

``init_app(app)`` keeps the app's cache in ``app.extensions["engage.spamfilter"]``
(``classifier_cache()``); ``classifier_rule(app)`` is the pipeline rule over it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from engage.config import DEFAULTS
from engage.db import db
from engage.serving.fork_hooks import call_after_fork
from engage.spamfilter.model import LinearModel, Params
from engage.spamfilter.model_store import RowTrainer, refresh
from engage.spamfilter.rule import ClassifierRule, ClassifierSettings
from engage.serving.worker_classes import off_the_event_loop

log = logging.getLogger(__name__)

TRAINING_DUTY = 4.0
EXTENSION = "engage.spamfilter"


@dataclass(frozen=True)
class Trained:
    """A model and the training-set version it was trained from."""

    stamp: tuple[str, int] | None
    model: LinearModel | None


class ClassifierCache:
    """The trained model of one database, for one process (see the module docstring)."""

    def __init__(self, engine: Engine,
                 refresh_seconds: float = DEFAULTS["CLASSIFIER_REFRESH_SECONDS"],
                 max_examples: int = DEFAULTS["CLASSIFIER_MAX_EXAMPLES"], params: Params = Params(),
                 clock: Callable[[], float] = time.monotonic):
        self.engine = engine
        self.refresh_seconds = refresh_seconds
        self.max_examples = max_examples
        self.params = params
        self.clock = clock
        self._start_afresh()
        call_after_fork(self._start_afresh)

    def _start_afresh(self) -> None:
        # also in a forked worker: it inherits no refresh thread, and a cache marked busy
        # would never refresh
        self._trained = Trained(None, None)
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._busy = False
        self._pause = 0.0  # extra wait after an expensive training run
        self._train_rows = RowTrainer()  # remembers tokens, so a retrain tokenises only news

    def model(self) -> LinearModel | None:
        """The newest trained model this process has; schedules a refresh when one is due."""
        now = self.clock()
        wait = max(self.refresh_seconds, self._pause)
        if now - self._checked_at >= wait:
            with self._lock:
                if not self._busy and now - self._checked_at >= wait:
                    self._busy = True
                    self._checked_at = now
                    threading.Thread(target=self._refresh_in_background, daemon=True,
                                     name="engage-classifier-refresh").start()
        return self._trained.model

    def refresh_now(self, session: Session | None = None) -> LinearModel | None:
        """Check the version and retrain if it moved, on this thread; return the model."""
        if session is not None:
            self._refresh(session)
        else:
            with Session(self.engine) as own:
                self._refresh(own)
        self._checked_at = self.clock()
        return self._trained.model

    def _refresh_in_background(self) -> None:
        try:
            with Session(self.engine) as session:
                self._refresh(session)
        except Exception:  # a failed refresh keeps the old model; the next one retries
            log.warning("spam filter refresh failed", exc_info=True)
        finally:
            self._busy = False

    def _refresh(self, session: Session) -> None:
        # one process trains and stores the weights; the others load them (model_store)
        started = time.perf_counter()
        found = refresh(session, self._trained.stamp, self._train_rows, self.max_examples,
                        off_the_event_loop)
        if found is not None:
            self._pause = TRAINING_DUTY * (time.perf_counter() - started)
            self._trained = Trained(*found)


def init_app(app: Flask) -> None:
    """Keep ``app``'s classifier cache (the trained model of its database, in this process)."""
    with app.app_context():
        engine = db.engine
    app.extensions[EXTENSION] = ClassifierCache(
        engine, float(app.config["CLASSIFIER_REFRESH_SECONDS"]),
        int(app.config["CLASSIFIER_MAX_EXAMPLES"]))


def classifier_cache(app: Flask | None = None) -> ClassifierCache:
    """The classifier cache of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION]


def classifier_rule(app: Flask) -> ClassifierRule | None:
    """The pipeline rule for ``app``, or None when ``CLASSIFIER_ENABLED`` is off.

    The rule may be kept in a cached rule list: it asks the app's cache for the model on
    every check, so it always uses the newest trained model.
    """
    if not app.config["CLASSIFIER_ENABLED"]:
        return None
    return ClassifierRule(classifier_cache(app), ClassifierSettings.from_config(app.config))
