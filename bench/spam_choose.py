"""How the spam filter's trainer, features and starter blend were chosen: inner folds only.

For each outer fold of the leave-one-video-out benchmark (the held-out video is never read
here), the three training videos are split once more: train on two, score the third. Each
candidate is judged on these inner scores alone, by the two operating points that the goals
name: ``R@1%`` (share of spam scored above every legitimate comment but the top 1 %: marked
spam) and ``P@98`` (share of legitimate comments scored below the 2 % lowest spam: published
while 98 % of spam is still caught). One column per outer fold (named by the video it holds
out), then the mean.

Sections (``--only NAME`` runs one):
- ``trainer``: the pure-Python SGD (model.train) against numpy mini-batches (trainer.fit);
- ``features``: with and without the ``promo:`` pattern tokens, and with a "same text was
  posted before" token (near-duplicates across authors);
- ``blend``: a starter trained on two inner videos meets a site that decided the first K
  comments of the third; scored on the rest of it: starter alone, site model alone
  (replace), and logit blends n / (n + B).
- ``pipeline``: every rule at its default, in-process (``bench/spam_pipeline.py``), on the
  inner folds: train on two training videos (thresholds chosen one level further in, on
  those two alone, by the rule ``bench/spam_eval.py`` uses), judge the third; both starting
  points, for each ``CLASSIFIER_CLEAR_SHARE`` candidate (how sure the filter must be that a
  comment is legitimate before shouting and repetition stop holding it), each
  ``CLASSIFIER_DUPLICATE_SIMILARITY`` (near-duplicates of decided spam) and each
  ``CLASSIFIER_STARTER_BLEND_EXAMPLES`` (``--match TEXT`` keeps the candidates whose label has TEXT);
- ``margins``: the site band's margins (``choose_thresholds``), see ``section_margins``.

Run: ``.venv/bin/python bench/spam_choose.py [--data DIR] [--only trainer|features|blend|pipeline|margins] [--match TEXT]``
"""

from __future__ import annotations

import argparse
import bisect
import re
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from engage.spamfilter import features as features_module  # noqa: E402
from engage.spamfilter.model import Example, train  # noqa: E402
from engage.spamfilter.starter import blend  # noqa: E402
from engage.spamfilter.trainer import FitParams, fit  # noqa: E402
from engage.spamfilter.training_data import read_labelled_csv, synthetic_email  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "tubespam"


def operating_points(pairs) -> tuple[float, float]:
    ham = sorted(score for score, is_spam in pairs if not is_spam)
    spam = sorted(score for score, is_spam in pairs if is_spam)
    spam_line = ham[len(ham) - 1 - int(0.01 * len(ham))]
    hold_line = spam[int(0.02 * len(spam))]
    return (sum(s > spam_line for s in spam) / len(spam),
            sum(s < hold_line for s in ham) / len(ham))


def report(name: str, per_fold: dict[str, tuple[float, float]]) -> None:
    cells = "  ".join(f"{fold[:5]:>5} {r:.3f}/{p:.3f}" for fold, (r, p) in per_fold.items())
    mean_r = sum(r for r, _ in per_fold.values()) / len(per_fold)
    mean_p = sum(p for _, p in per_fold.values()) / len(per_fold)
    print(f"{name:<28} {cells}   mean R@1% {mean_r:.3f}  P@98 {mean_p:.3f}", flush=True)


def encode(videos, tokens_of) -> dict[str, list[Example]]:
    return {name: [Example(tokens_of(row), row.is_spam) for row in rows]
            for name, rows in videos.items()}


def inner_scores(encoded, trainer) -> dict[str, tuple[float, float]]:
    """Per outer fold: the operating points of its pooled inner-fold scores."""
    result = {}
    for outer in encoded:
        training = [name for name in encoded if name != outer]
        pairs = []
        for inner in training:
            model = trainer([e for name in training if name != inner for e in encoded[name]])
            pairs += [(model.score(e.tokens).value, e.is_spam) for e in encoded[inner]]
        result[outer] = operating_points(pairs)
    return result


def site_tokens(row):
    return features_module.features(row.content, row.author, synthetic_email(row.author))


def section_trainer(videos) -> None:
    encoded = encode(videos, site_tokens)
    candidates = [("model.train (pure Python)", train)] + [
        (f"trainer.fit decay {decay:g}", lambda examples, decay=decay: fit(
            examples, FitParams(decay=decay))) for decay in (1e-4, 5e-4, 1e-3, 2e-3, 1e-2)]
    for name, trainer in candidates:
        started = time.perf_counter()
        report(name, inner_scores(encoded, trainer))
        print(f"{'':<28} ({time.perf_counter() - started:.1f} s for 12 trainings)")


