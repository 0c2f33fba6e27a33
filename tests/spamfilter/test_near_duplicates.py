"""Near-duplicates of decided spam (issue 21): sketches, similarity, the memory, the rule."""

from engage.moderation.pipeline import Action, MemoryHistory
from engage.spamfilter.features import features
from engage.spamfilter.model import Example, LinearModel
from engage.spamfilter.near_duplicates import MIN_SHINGLES, SpamMemory, similarity, sketch
from engage.spamfilter.trainer import FitParams, fit
from engage.spamfilter.weights import decode_model, encode_model
from engage.spamfilter.rule import ClassifierRule, ClassifierSettings
from tests.moderation.builders import submission

CAMPAIGN = ("Hey everyone, my cousin makes amazing beats and nobody knows him yet, "
            "search Kollektivet Beatworks and leave him some love")
EDITED = ("hey everybody my cousin makes amazing beats and nobody knows him yet!! "
          "search Kollektivet Beatworks and leave some love")
UNRELATED = "The minister's answer about the budget left out the hospital waiting lists entirely"


def tokens(text):
    return features(text, "Someone")


def test_an_edited_copy_is_similar_and_an_unrelated_comment_is_not():
    original, copy, other = (sketch(tokens(t)) for t in (CAMPAIGN, EDITED, UNRELATED))
    assert similarity(original, original) == 1.0
    assert similarity(original, copy) >= 0.6
    assert similarity(original, other) < 0.2


def test_short_comments_have_no_sketch():
    assert sketch(tokens("subscribe")) == ()
    assert len({t for t in tokens(CAMPAIGN) if t.startswith("c:")}) >= MIN_SHINGLES


def test_the_memory_finds_the_closest_remembered_spam():
    memory = SpamMemory([sketch(tokens(UNRELATED)), sketch(tokens(CAMPAIGN))])
    found, where = memory.closest(sketch(tokens(EDITED)))
    assert where == 1 and found >= 0.6
    assert SpamMemory([]).closest(sketch(tokens(EDITED))) == (0.0, -1)
    assert memory.closest(()) == (0.0, -1)


def corpus():
    spam = [CAMPAIGN, "subscribe to my channel for free money", "check out my channel please"]
    ham = [UNRELATED, "I agree with the article about the new bridge", "Great reporting, thanks"]
    return [Example(tokens(t), True) for t in spam] + [Example(tokens(t), False) for t in ham]


def test_training_keeps_the_newest_spam_sketches_and_they_survive_storage():
    model = fit(corpus())
    assert sketch(tokens(CAMPAIGN)) in model.spam_sketches
    assert all(values for values in model.spam_sketches)  # short spam has none
    assert decode_model(encode_model(model)).spam_sketches == model.spam_sketches
    assert fit(corpus(), FitParams(memory=0)).spam_sketches == []
    # a model stored before near-duplicates decodes with an empty memory
    assert decode_model(encode_model(LinearModel({" bias": 0.0}, 1, 1))).spam_sketches == []


def rule(model, **settings):
    class Fixed:
        def model(self):
            return model
    defaults = {"spam_threshold": 0.99, "hold_threshold": 0.2, "min_spam": 1, "min_ham": 1,
                "starter_enabled": False, "duplicate_similarity": 0.6}
    return ClassifierRule(Fixed(), ClassifierSettings(**{**defaults, **settings}))


def test_a_copy_of_decided_spam_is_spam_even_when_its_score_is_uncertain():
    # weights that know nothing: every score is 0.5, so only the memory can decide
    model = LinearModel({" bias": 0.0}, 3, 3, [sketch(tokens(CAMPAIGN))])
    finding = rule(model).check(submission(body=EDITED), MemoryHistory())
    assert finding.action is Action.SPAM
    assert finding.evidence["near_duplicate_of_spam"] >= 0.6
    assert "near-duplicate" in finding.reason
    held = rule(model).check(submission(body=UNRELATED), MemoryHistory())
    assert held.action is Action.HOLD and "near_duplicate_of_spam" not in held.evidence
    off = rule(model, duplicate_similarity=0).check(submission(body=EDITED), MemoryHistory())
    assert off.action is Action.HOLD


def test_the_app_trainer_keeps_sketches_too():
    # RowTrainer is what every process's cache trains with (tokens remembered between runs)
    from engage.spamfilter.model_store import RowTrainer

    rows = [(1, True, CAMPAIGN, "Promo", None, None, None, None),
            (2, False, UNRELATED, "Reader", None, None, None, None)]
    model = RowTrainer()(rows)
    assert model.spam_sketches == [sketch(features(CAMPAIGN, "Promo"))]


def _reference_similarity(a, b):
    """The first implementation (issue 21), kept to check the faster one against (issue 22)."""
    import heapq
    if not a or not b:
        return 0.0
    union = heapq.nsmallest(24, set(a) | set(b))
    both = set(a) & set(b)
    return sum(value in both for value in union) / len(union)


def _reference_closest(sketches, values):
    from engage.spamfilter.near_duplicates import MAX_CANDIDATES
    index = {}
    for position, sketch_values in enumerate(sketches):
        for value in sketch_values:
            index.setdefault(value, []).append(position)
    candidates = {}
    for value in values:
        for position in index.get(value, ()):
            candidates[position] = None
            if len(candidates) >= MAX_CANDIDATES:
                break
        if len(candidates) >= MAX_CANDIDATES:
            break
    best, where = 0.0, -1
    for position in candidates:
        found = _reference_similarity(values, sketches[position])
        if found > best:
            best, where = found, position
    return best, where


def test_the_pruned_lookup_gives_the_answers_of_the_full_comparison():
    """Same similarity and same position as comparing every candidate, on overlapping random
    sketches of every length (a small value range makes many partial overlaps and ties)."""
    import random
    draw = random.Random(22)
    def random_sketch():
        return tuple(sorted(draw.sample(range(200), draw.randint(MIN_SHINGLES, 24))))
    remembered = [random_sketch() for _ in range(600)]  # > MAX_CANDIDATES: the cap is met
    memory = SpamMemory(remembered)
    for _ in range(300):
        values = random_sketch()
        expected = _reference_closest(remembered, values)
        assert memory.closest(values) == expected
        for least in (0.2, 0.6):
            assert memory.closest(values, least) == (expected if expected[0] >= least
                                                     else (0.0, -1))
        other = draw.choice(remembered)
        assert similarity(values, other) == _reference_similarity(values, other)
    texts = [CAMPAIGN, EDITED, UNRELATED]
    real = [sketch(tokens(t)) for t in texts]
    for values in real:
        assert SpamMemory(real).closest(values) == _reference_closest(real, values)
        assert SpamMemory(real).closest(values, 0.6) == _reference_closest(real, values)
    few = remembered[:300]  # fewer candidates than the cap: the uncapped count
    for _ in range(100):
        values = random_sketch()
        assert SpamMemory(few).closest(values) == _reference_closest(few, values)
