"""Settings in the database: defaults from config, overrides per field, a cache that follows
changes made by any process within its refresh interval."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from engage.db import db, engine_options
from engage.moderation.settings import store as settings
from engage.moderation.settings.options import BlockKind, ModerationMode
from tests.moderation.builders import NOW


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_defaults_come_from_the_app_config(app):
    options = settings.load_options(db.session, {**app.config, "MODERATION_LINKS_HOLD": 3,
                                                 "MODERATION_MODE": "first"})
    assert options.links_hold == 3 and options.mode is ModerationMode.FIRST


def test_stored_values_override_and_null_resets(app):
    settings.update_options(db.session, {"links_hold": 4, "moderation_words": ["idiot"]},
                            app.config, "alice", NOW)
    options = settings.load_options(db.session, app.config)
    assert options.links_hold == 4 and options.moderation_words == ("idiot",)
    settings.update_options(db.session, {"links_hold": None}, app.config, "alice", NOW)
    assert settings.load_options(db.session, app.config).links_hold == 2


def test_every_write_moves_the_revision(app):
    assert settings.read_revision(db.session) == 0
    settings.update_options(db.session, {"links_hold": 4}, app.config, None, NOW)
    entry, created = settings.add_blocked(db.session, BlockKind.WORD, "casino", None, NOW,
                                          app.config)
    assert created and settings.read_revision(db.session) == 2
    assert settings.add_blocked(db.session, BlockKind.WORD, "casino", None, NOW,
                                app.config) == (entry, False)
    settings.remove_blocked(db.session, entry, NOW, app.config)
    assert settings.read_revision(db.session) == 3


def test_another_process_sees_a_change_within_the_refresh_interval(app):
    """Two engines and two caches on one database stand for two server processes."""
    other_engine = create_engine(app.config["DATABASE_URL"],
                                 **engine_options(app.config["DATABASE_URL"]))
    clock = FakeClock()
    other_cache = settings.SettingsCache(refresh_seconds=1.0, clock=clock)
    with Session(other_engine) as other:
        assert other_cache.current(other, app.config).options.links_hold == 2
        other.rollback()

        settings.update_options(db.session, {"links_hold": 5}, app.config, None, NOW)
        settings.add_blocked(db.session, BlockKind.EMAIL, "x@spam.test", None, NOW, app.config)

        clock.now = 0.5    # within the interval: no query, the old snapshot
        assert other_cache.current(other, app.config).options.links_hold == 2
        clock.now = 1.0    # interval over: revision checked, snapshot rebuilt
        snapshot = other_cache.current(other, app.config)
        assert snapshot.options.links_hold == 5
        assert "x@spam.test" in snapshot.blocklist.emails
        assert any(str(rule.name) == "blocklist" for rule in snapshot.rules)
    other_engine.dispose()


def test_the_writing_process_applies_its_change_at_once(app):
    assert settings.current(db.session, app.config).options.links_hold == 2
    settings.update_options(db.session, {"links_hold": 7}, app.config, None, NOW)
    assert settings.current(db.session, app.config).options.links_hold == 7


def test_an_unchanged_revision_reuses_the_built_rules(app):
    clock = FakeClock()
    cache = settings.SettingsCache(refresh_seconds=1.0, clock=clock)
    first = cache.current(db.session, app.config)
    clock.now = 5
    assert cache.current(db.session, app.config) is first
