"""Benchmark: the spam filter's training at scale (issue 21: 50,000 stored decisions).

Stores N labelled examples (TubeSpam comments, each made distinct) in an empty database, then
times, through the app's own ``ClassifierCache`` and ``model_store``:
1. the first training (every example tokenised, trained, weights stored): what a process pays
   once, in its background refresh thread, never on a request;
2. a retrain after one more decision (tokens remembered: only the new example is tokenised);
3. a restarted process picking the stored model up (no training).
Wall-clock seconds on this machine, which other engineers share; CPU seconds beside them.

Run: ``.venv/bin/python bench/spam_scale.py [--examples 50000] [--database-url URL]``
(default: a temporary SQLite file; a URL must name an empty, migratable database)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from engage.spamfilter.training_data import LabelledComment, read_labelled_csv  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "tubespam"


def timed(label: str, function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    print(f"{label:<58} {time.perf_counter() - wall:6.2f} s  (CPU {time.process_time() - cpu:.2f} s)",
          flush=True)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=50_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    source = [row for path in sorted(args.data.glob("*.csv")) for row in read_labelled_csv(path)]
    if not source:
        raise SystemExit(f"no CSV files in {args.data}")
    rows = [LabelledComment(f"{row.content} ({n})", row.is_spam, row.author)
            for n, row in ((n, source[n % len(source)]) for n in range(args.examples))]

    from engage import create_app
    from engage.cli import upgrade_schema
    from engage.db import db
    from engage.spamfilter.cache import ClassifierCache
    from engage.spamfilter.store import add_labelled

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "INSTANCE_PATH": tmp,
                          "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/scale.sqlite3"})
        with app.app_context():
            upgrade_schema()
            add_labelled(db.session, rows)
            db.session.commit()
            print(f"{args.examples} examples on {db.engine.dialect.name}")
            process = ClassifierCache(db.engine, refresh_seconds=3600, max_examples=args.examples)
            model = timed("first training (tokenise all, train, store)", process.refresh_now)
            print(f"  model: {len(model.weights)} weights")
            add_labelled(db.session, [LabelledComment("check out my channel", True, "x")])
            db.session.commit()
            timed("retrain after one more decision (tokens remembered)", process.refresh_now)
            restarted = ClassifierCache(db.engine, refresh_seconds=3600,
                                        max_examples=args.examples + 1)
            timed("a restarted process loads the stored model", restarted.refresh_now)
            db.session.remove()
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
