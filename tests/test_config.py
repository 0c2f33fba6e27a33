"""Settings: defaults, ENGAGE_* variables, overrides, and early failure on bad values."""

import pytest

from engage import create_app
from engage.config import DEFAULTS, load_config


def test_environment_variables_are_parsed_to_the_type_of_the_default(tmp_path):
    config = load_config({"INSTANCE_PATH": str(tmp_path)}, environ={
        "ENGAGE_FLOOD_SECONDS": "30", "ENGAGE_DEMO_ENABLED": "off",
        "ENGAGE_ALLOWED_ORIGINS": "https://a.example, https://b.example",
        "ENGAGE_VIEWS_FLUSH_SECONDS": "0.5"})
    assert config["FLOOD_SECONDS"] == 30
    assert config["DEMO_ENABLED"] is False
    assert config["ALLOWED_ORIGINS"] == ("https://a.example", "https://b.example")
    assert config["VIEWS_FLUSH_SECONDS"] == 0.5


def test_overrides_win_over_the_environment(tmp_path):
    config = load_config({"INSTANCE_PATH": str(tmp_path), "FLOOD_SECONDS": 5},
                         environ={"ENGAGE_FLOOD_SECONDS": "30"})
    assert config["FLOOD_SECONDS"] == 5


def test_a_bad_boolean_is_refused(tmp_path):
    with pytest.raises(ValueError):
        load_config({"INSTANCE_PATH": str(tmp_path)}, environ={"ENGAGE_DEMO_ENABLED": "maybe"})


def test_the_secret_is_generated_once_and_kept(tmp_path):
    first = load_config({"INSTANCE_PATH": str(tmp_path)}, environ={})["SECRET_KEY"]
    second = load_config({"INSTANCE_PATH": str(tmp_path)}, environ={})["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_bare_postgresql_urls_use_psycopg_3(tmp_path):
    config = load_config({"INSTANCE_PATH": str(tmp_path),
                          "DATABASE_URL": "postgresql://u@h/db"}, environ={})
    assert config["DATABASE_URL"] == "postgresql+psycopg://u@h/db"


def test_an_invalid_moderation_mode_fails_at_start(tmp_path):
    with pytest.raises(ValueError, match="moderation"):
        create_app({"INSTANCE_PATH": str(tmp_path), "MODERATION_MODE": "bogus"})


def test_the_readme_documents_every_setting():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    missing = [key for key in DEFAULTS if f"ENGAGE_{key}" not in readme]
    assert missing == [], f"README lacks ENGAGE_* settings: {missing}"


def test_shared_storage_without_a_shared_secret_is_warned_about(tmp_path):
    from engage.config import shared_secret_warning

    generated = load_config({"INSTANCE_PATH": str(tmp_path),
                             "DATABASE_URL": "postgresql://db/engage"}, environ={})
    assert "ENGAGE_SECRET_KEY" in shared_secret_warning(generated)
    given = load_config({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s" * 40,
                         "DATABASE_URL": "postgresql://db/engage"}, environ={})
    assert shared_secret_warning(given) is None
    embedded = load_config({"INSTANCE_PATH": str(tmp_path)}, environ={})
    assert shared_secret_warning(embedded) is None


def test_moderation_options_built_without_an_app_have_the_config_defaults():
    from engage.moderation.settings.options import ModerationOptions, options_from_config

    def typed(options):
        return [(name, type(value), value) for name, value in vars(options).items()]

    assert typed(ModerationOptions()) == typed(options_from_config(DEFAULTS))


def test_every_setting_reaches_the_app_config(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert [key for key in DEFAULTS if key not in app.config] == []
