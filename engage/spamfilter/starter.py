"""The starter model: a spam filter that works from a fresh install's first comment.

engage ships weights trained on the YouTube Spam Collection (TubeSpam; T. C. Alberto,
J. V. Lochter, T. A. Almeida, ICMLA 2015; CC BY 4.0): ``data/starter_model.json.z``, made by
``engage spam build-starter`` from the four labelled videos (see the README). Until a site's
own model has ``CLASSIFIER_MIN_SPAM`` spam and ``CLASSIFIER_MIN_HAM`` legitimate decisions the
starter decides alone; from then on the two are blended in the logit (``Blend``):

    z = a · z_site + (1 − a) · z_starter,   a = n / (n + CLASSIFIER_STARTER_BLEND_EXAMPLES)

with n the site's decided examples, so the site's own model takes over as it learns; chosen on
inner folds over "replace the starter as soon as the site has a model" (bench/spam_choose.py).
``CLASSIFIER_STARTER_ENABLED`` (ENGAGE_CLASSIFIER_STARTER_ENABLED=0) turns the starter off: the
filter then waits for the site's decisions, as before. ``CLASSIFIER_STARTER_PATH`` names
another weights file (the benchmark trains one per fold without its held-out video).

The starter is trained without author emails (the public data has none), so the site's
email tokens only ever weigh in the site's own model.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

from engage.spamfilter.model import Example, LinearModel, Score, sigmoid
from engage.spamfilter.trainer import fit
from engage.spamfilter.weights import decode_model, encode_model
from engage.spamfilter.training_data import LabelledComment
from engage.spamfilter.features import features

DATA_FILE = "starter_model.json.z"


def train_starter(rows: Sequence[LabelledComment]) -> LinearModel:
    """The starter's model for labelled rows (as ``engage spam train`` imports them)."""
    return fit([Example(features(row.content, row.author), row.is_spam) for row in rows])


def write_starter(model: LinearModel, path: str | Path) -> int:
    """Write the weights file; returns its size in bytes."""
    blob = encode_model(model)
    Path(path).write_bytes(blob)
    return len(blob)


@functools.lru_cache(maxsize=4)
def load_starter(path: str = "") -> LinearModel:
    """The starter model of ``path``, or the shipped one for ""; read once per process."""
    if path:
        blob = Path(path).read_bytes()
    else:
        blob = resources.files("engage.spamfilter").joinpath("data", DATA_FILE).read_bytes()
    return decode_model(blob)


def shipped_path() -> Path:
    """Where ``build-starter`` writes the shipped weights (inside the source tree)."""
    return Path(__file__).resolve().parent / "data" / DATA_FILE


@dataclass(frozen=True)
class Blend:
    """The site's model, the starter, or both: scores like a ``LinearModel``.

    ``spam_examples``/``ham_examples`` are the site's own (what it learned from decisions);
    ``site_share`` is ``a`` of the module docstring (0: the starter alone).
    """

    site: LinearModel | None
    starter: LinearModel | None
    site_share: float

    @property
    def spam_examples(self) -> int:
        return self.site.spam_examples if self.site else 0

    @property
    def ham_examples(self) -> int:
        return self.site.ham_examples if self.site else 0

    def score(self, tokens: Iterable[str], top: int = 8) -> Score:
        tokens = frozenset(tokens)
        parts = [(model, share) for model, share in
                 ((self.site, self.site_share), (self.starter, 1.0 - self.site_share))
                 if model is not None and share > 0]
        if len(parts) == 1:
            return parts[0][0].score(tokens, top)
        logit, clues = 0.0, []
        for model, share in parts:
            score = model.score(tokens, top)
            logit += share * _logit(score.value)
            clues.extend(type(clue)(clue.token, share * clue.weight) for clue in score.clues)
        clues.sort(key=lambda clue: (-abs(clue.weight), clue.token))
        merged: dict[str, object] = {}
        for clue in clues:
            merged.setdefault(clue.token, clue)
        return Score(sigmoid(logit), tuple(merged.values())[:top])


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def blend(site: LinearModel | None, starter: LinearModel | None, ready: bool,
          blend_examples: int) -> Blend | LinearModel | None:
    """What the rule scores with: the site's model once ``ready`` (enough decisions), mixed
    with the starter when there is one; the starter alone before that; else None."""
    if ready and site is not None:
        if starter is None or blend_examples <= 0:
            return site
        n = site.spam_examples + site.ham_examples
        return Blend(site, starter, n / (n + blend_examples))
    if starter is not None:
        return Blend(site, starter, 0.0)
    return None
