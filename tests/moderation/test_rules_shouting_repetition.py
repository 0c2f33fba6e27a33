from engage.moderation.pipeline import Action
from engage.moderation.rules.repetition import RepetitionRule
from engage.moderation.rules.shouting import ShoutingRule
from tests.moderation.builders import submission

shouting = ShoutingRule(0.7, 20)
repetition = RepetitionRule(10, 5)


def test_mostly_capitals_is_held():
    finding = shouting.check(submission(body="WHY DOES NOBODY LISTEN TO ME about this"), None)
    assert finding.action is Action.HOLD


def test_short_or_mixed_case_or_caseless_text_is_not_shouting():
    assert shouting.check(submission(body="OMG YES!!"), None) is None
    assert shouting.check(submission(body="The NASA and ESA data from the ISS is great"), None) \
        is None
    assert shouting.check(submission(body="这是一个非常好的评论，我很喜欢这篇文章的内容和观点"), None) is None


def test_one_character_repeated_is_held():
    finding = repetition.check(submission(body="nooooooooooooo way"), None)
    assert finding.action is Action.HOLD and finding.evidence == "o" * 13
    assert repetition.check(submission(body="well... okay!!!"), None) is None


def test_one_word_repeated_is_held_case_insensitively():
    finding = repetition.check(submission(body="spam Spam SPAM spam, spam! and more"), None)
    assert finding.action is Action.HOLD
    assert repetition.check(submission(body="the theory of the thesis, the end"), None) is None
    assert repetition.check(submission(body="very very very very good"), None) is None


def test_shouting_and_repetition_are_style_rules():
    from engage.moderation.pipeline import RuleKind

    assert shouting.kind is RuleKind.STYLE and repetition.kind is RuleKind.STYLE
