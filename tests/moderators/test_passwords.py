"""Password hashes: werkzeug's scrypt for new ones, and the hashes engage stored before it
used werkzeug still verify (existing moderators must keep logging in)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.moderators.accounts import Moderator, authenticate, create_moderator
from engage.moderators.passwords import dummy_hash, hash_password, verify_password

# Made by engage's own scrypt code before werkzeug (scrypt$N$r$p$salt$key, url-safe base64).
LEGACY = "scrypt$32768$8$1$X7yWtdhnGcIXXWhEDPUexQ$knn69xoKewIlfkbzIMmOObm-MJsoNKvj3ZCmeeoWsjE"
LEGACY_PASSWORD = "correct horse battery staple"
LEGACY_UNICODE = ("scrypt$16384$8$1$PGu6CBAWtH8eM1H_3lQvIw$"
                  "vzBr8dvHWXDDzU8K3a72QVflPWRsNB1zlhMLmZNLZJE")


def test_a_hash_from_before_werkzeug_verifies_only_its_password():
    assert verify_password(LEGACY_PASSWORD, LEGACY)
    assert not verify_password(LEGACY_PASSWORD + "!", LEGACY)
    assert verify_password("ünïcødé pässwörd ✓", LEGACY_UNICODE)
    assert not verify_password("unicode passwort", LEGACY_UNICODE)


def test_a_moderator_with_a_hash_from_before_werkzeug_still_logs_in(db_session):
    create_moderator(db_session, "legacy", "a placeholder password")
    db_session.flush()
    moderator = db_session.scalar(select(Moderator).where(Moderator.name == "legacy"))
    moderator.password_hash = LEGACY
    db_session.commit()
    assert authenticate(db_session, "legacy", LEGACY_PASSWORD).name == "legacy"
    assert authenticate(db_session, "legacy", "a placeholder password") is None


def test_new_hashes_are_werkzeugs_scrypt_with_the_cost_asked_for():
    stored = hash_password("pw", n=2**14, r=8, p=1)
    method, salt, key = stored.split("$")
    assert method == "scrypt:16384:8:1" and salt and len(key) == 128
    assert verify_password("pw", stored) and not verify_password("pW", stored)


def test_the_dummy_hash_is_a_real_hash_that_no_guess_matches():
    assert dummy_hash() == dummy_hash()  # made once per process
    assert dummy_hash().startswith("scrypt:32768:8:1$")
    assert not verify_password("", dummy_hash())


@pytest.mark.parametrize("stored", [
    "", "not-a-hash", "$$", "scrypt$", "scrypt$x$8$1$salt$key", "scrypt$32768$8$1$a$b$c",
    "scrypt$32768$8$1$!!!$???", "scrypt$3$8$1$X7yWtdhnGcIXXWhEDPUexQ$knn69xoKewIlfkbzIMmO",
    "scrypt:32768:8$salt$key", "scrypt:x:8:1$salt$key", "md5$salt$key", "plain",
    "pbkdf2:sha256:0$salt$key", "scrypt:3:8:1$salt$key",
    "scrypt:" + "9" * 40 + ":8:1$salt$key",
])
def test_anything_that_is_not_a_valid_hash_is_false_and_never_raises(stored):
    assert verify_password("password", stored) is False


def test_a_password_that_cannot_be_encoded_is_false_not_an_error():
    assert verify_password("\ud800", LEGACY) is False
    assert verify_password("\ud800", hash_password("pw", n=2**14)) is False