def section_features(videos) -> None:
    from engage.spamfilter import promotion

    report("with promo: tokens", inner_scores(encode(videos, site_tokens), fit))
    original = features_module.promotion_tokens
    first = {token for token in promotion.PATTERNS if token not in ISSUE_21_PATTERNS}
    features_module.promotion_tokens = lambda text: original(text) & first
    try:
        report("without issue 21's patterns", inner_scores(encode(videos, site_tokens), fit))
    finally:
        features_module.promotion_tokens = original
    features_module.promotion_tokens = lambda text: set()
    try:
        report("without promo: tokens", inner_scores(encode(videos, site_tokens), fit))
    finally:
        features_module.promotion_tokens = original
    report("with a same-text-before token", _duplicates(videos))


ISSUE_21_PATTERNS = ("promo:likecomment", "promo:subscribers", "promo:visit", "promo:handle",
                     "promo:share", "promo:f4f", "promo:ytvideo", "promo:phone", "promo:domain",
                     "promo:newrelease")


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _duplicates(videos) -> dict[str, tuple[float, float]]:
    """A ``dup:seen`` token when the same text (20+ characters) was posted earlier on the site
    (training videos first, then the scored one, each in file order)."""
    base = encode(videos, site_tokens)
    result = {}
    for outer in videos:
        training = [name for name in videos if name != outer]
        pairs = []
        for inner in training:
            seen, examples = set(), []
            for name in (n for n in training if n != inner):
                examples += [_mark(row, e, seen) for row, e in zip(videos[name], base[name])]
            model = fit(examples)
            pairs += [(model.score(_mark(row, e, seen).tokens).value, row.is_spam)
                      for row, e in zip(videos[inner], base[inner])]
        result[outer] = operating_points(pairs)
    return result


def _mark(row, example, seen) -> Example:
    text = _normal(row.content)
    again = len(text) >= 20 and text in seen
    seen.add(text)
    return Example(example.tokens | {"dup:seen"} if again else example.tokens, example.is_spam)


def section_blend(videos, decided=(100, 200)) -> None:
    starter_encoded = encode(videos, lambda row: features_module.features(row.content, row.author))
    site_encoded = encode(videos, site_tokens)
    policies = [("starter alone", None), ("site model alone (replace)", 0),
                ("blend B=100", 100), ("blend B=300", 300), ("blend B=1000", 1000)]
    for k in decided:
        results = {name: {} for name, _ in policies}
        for outer in videos:
            training = [name for name in videos if name != outer]
            pairs = {name: [] for name, _ in policies}
            for inner in training:
                starter = fit([e for n in training if n != inner for e in starter_encoded[n]])
                site = fit(site_encoded[inner][:k])
                rest = site_encoded[inner][k:]
                for name, b in policies:
                    model = starter if b is None else blend(site, starter, True, b)
                    pairs[name] += [(model.score(e.tokens).value, e.is_spam) for e in rest]
            for name, _ in policies:
                results[name][outer] = operating_points(pairs[name])
        print(f"site decided the first {k} comments of the inner video:")
        for name, _ in policies:
            report("  " + name, results[name])


# (label, ClassifierSettings changes): the clear share (near-duplicates off), then the
# near-duplicate similarity at the chosen share, then the starter blend at both
PIPELINE_CANDIDATES = [(f"clear {share:g}", {"clear_share": share, "duplicate_similarity": 0})
                       for share in (0.0, 0.25, 0.5, 0.75, 1.0)] + [
    (f"clear 0.5 dup {least:g}", {"clear_share": 0.5, "duplicate_similarity": least})
    for least in (0.4, 0.5, 0.6, 0.7, 0.8)] + [
    (f"clear 0.5 dup 0.6 B={b}", {"clear_share": 0.5, "duplicate_similarity": 0.6,
                                  "starter_blend_examples": b})
    for b in (0, 100, 1000, 3000)] + [
    (f"dup 0.6, clear {share:g}", {"clear_share": share, "duplicate_similarity": 0.6})
    for share in (0.5, 0.75, 1.0)]


