"""Spam filter: the learned classifier's score decides spam, held, or just a note.

- score ≥ ``spam_threshold`` → SPAM;
- below that, a near-duplicate (``duplicate_similarity``) of a comment decided spam → SPAM
  (``engage.spamfilter.near_duplicates``: the site's own spam decisions count from the first
  one, before the site's model is ready; the starter's training spam counts too);
- score ≥ ``hold_threshold`` → HOLD (the uncertain band: a moderator decides, and teaches);
- below → a flag-only finding, so the score is stored and shown on every comment; below
  ``clear_share`` × the hold threshold the finding also ``clears_style``: the filter is sure
  the comment is legitimate, and the STYLE rules (shouting, repetition) do not hold it.

Cold start: until the site's model has learned from ``min_spam`` spam and ``min_ham``
legitimate examples it is not used (a model trained on a handful of decisions would guess);
the shipped starter model (``engage.spamfilter.starter``) decides meanwhile, and is blended
with the site's model afterwards. With the starter off the rule finds nothing until then.

A SPAM-kind rule: trusted authors do not skip it, because it judges the text, not the author
(a stolen account posting spam is still spam). The model comes from ``source.model()``, an
in-memory snapshot (``classifier_cache``): the rule does no I/O and stays pure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Mapping, Protocol

from engage.config import DEFAULTS
from engage.spamfilter.model import LinearModel
from engage.spamfilter.starter import blend, load_starter
from engage.spamfilter.features import features
from engage.spamfilter.near_duplicates import sketch
from engage.moderation.pipeline import Action, Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName

TOP_TOKENS = 8
log = logging.getLogger(__name__)


class ModelSource(Protocol):
    def model(self) -> LinearModel | None: ...


@dataclass(frozen=True)
class ClassifierSettings:
    """Thresholds and cold-start minimums (config keys ``CLASSIFIER_*``; the defaults are
    ``engage.config``'s, for rules built without an app)."""

    spam_threshold: float = DEFAULTS["CLASSIFIER_SPAM_THRESHOLD"]
    hold_threshold: float = DEFAULTS["CLASSIFIER_HOLD_THRESHOLD"]
    min_spam: int = DEFAULTS["CLASSIFIER_MIN_SPAM"]
    min_ham: int = DEFAULTS["CLASSIFIER_MIN_HAM"]
    starter_enabled: bool = DEFAULTS["CLASSIFIER_STARTER_ENABLED"]
    starter_path: str = DEFAULTS["CLASSIFIER_STARTER_PATH"]
    starter_blend_examples: int = DEFAULTS["CLASSIFIER_STARTER_BLEND_EXAMPLES"]
    # while the starter decides alone (a fresh install's goal is 90 % of spam caught, and
    # every held comment costs a moderator's time)
    starter_spam_threshold: float = DEFAULTS["CLASSIFIER_STARTER_SPAM_THRESHOLD"]
    starter_hold_threshold: float = DEFAULTS["CLASSIFIER_STARTER_HOLD_THRESHOLD"]
    clear_share: float = DEFAULTS["CLASSIFIER_CLEAR_SHARE"]
    duplicate_similarity: float = DEFAULTS["CLASSIFIER_DUPLICATE_SIMILARITY"]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "ClassifierSettings":
        return cls(float(config["CLASSIFIER_SPAM_THRESHOLD"]),
                   float(config["CLASSIFIER_HOLD_THRESHOLD"]),
                   int(config["CLASSIFIER_MIN_SPAM"]), int(config["CLASSIFIER_MIN_HAM"]),
                   bool(config["CLASSIFIER_STARTER_ENABLED"]),
                   str(config["CLASSIFIER_STARTER_PATH"] or ""),
                   int(config["CLASSIFIER_STARTER_BLEND_EXAMPLES"]),
                   float(config["CLASSIFIER_STARTER_SPAM_THRESHOLD"]),
                   float(config["CLASSIFIER_STARTER_HOLD_THRESHOLD"]),
                   float(config["CLASSIFIER_CLEAR_SHARE"]),
                   float(config["CLASSIFIER_DUPLICATE_SIMILARITY"]))


class ClassifierRule:
    name = RuleName.SPAM_FILTER
    kind = RuleKind.SPAM

    def __init__(self, source: ModelSource, settings: ClassifierSettings = ClassifierSettings()):
        self.source = source
        self.settings = settings
        self.starter = None
        if settings.starter_enabled:
            try:  # read once per process (cached); a broken file must not stop comments
                self.starter = load_starter(settings.starter_path)
            except (OSError, ValueError):
                log.exception("spam filter: cannot load the starter model; running without it")

    def _near_duplicate(self, site: LinearModel | None, tokens) -> float:
        """The similarity to the closest remembered spam when it reaches the setting, else 0."""
        least = self.settings.duplicate_similarity
        if not least:
            return 0.0
        values = sketch(tokens)
        if not values:
            return 0.0
        best = max((model.spam_memory().closest(values, least)[0] for model in (site, self.starter)
                    if model is not None and model.spam_sketches), default=0.0)
        return best if best >= least else 0.0

    def check(self, submission: Submission, history: History) -> Finding | None:
        site = self.source.model()
        settings = self.settings
        ready = (site is not None and site.spam_examples >= settings.min_spam
                 and site.ham_examples >= settings.min_ham)
        model = blend(site, self.starter, ready, settings.starter_blend_examples)
        if model is None:
            return None
        tokens = features(submission.body, submission.author_name, submission.author_email,
                          submission.author_url)
        score = model.score(tokens)
        value = score.value
        evidence = {"score": round(value, 4), "tokens": score.top_tokens(TOP_TOKENS),
                    "trained_on": {"spam": model.spam_examples, "legitimate": model.ham_examples}}
        if model is not site:  # how much of the score is the shipped starter model's
            evidence["starter_share"] = round(1.0 - getattr(model, "site_share", 0.0), 3)
        # the starter alone has goals of its own (90 % of spam caught, not 97 %): its band
        spam_from, hold_from = ((settings.spam_threshold, settings.hold_threshold) if ready else
                                (settings.starter_spam_threshold, settings.starter_hold_threshold))
        if value >= spam_from:
            return Finding(self.name, f"spam filter: score {value:.2f} (spam from {spam_from:g})",
                           evidence=evidence, action=Action.SPAM, score=value)
        copy = self._near_duplicate(site, tokens)
        if copy:
            evidence["near_duplicate_of_spam"] = round(copy, 2)
            return Finding(self.name, f"spam filter: a near-duplicate of a comment decided spam "
                           f"(similarity {copy:.2f}; score {value:.2f})",
                           evidence=evidence, action=Action.SPAM, score=value)
        if value >= hold_from:
            return Finding(self.name, f"spam filter unsure: score {value:.2f} "
                           f"(held from {hold_from:g})",
                           evidence=evidence, action=Action.HOLD, score=value)
        clear = value < settings.clear_share * hold_from
        return Finding(self.name, f"spam filter: score {value:.2f}"
                       + (" (sure it is legitimate)" if clear else ""), evidence=evidence,
                       score=value, clears_style=clear)
