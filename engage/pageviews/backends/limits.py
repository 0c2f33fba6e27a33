"""The per-network limits of the embedded backend, in bounded process memory.

- ``per_article``: at most this many counted views of one article per network and window.
  Windows are consecutive periods of ``window_ms`` (so over any stretch of one window length a
  network adds at most twice the limit).
- ``new_articles``: at most this many articles that do not exist yet may be brought in by one
  network per day (the network key is salted daily, so its count starts afresh each day).

Each worker process counts on its own (the Redis backend counts for every process at once), so
on an embedded instance with several workers one network can add up to the limit per worker.
The counts live in two insertion-ordered dicts of at most ``capacity`` entries; ``trim`` (run
by the flushing thread) drops the oldest tenth of a full one, so a network's count can be
forgotten early only after ``capacity`` newer counts, which a busy instance reaches in some
minutes. Counting takes no lock: two request threads counting the same network at once may
let one view more through, never fewer.
"""

from __future__ import annotations

import threading
from itertools import islice


class NetworkLimits:
    def __init__(self, per_article: int, new_articles: int, window_ms: int,
                 capacity: int = 100_000):
        self.per_article = max(0, int(per_article))
        self.new_articles = max(0, int(new_articles))
        self._window_ms = max(1, window_ms)
        self._capacity = capacity
        self._lock = threading.Lock()  # trimming only
        self._articles: dict[int, int] = {}  # hash(network, article, window number) → views
        self._new: dict[str, int] = {}  # network → articles it brought in today
        self.refused = 0  # views refused by a limit (for health; a lost increment is fine)

    def take(self, article: str, network: str, now_ms: int, known: bool) -> bool:
        """Count one view of ``article`` from ``network`` if no limit forbids it; False (and
        nothing counted) if one does. ``known``: the article exists (or is being counted)."""
        group = hash((network, article, now_ms // self._window_ms))
        views = self._articles.get(group, 0)
        if self.per_article and views >= self.per_article:
            self.refused += 1
            return False
        if not known and self.new_articles:
            brought = self._new.get(network, 0)
            if brought >= self.new_articles:
                self.refused += 1
                return False
            self._new[network] = brought + 1
        if self.per_article:
            self._articles[group] = views + 1
        return True

    def trim(self) -> None:
        for counts in (self._articles, self._new):
            excess = len(counts) - int(self._capacity * 0.9)
            if len(counts) <= self._capacity or excess <= 0:
                continue
            with self._lock:
                for key in list(islice(counts, excess)):  # one step: nobody adds meanwhile
                    counts.pop(key, None)

    def __len__(self) -> int:
        return len(self._articles) + len(self._new)
