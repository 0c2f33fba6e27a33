"""Labelled comments for the spam filter: reading TubeSpam-style CSV.

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


def count_labels(rows: Iterable[LabelledComment]) -> tuple[int, int]:
    """(spam, legitimate) counts of ``rows``."""
    spam = ham = 0
    for row in rows:
        spam += row.is_spam
        ham += not row.is_spam
    return spam, ham
