"""The whole moderation pipeline in-process, as ``bench/spam_http.py`` meets it over HTTP.

``PipelineFold`` runs every rule at its default (``build_rules`` over ``ModerationOptions()``),
the spam filter's rule over a site model trained on the given training videos (after
decisions) or none (fresh install), and a starter trained on the same training videos; the
thresholds are chosen by the caller. It is what ``bench/spam_choose.py --only pipeline``
scores on *inner* folds (train on two training videos, judge the third), so that rules and
bands can be chosen without a server and without the held-out video. The HTTP bench stays the
reported figure: it goes through admission (409 duplicates), the comments service and the
queue API as a reader's comment does.

``run_fold(training, test_rows, decided, thresholds, starter_thresholds)`` →
(``Outcome``, [(row, status, reasons)]) with the reasons of every comment, so that a caller
can print why a comment ended where it did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Mapping, Sequence

from engage.moderation.pipeline import Action, MemoryHistory, Submission, moderate
from engage.moderation.settings.options import Blocklist, ModerationOptions
from engage.moderation.settings.store import _snapshot_of
from engage.spamfilter.evaluation import Outcome, Thresholds, examples_of
from engage.spamfilter.rule import ClassifierRule, ClassifierSettings
from engage.spamfilter.starter import train_starter
from engage.spamfilter.trainer import fit
from engage.spamfilter.training_data import synthetic_email


def reader_text(content: str) -> str:
    """What the reader typed (bench/spam_http.reader_text, without importing the server)."""
    import html
    import re

    text = re.sub(r"<br\s*/?>", "\n", content, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).replace("\ufeff", "").strip()


@dataclass
class StaticSource:
    model_: object

    def model(self):
        return self.model_


def refused_duplicates(rows: Sequence) -> list:
    """``rows`` without the ones the HTTP bench's server refuses with 409: the same text again
    on the same article from the same network (every bench comment comes from loopback)."""
    seen, kept = set(), []
    for row in rows:
        body = reader_text(row.content) or row.content
        if body not in seen:
            seen.add(body)
            kept.append(row)
    return kept


def site_model_for(training: Mapping[str, Sequence]):
    """The site's model after the moderators decided ``training`` (what the server stored)."""
    return fit(examples_of([row for video in training.values()
                            for row in refused_duplicates(video)]))


def run_fold(training: Mapping[str, Sequence], test_rows: Sequence, decided: bool,
             thresholds: Thresholds, starter_thresholds: Thresholds,
             options: ModerationOptions = ModerationOptions(), site_model=None, starter=None,
             **settings_changes):
    """One fold through the pipeline (see the module docstring); ``settings_changes`` are
    ``ClassifierSettings`` fields (the default is the app's)."""
    if starter is None:
        starter = train_starter([row for video in training.values() for row in video])
    if decided and site_model is None:
        site_model = site_model_for(training)
    settings = ClassifierSettings(thresholds.spam, thresholds.hold, starter_enabled=False,
                                  starter_spam_threshold=starter_thresholds.spam,
                                  starter_hold_threshold=starter_thresholds.hold,
                                  **settings_changes)
    rule = ClassifierRule(StaticSource(site_model if decided else None), settings)
    rule.starter = starter
    snapshot = _snapshot_of(0, options, Blocklist(), rule)
    history = MemoryHistory()
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    outcome, details = Outcome(), []
    for row in refused_duplicates(test_rows):
        body = reader_text(row.content) or row.content
        submission = Submission(article="t", body=body, author_name=(row.author or "anonymous")[:100],
                                author_email=synthetic_email(row.author), now=now)
        verdict = moderate(submission, history, snapshot.rules)
        status = {Action.SPAM: "spam", Action.HOLD: "pending", None: "approved"}[verdict.action]
        outcome.add(row.is_spam, status)
        details.append((row, status, verdict.reasons()))
    return outcome, details
