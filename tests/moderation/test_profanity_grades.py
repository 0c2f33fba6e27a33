"""Graded profanity: abuse holds, mild exclamations and ordinary words publish, and the
grading is data that moderators change through the settings API (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from engage.comments.models import Comment, CommentStatus
from engage.db import db
from engage.moderation.profanity_grades import graded_words, matcher_for, parse_grades, shipped_grades
from engage.moderation.settings.options import ModerationOptions, ProfanityGrade, ProfanityMode
from tests.factories import post_comment
from tests.moderation.builders import run, submission

SETTINGS = "/api/v1/moderation/settings"


def status_of(response) -> CommentStatus:
    return db.session.get(Comment, response.get_json()["comment"]["id"]).status


def test_every_entry_of_better_profanitys_list_has_exactly_one_grade():
    from better_profanity import Profanity

    listed = {str(word) for word in Profanity().CENSOR_WORDSET}
    assert set(shipped_grades()) == listed


@pytest.mark.parametrize("body", ["oh my god", "OMG this is great", "LMFAO - Party Rock Anthem",
                                  "lmfao!!!", "what the hell", "he was drunk", "holy shit"])
def test_exclamations_ordinary_words_and_the_bands_name_are_published(body):
    verdict = run(submission(body=body), ModerationOptions(), profanity=matcher_for())
    assert verdict.action is None and verdict.findings == ()


@pytest.mark.parametrize("body", ["she is an old whore", "you stupid b1tch",
                                  "a worthless wife beating bastard", "this jap is a gook"])
def test_abuse_is_held_with_better_profanitys_censoring_as_evidence(body):
    verdict = run(submission(body=body), ModerationOptions(), profanity=matcher_for())
    assert verdict.action.value == "hold"
    assert "****" in verdict.findings[-1].evidence


def test_a_site_may_hold_from_the_mild_grade_or_censor_instead():
    mild = matcher_for((), ProfanityGrade.MILD)
    assert run(submission(body="holy shit"), ModerationOptions(), profanity=mild).action.value \
        == "hold"
    censor = ModerationOptions(profanity=ProfanityMode.CENSOR)
    verdict = run(submission(body="omg what a bitch"), censor, profanity=matcher_for())
    assert verdict.action is None and verdict.rewritten_body == "omg what a ****"


def test_overrides_regrade_a_word_or_add_one():
    words = graded_words((("lmfao", "abuse"), ("bitch", "mild"), ("frak", "abuse")))
    assert {"lmfao", "frak"} <= set(words) and "bitch" not in words


def test_a_grading_without_any_word_left_matches_nothing():
    everything = tuple((word, "ordinary") for word in shipped_grades())
    assert matcher_for(everything, ProfanityGrade.ABUSE) is None


def test_a_word_outside_a_section_is_an_error():
    with pytest.raises(ValueError, match="line 1"):
        parse_grades(["stray", "[abuse]", "x"])
    assert parse_grades(["# note", "[mild]", "Darn  # comment"]) == {"darn": ProfanityGrade.MILD}


def test_moderators_regrade_words_through_the_settings_api(client, auth_headers):
    assert status_of(post_comment(client, body="LMFAO forever")) is CommentStatus.APPROVED
    response = client.patch(SETTINGS, json={"profanity_grades": {" LMFAO ": "abuse"}},
                            headers=auth_headers)
    assert response.status_code == 200
    assert response.get_json()["settings"]["profanity_grades"] == {"lmfao": "abuse"}
    assert status_of(post_comment(client, body="LMFAO again")) is CommentStatus.PENDING
    response = client.patch(SETTINGS, json={"profanity_hold_grade": "mild"}, headers=auth_headers)
    assert response.status_code == 200
    assert status_of(post_comment(client, body="this shit rocks")) is CommentStatus.PENDING


@pytest.mark.parametrize("patch", [{"profanity_grades": {"lmfao": "terrible"}},
                                   {"profanity_grades": ["lmfao"]},
                                   {"profanity_grades": {"  ": "abuse"}},
                                   {"profanity_hold_grade": "worst"}])
def test_bad_grades_are_a_422_naming_the_field(client, auth_headers, patch):
    response = client.patch(SETTINGS, json=patch, headers=auth_headers)
    assert response.status_code == 422
    assert next(iter(patch)) in response.get_json()["error"]["fields"]
