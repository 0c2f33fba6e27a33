"""Benchmark and baseline of the moderation pipeline over the TubeSpam comments.

Run from the repository root: ``.venv/bin/python bench/moderation.py``

1. Time per comment: the full default rule list (``rules.build_rules`` with the default
   settings, the real profanity matcher, an in-memory history), each of the 1,586 comments of the
   four TubeSpam files timed on its own, in-process; prints median, p90, p99 and max. Goal: the
   median under 1 ms.
2. Baseline for the spam filter: with default settings and no learning, how many spam comments
   end up spam or held, and how many legitimate comments are published (per file and in total),
   and which rule decided.

Comments are submitted as an API client would (no form token, so no too-fast check and no trust)
by first-time authors (empty history). Exit status 0 when the median meets the goal, 2 otherwise.
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script, bench/ would otherwise shadow the repository

from engage.config import DEFAULTS  # noqa: E402
from engage.moderation.settings.options import Blocklist, options_from_config  # noqa: E402
from engage.moderation.pipeline import Action, MemoryHistory, Submission, moderate  # noqa: E402
from engage.moderation.profanity_grades import matcher_for  # noqa: E402
from engage.moderation.rules import build_rules  # noqa: E402

TUBESPAM = Path(os.environ.get("ENGAGE_TUBESPAM_DIR", "/work/shared/data/tubespam"))
GOAL_MS = 1.0
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def load() -> list[tuple[str, bool, Submission]]:
    """(file, is_spam, submission) for every comment of the four files."""
    rows = []
    for path in sorted(TUBESPAM.glob("Youtube0*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                name = row["AUTHOR"] or "reader"
                email = "".join(ch if ch.isalnum() else "." for ch in name.lower()) + "@example.invalid"
                rows.append((path.stem, row["CLASS"] == "1", Submission(
                    article=f"/video/{path.stem}", body=row["CONTENT"], author_name=name,
                    author_email=email, now=NOW, ip_prefix="203.0.113.0/24")))
    return rows


def main() -> int:
    comments = load()
    options = options_from_config(DEFAULTS)
    # the profanity matcher of the default settings: the words graded abuse
    rules = build_rules(options, Blocklist(),
                        matcher_for(options.profanity_grades, options.profanity_hold_grade))
    history = MemoryHistory()
    for _, _, sub in comments:  # warm-up: regex caches, matcher tables
        moderate(sub, history, rules)

    timings, verdicts = [], []
    clock = time.perf_counter_ns
    for _, _, sub in comments:
        start = clock()
        verdict = moderate(sub, history, rules)
        timings.append((clock() - start) / 1e6)
        verdicts.append(verdict)
    timings_sorted = sorted(timings)
    median = statistics.median(timings)

    def pct(p):
        return timings_sorted[min(len(timings_sorted) - 1, int(p * len(timings_sorted)))]

    print(f"moderation pipeline, {len(comments)} TubeSpam comments, default settings, "
          f"{len(rules)} rules: {', '.join(str(r.name) for r in rules)}")
    print(f"  time per comment: median {median:.4f} ms   p90 {pct(0.90):.4f} ms   "
          f"p99 {pct(0.99):.4f} ms   max {timings_sorted[-1]:.4f} ms   "
          f"(goal: median < {GOAL_MS:g} ms)")

    print("\nbaseline (default settings, no learning, no form token, first-time authors)")
    print(f"  {'file':<22}{'spam':>6}{'→spam':>7}{'→held':>7}{'caught':>8}"
          f"{'legit':>7}{'→pub':>6}{'→held':>7}{'→spam':>7}{'published':>11}")
    totals: Counter = Counter()
    deciders: dict[bool, Counter] = {True: Counter(), False: Counter()}
    files = sorted({name for name, _, _ in comments})
    for name in files + ["all four"]:
        counts: Counter = Counter()
        for (file, is_spam, _), verdict in zip(comments, verdicts):
            if name != "all four" and file != name:
                continue
            outcome = verdict.action.value if verdict.action else "published"
            counts[(is_spam, outcome)] += 1
            if name == "all four" and verdict.action is not None:
                deciders[is_spam][str(verdict.findings[-1].rule)] += 1
        spam = sum(v for (s, _), v in counts.items() if s)
        legit = sum(v for (s, _), v in counts.items() if not s)
        caught = counts[(True, "spam")] + counts[(True, "hold")]
        print(f"  {name:<22}{spam:>6}{counts[(True, 'spam')]:>7}{counts[(True, 'hold')]:>7}"
              f"{caught / spam:>8.1%}{legit:>7}{counts[(False, 'published')]:>6}"
              f"{counts[(False, 'hold')]:>7}{counts[(False, 'spam')]:>7}"
              f"{counts[(False, 'published')] / legit:>11.1%}")
        totals = counts
    print("  deciding rule for spam comments:       "
          + ", ".join(f"{rule} {n}" for rule, n in deciders[True].most_common()))
    print("  deciding rule for legitimate comments: "
          + ", ".join(f"{rule} {n}" for rule, n in deciders[False].most_common()))
    assert totals  # the "all four" row was printed last
    return 0 if median < GOAL_MS else 2


if __name__ == "__main__":
    sys.exit(main())
