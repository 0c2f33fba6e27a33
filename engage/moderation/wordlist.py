"""Match a list of words and phrases on Unicode word boundaries, not as substrings.

"ass" never matches "class"; "free money" matches "FREE  money" and "free-money" (any run of
non-word characters between the words of a phrase); a trailing ``*`` matches any word ending
("viagr*" matches "viagra" and "viagras"). Matching is case-insensitive and runs on the NFKC
form of the text, so full-width and other compatibility letters cannot dodge it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable


def _pattern(entry: str) -> str:
    wildcard = entry.endswith("*")
    words = entry.rstrip("*").split()
    body = r"[\W_]+".join(re.escape(word) for word in words)
    return body + (r"\w*" if wildcard else "")


class WordMatcher:
    """Compiled once per word list; ``find`` is safe to call from many threads."""

    def __init__(self, entries: Iterable[str]):
        cleaned = sorted({unicodedata.normalize("NFKC", e).strip().lower()
                          for e in entries if e and e.strip().rstrip("*").strip()},
                         key=len, reverse=True)
        self.entries = tuple(cleaned)
        self._regex = (re.compile(r"(?<!\w)(?:" + "|".join(map(_pattern, cleaned)) + r")(?!\w)",
                                  re.IGNORECASE) if cleaned else None)

    def __bool__(self) -> bool:
        return self._regex is not None

    def find(self, text: str) -> list[str]:
        """The distinct matched words (lower case, in order of appearance)."""
        if self._regex is None or not text:
            return []
        normalized = unicodedata.normalize("NFKC", text)
        seen: dict[str, None] = {}
        for match in self._regex.finditer(normalized):
            seen.setdefault(match.group(0).lower(), None)
        return list(seen)
