"""Benchmark: ProfanityMatcher against better-profanity 0.7.0, measured in the same run.

Run from the repository root: ``.venv/bin/python bench/profanity.py``

For (a) every TubeSpam comment and (b) a seeded 5,000-word text with profanity mixed in, it prints
the time per ``censor()`` call of both and their ratio (goal: at least 100x), and checks that every
output is identical. Exit status: 0 when identical and the goal is met, 1 when any output differs,
2 when outputs agree but a ratio is below the goal.
"""

from __future__ import annotations

import csv
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script, bench/ would otherwise shadow the repository

from better_profanity import Profanity  # noqa: E402

from engage.moderation.profanity import ProfanityMatcher  # noqa: E402

TUBESPAM = Path("/work/shared/data/tubespam")
GOAL = 100.0
SEED = 20240501
ORDINARY = (
    "the a an and or but so I you he she we they it is was are be have has this that what "
    "song video love like really great best ever music watch views check my channel please "
    "subscribe thanks good nice amazing people world time year never always more most class "
    "assess bass pass glass hello ha lol wow omg dance party rock shuffle"
).split()
SEPARATORS = [" "] * 12 + [", ", ". ", "! ", "?? ", " - ", "\n", " :) ", "... "]


def tubespam_comments() -> list[str]:
    """CONTENT of every row of the four TubeSpam files, read with the csv module."""
    comments = []
    for path in sorted(TUBESPAM.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            comments.extend(row["CONTENT"] for row in csv.DictReader(handle))
    return comments


def long_text(profanity: Profanity, words: int = 5000) -> str:
    """A deterministic text of ``words`` words; ~3 % are list entries, some in leetspeak."""
    rng = random.Random(SEED)
    entries = sorted(str(entry) for entry in profanity.CENSOR_WORDSET)
    parts = []
    for _ in range(words):
        if rng.random() < 0.03:
            word = "".join(rng.choice(profanity.CHARS_MAPPING.get(ch, (ch,)))
                           for ch in rng.choice(entries))
        else:
            word = rng.choice(ORDINARY)
        parts.append((word.capitalize() if rng.random() < 0.1 else word) + rng.choice(SEPARATORS))
    return "".join(parts)


def timed(censor: Callable[[str], str], texts: Sequence[str], rounds: int) -> tuple[float, list]:
    """Median over ``rounds`` passes of the time of one ``censor`` call, and the last outputs."""
    passes = []
    for _ in range(rounds):
        start = time.perf_counter()
        outputs = [censor(text) for text in texts]
        passes.append((time.perf_counter() - start) / len(texts))
    return statistics.median(passes), outputs


def compare(name: str, texts: Sequence[str], reference: Profanity, matcher: ProfanityMatcher,
            reference_rounds: int, matcher_rounds: int) -> tuple[bool, float]:
    """Print both times per call, their ratio and whether every output is identical."""
    slow, expected = timed(reference.censor, texts, reference_rounds)
    fast, actual = timed(matcher.censor, texts, matcher_rounds)
    differing = sum(got != want for got, want in zip(actual, expected))
    censored = sum(text != want for text, want in zip(texts, expected))
    print(f"\n{name}: {len(texts)} text(s), {censored} changed by better-profanity")
    print(f"  better-profanity  {slow * 1e3:12.3f} ms/call  (median of {reference_rounds} pass)")
    print(f"  ProfanityMatcher  {fast * 1e3:12.3f} ms/call  (median of {matcher_rounds} passes)")
    print(f"  ratio             {slow / fast:12.1f} x   (goal >= {GOAL:.0f}x)")
    print(f"  identical output  {'yes' if not differing else f'NO, {differing} differ'}")
    return differing == 0, slow / fast


def main() -> int:
    start = time.perf_counter()
    reference = Profanity()
    matcher = ProfanityMatcher.from_profanity(reference)
    print(f"better-profanity {sys.modules['better_profanity'].__version__}; "
          f"ProfanityMatcher built in {(time.perf_counter() - start) * 1e3:.1f} ms "
          "(includes better-profanity's own Profanity())")
    text = long_text(reference, words=5000)
    results = [
        compare("(a) TubeSpam comments", tubespam_comments(), reference, matcher, 1, 20),
        compare(f"(b) 5,000-word text ({len(text):,} characters, seed {SEED})", [text],
                reference, matcher, 1, 50),
    ]
    identical = all(same for same, _ in results)
    goal_met = all(ratio >= GOAL for _, ratio in results)
    print(f"\nverdict: output {'identical' if identical else 'DIFFERS'}; "
          f"goal {'met' if goal_met else 'NOT met'} "
          f"({', '.join(f'{ratio:.0f}x' for _, ratio in results)})")
    return 0 if identical and goal_met else 1 if not identical else 2


if __name__ == "__main__":
    sys.exit(main())
