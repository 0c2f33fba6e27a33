"""Thread page cursors: where the page before ended, in the order of the page's sort."""

from __future__ import annotations

from dataclasses import dataclass

MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Cursor:
    """The last comment's id, and its ``vote_rank`` for ``sort=best``. ``str`` is what the page's
    ``next`` shows and ``parse`` reads back."""

    id: int
    rank: int | None = None

    def __str__(self) -> str:
        return str(self.id) if self.rank is None else f"{self.rank}.{self.id}"


def parse(raw: str, sort: str) -> Cursor:
    """The cursor ``raw`` spells for ``sort``; ValueError when it is none."""
    parts = raw.split(".") if sort == "best" else [raw]
    if len(parts) != (2 if sort == "best" else 1) or not all(
            part.isascii() and part.isdigit() and len(part) <= 10 for part in parts):
        raise ValueError("Not a cursor of this sort: send the page's next.")
    numbers = [int(part) for part in parts]
    if numbers[-1] > MAX_ID:
        raise ValueError("Not a cursor of this sort: send the page's next.")
    return Cursor(numbers[1], numbers[0]) if sort == "best" else Cursor(numbers[0])
