"""Labelled comments for the spam filter: reading TubeSpam-style CSV and scoring results.

CSV contract (the YouTube Spam Collection's format): a header row with at least ``CONTENT`` and
``CLASS`` (1 = spam, 0 = legitimate); ``AUTHOR`` is optional. Rows whose CLASS is not 0 or 1
raise ``ValueError`` naming the file and line, so a typo never trains the model silently.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True)
class LabelledComment:
    content: str
    is_spam: bool
    author: str = ""


def read_labelled_csv(path: str | Path) -> list[LabelledComment]:
    """All rows of one labelled CSV file, in file order."""
    rows: list[LabelledComment] = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"CONTENT", "CLASS"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for row in reader:
            label = (row["CLASS"] or "").strip()
            if label not in ("0", "1"):
                raise ValueError(f"{path}:{reader.line_num}: CLASS must be 0 or 1, got {label!r}")
            rows.append(LabelledComment(row["CONTENT"] or "", label == "1",
                                        (row.get("AUTHOR") or "").strip()))
    return rows


def synthetic_email(author: str) -> str:
    """A stable made-up address per author name, for data that has names but no emails."""
    digest = hashlib.sha1(author.encode("utf-8")).hexdigest()[:12]
    return f"reader-{digest}@example.org"


@dataclass
class Confusion:
    """Spam-vs-legitimate counts: predicted spam (positive) against the true label."""

    true_positive: int = 0
    false_positive: int = 0
    true_negative: int = 0
    false_negative: int = 0

    def add(self, is_spam: bool, predicted_spam: bool) -> None:
        if is_spam and predicted_spam:
            self.true_positive += 1
        elif is_spam:
            self.false_negative += 1
        elif predicted_spam:
            self.false_positive += 1
        else:
            self.true_negative += 1

    @property
    def total(self) -> int:
        return self.true_positive + self.false_positive + self.true_negative + self.false_negative

    @property
    def precision(self) -> float:
        predicted = self.true_positive + self.false_positive
        return self.true_positive / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        actual = self.true_positive + self.false_negative
        return self.true_positive / actual if actual else 0.0

    @property
    def accuracy(self) -> float:
        return (self.true_positive + self.true_negative) / self.total if self.total else 0.0

    def table(self) -> str:
        """A small text confusion table."""
        return "\n".join([
            f"{'':>16}{'predicted spam':>16}{'predicted ham':>16}",
            f"{'actual spam':>16}{self.true_positive:>16}{self.false_negative:>16}",
            f"{'actual ham':>16}{self.false_positive:>16}{self.true_negative:>16}",
        ])


def count_labels(rows: Iterable[LabelledComment]) -> tuple[int, int]:
    """(spam, legitimate) counts of ``rows``."""
    spam = ham = 0
    for row in rows:
        spam += row.is_spam
        ham += not row.is_spam
    return spam, ham