def section_pipeline(videos, match: str = "") -> None:
    import importlib.util

    from engage.spamfilter.evaluation import Outcome
    from engage.spamfilter.starter import train_starter

    def load(name):
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module

    bench_eval, pipeline = load("spam_eval"), load("spam_pipeline")
    totals = {(decided, label): Outcome() for decided in (False, True)
              for label, _ in PIPELINE_CANDIDATES if match in label}
    changes = dict(PIPELINE_CANDIDATES)
    for outer in videos:
        training = {name: rows for name, rows in videos.items() if name != outer}
        for inner, test in training.items():
            inner_training = {name: rows for name, rows in training.items() if name != inner}
            site_band = bench_eval.fold_thresholds(inner_training, None)
            starter_band = bench_eval.starter_thresholds(inner_training, None)
            starter = train_starter([row for rows in inner_training.values() for row in rows])
            site = pipeline.site_model_for(inner_training)
            for (decided, label), total in totals.items():
                if not decided and "blend" in label:
                    continue  # a fresh install has no site model to blend
                outcome, _ = pipeline.run_fold(inner_training, test, decided, site_band,
                                               starter_band, site_model=site, starter=starter,
                                               **changes[label])
                total.merge(outcome)
    for (decided, label), total in totals.items():
        if total.spam + total.ham:
            start = "after" if decided else "fresh"
            print(f"{start} {label:<22}" + total.line("")[12:], flush=True)


# (label, site max_false_spam, site min_caught, inner scores "site" or "blend")
MARGIN_CANDIDATES = [(f"{source} fp {fp:g} caught {caught:g}", fp, caught, source)
                     for source in ("site", "blend")
                     for fp in (0.005, 0.0075, 0.01)
                     for caught in (0.97, 0.975, 0.98, 0.985)]


def section_margins(videos) -> None:
    """The site band's margins after decisions: for each inner fold (train on two training
    videos, judge the third) the band comes from scores one level further in (each of the two
    scored by a model of the other), by ``choose_thresholds`` with the candidate margins, from
    the site model's scores or from the blend's (as the app scores); every rule at its
    default. Pooled over the twelve inner folds, and the worst outer fold's caught share."""
    bench_eval, pipeline = _load("spam_eval"), _load("spam_pipeline")
    from engage.spamfilter.evaluation import Outcome
    from engage.spamfilter.starter import train_starter

    totals = {label: Outcome() for label, *_ in MARGIN_CANDIDATES}
    per_outer = {label: {} for label, *_ in MARGIN_CANDIDATES}
    for outer in videos:
        training = {name: rows for name, rows in videos.items() if name != outer}
        for inner, test in training.items():
            inner_training = {name: rows for name, rows in training.items() if name != inner}
            scores = {"site": bench_eval.site_inner_scores(inner_training),
                      "blend": bench_eval.blended_inner_scores(inner_training)}
            starter_band = bench_eval.starter_thresholds(inner_training, None)
            starter = train_starter([row for rows in inner_training.values() for row in rows])
            site = pipeline.site_model_for(inner_training)
            for label, fp, caught, source in MARGIN_CANDIDATES:
                band = bench_eval.fold_thresholds(inner_training, None, fp, caught,
                                                  scores=scores[source])
                outcome, _ = pipeline.run_fold(inner_training, test, True, band, starter_band,
                                               site_model=site, starter=starter)
                totals[label].merge(outcome)
                per_outer[label].setdefault(outer, Outcome()).merge(outcome)
    for label, *_ in MARGIN_CANDIDATES:
        worst = min(o.spam_caught / o.spam for o in per_outer[label].values())
        worst_fp = max(o.ham_marked / o.ham for o in per_outer[label].values())
        print(f"after {label:<28}" + totals[label].line("")[12:]
              + f"  worst outer: caught {100 * worst:.2f}% legit→spam {100 * worst_fp:.2f}%",
              flush=True)


def _load(name):
    import importlib.util

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", choices=("trainer", "features", "blend", "pipeline", "margins"))
    parser.add_argument("--match", default="", help="pipeline: only the candidates whose label "
                                                   "contains this")
    args = parser.parse_args(argv)
    files = sorted(args.data.glob("*.csv"))
    if not files:
        raise SystemExit(f"no CSV files in {args.data}")
    videos = {path.stem.split("-")[-1]: read_labelled_csv(path) for path in files}
    print("cells: outer fold (its held-out video is not used)  R@1% / P@98 of the inner folds")
    for name, section in (("trainer", section_trainer), ("features", section_features),
                          ("blend", section_blend), ("pipeline", section_pipeline),
                          ("margins", section_margins)):
        if args.only in (None, name):
            print(f"--- {name}")
            section(videos, args.match) if name == "pipeline" else section(videos)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
