"""Offline evaluation of the spam filter and the rule that picks its thresholds.

Pure helpers shared by ``engage spam evaluate`` and ``bench/spam_eval.py``:
- ``examples_of(rows)`` turns labelled CSV rows into training examples;
- ``leave_one_out_scores(groups)`` trains on all groups but one and scores the one left out,
  for each group in turn (leave-one-video-out on TubeSpam);
- ``choose_thresholds(scored)`` picks the two thresholds from scores that were *not* trained
  on, by a rule fixed in advance from the goals (below), never by looking at a test figure.

Threshold rule: the spam threshold is the lowest score at which at most
``max_false_spam`` (``MAX_FALSE_SPAM``, 0.5 %) of the legitimate comments would be marked spam;
the hold threshold is the highest score at which at least ``min_caught`` (``MIN_CAUGHT``,
97.5 %) of the spam would still be caught (spam or held). The margins (0.5 % against the 1 %
goal, 97.5 % against 97 %) are there because the thresholds come from models trained on less
data than the final one. Both were chosen on inner folds (``bench/spam_choose.py --only
margins``: each inner fold's band comes from scores one level further in, every rule at its
default): the loosest candidates whose pooled inner figures still meet the goals. Spam marked
at 0.5 % already lets 1.08 % of the inner folds' legitimate comments through as spam (0.75 %:
1.39 %, 1 %: 1.79 %), so it stays; caught at 98 % gave 97.71 % of spam caught and 76.4 % of
legitimate comments published, 97.5 % gave 97.18 % and 80.4 %, 97 % gave 96.37 % (below the
goal) and 83.8 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from engage.spamfilter.model import Example
from engage.spamfilter.trainer import fit
from engage.spamfilter.training_data import LabelledComment, synthetic_email
from engage.spamfilter.features import features

MAX_FALSE_SPAM = 0.005
MIN_CAUGHT = 0.975


@dataclass(frozen=True)
class Thresholds:
    spam: float
    hold: float


def examples_of(rows: Iterable[LabelledComment]) -> list[Example]:
    """Training examples of labelled rows (author names kept, emails synthesised per name)."""
    return [Example(features(row.content, row.author, synthetic_email(row.author) if row.author else ""),
                    row.is_spam) for row in rows]


def leave_one_out_scores(groups: Mapping[str, Sequence[LabelledComment]],
                         trainer: Callable = fit) -> dict[str, list[tuple[float, bool]]]:
    """For each group: (score, is_spam) of its rows from a model trained on the other groups
    (by ``trainer``, the app's own by default)."""
    encoded = {name: examples_of(rows) for name, rows in groups.items()}
    scored: dict[str, list[tuple[float, bool]]] = {}
    for name, test in encoded.items():
        training = [e for other, rows in encoded.items() if other != name for e in rows]
        model = trainer(training)
        scored[name] = [(model.score(e.tokens).value, e.is_spam) for e in test]
    return scored


def choose_thresholds(scored: Iterable[tuple[float, bool]],
                      max_false_spam: float = MAX_FALSE_SPAM,
                      min_caught: float = MIN_CAUGHT) -> Thresholds:
    """Thresholds by the rule in the module docstring; hold never exceeds spam."""
    pairs = list(scored)
    ham = sorted(score for score, is_spam in pairs if not is_spam)
    spam = sorted(score for score, is_spam in pairs if is_spam)
    if not ham or not spam:
        raise ValueError("need scores of both spam and legitimate comments")
    # spam threshold: just above the legitimate score that must stay below it
    allowed = int(max_false_spam * len(ham))
    spam_threshold = _just_above(ham[len(ham) - 1 - allowed])
    # hold threshold: the spam score at the (1 - min_caught) quantile still counts as caught
    missed = int((1.0 - min_caught) * len(spam))
    hold_threshold = spam[missed]
    return Thresholds(round(spam_threshold, 4), round(min(hold_threshold, spam_threshold), 4))


def _just_above(score: float) -> float:
    return min(1.0, score + 1e-4)


@dataclass
class Outcome:
    """What happened to labelled comments: the one counter of every evaluation (``engage spam
    evaluate``, ``bench/spam_eval.py``). Besides the shares the issue asks for it gives the
    spam-vs-legitimate confusion table, where "predicted spam" means the status ``spam``."""

    spam: int = 0
    spam_marked: int = 0
    spam_caught: int = 0
    ham: int = 0
    ham_published: int = 0
    ham_marked: int = 0

    def add(self, is_spam: bool, status: str) -> None:
        """Count one comment that ended with ``status`` (spam, pending, approved, ...)."""
        if is_spam:
            self.spam += 1
            self.spam_marked += status == "spam"
            self.spam_caught += status in ("spam", "pending")
        else:
            self.ham += 1
            self.ham_published += status == "approved"
            self.ham_marked += status == "spam"

    def merge(self, other: "Outcome") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def accuracy(self) -> float:
        """Spam vs not-spam: a spam comment is right when marked spam, a legitimate one when not."""
        total = self.spam + self.ham
        right = self.spam_marked + (self.ham - self.ham_marked)
        return right / total if total else 0.0

    @property
    def precision(self) -> float:
        """Of the comments marked spam, the share that is spam."""
        marked = self.spam_marked + self.ham_marked
        return self.spam_marked / marked if marked else 0.0

    @property
    def recall(self) -> float:
        """Of the spam, the share marked spam."""
        return self.spam_marked / self.spam if self.spam else 0.0

    def table(self) -> str:
        """A small text confusion table."""
        return "\n".join([
            f"{'':>16}{'predicted spam':>16}{'predicted ham':>16}",
            f"{'actual spam':>16}{self.spam_marked:>16}{self.spam - self.spam_marked:>16}",
            f"{'actual ham':>16}{self.ham_marked:>16}{self.ham - self.ham_marked:>16}",
        ])

    def line(self, label: str) -> str:
        def share(part: int, whole: int) -> str:
            return f"{100.0 * part / whole:6.2f}%" if whole else "    n/a"
        return (f"{label:<12} n={self.spam + self.ham:<5} spam→spam {share(self.spam_marked, self.spam)}"
                f"  spam caught {share(self.spam_caught, self.spam)}"
                f"  legit published {share(self.ham_published, self.ham)}"
                f"  legit→spam {share(self.ham_marked, self.ham)}"
                f"  accuracy {100.0 * self.accuracy:6.2f}%")


def status_for_score(score: float, thresholds: Thresholds) -> str:
    """What the classifier alone would do: spam, pending (held) or approved."""
    if score >= thresholds.spam:
        return "spam"
    if score >= thresholds.hold:
        return "pending"
    return "approved"
