"""The widget's message catalogs: complete, well-formed, and served with a language fallback."""

from __future__ import annotations

import json
import re

import pytest

from engage.widget import catalogs
from engage.widget.routes import asset_version

LANGS = sorted(catalogs.available())
REFERENCE = catalogs.load("en").messages
PLACEHOLDER = re.compile(r"\{(\*|\w+)\}")


def _texts(message) -> list[str]:
    return list(message.values()) if isinstance(message, dict) else [message]


def _placeholders(message) -> set[str]:
    found: set[str] = set()
    for text in _texts(message):
        found |= set(PLACEHOLDER.findall(text))
    return found


def test_there_are_at_least_twelve_languages_and_right_to_left_ones():
    assert len(LANGS) >= 12, LANGS
    assert {"ar", "he"} <= set(LANGS)
    assert catalogs.load("ar").dir == catalogs.load("he").dir == "rtl"


@pytest.mark.parametrize("lang", LANGS)
def test_every_catalog_has_every_key_of_the_english_one_and_no_other(lang):
    catalog = catalogs.load(lang)
    assert catalog.name.strip()
    assert catalog.dir in ("ltr", "rtl")
    missing = sorted(set(REFERENCE) - set(catalog.messages))
    extra = sorted(set(catalog.messages) - set(REFERENCE))
    assert missing == [] and extra == [], f"{lang}: missing {missing}, unknown {extra}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_text_with_the_english_placeholders(lang):
    for key, message in catalogs.load(lang).messages.items():
        english = REFERENCE[key]
        assert isinstance(message, dict) == isinstance(english, dict), f"{lang}.{key}: plural?"
        if isinstance(message, dict):
            assert "other" in message and set(message) <= catalogs.PLURAL_FORMS, f"{lang}.{key}"
        assert all(isinstance(text, str) and text.strip() for text in _texts(message)), key
        # {n} may be left out of a plural form that names its number ("One comment").
        wanted = _placeholders(english) - ({"n"} if isinstance(english, dict) else set())
        assert wanted <= _placeholders(message) <= _placeholders(english), f"{lang}.{key}"


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_catalogs_are_translated_not_copied(lang):
    same = [key for key, message in catalogs.load(lang).messages.items()
            if message == REFERENCE[key] and not PLACEHOLDER.fullmatch(str(message))]
    # A few words may be the same in a language ("Name", "Website" in German): not most.
    assert len(same) <= len(REFERENCE) // 10, f"{lang}: untranslated {same}"


@pytest.mark.parametrize("tag,served", [
    ("de", "de"), ("DE", "de"), ("de-AT", "de"), ("pt-BR", "pt"), ("zh-Hans-CN", "zh"),
    ("ar-EG", "ar"), ("xx", "en"), ("en-GB", "en"), ("tlh-latn", "en")])
def test_a_tag_gets_its_language_then_its_base_language_then_english(client, tag, served):
    response = client.get(f"/widget/i18n/{tag}.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Language"] == served
    document = response.get_json()
    assert document["lang"] == served
    assert document["dir"] == catalogs.load(served).dir
    assert set(document["messages"]) == set(REFERENCE)


def test_an_untranslated_key_falls_back_to_english(client, monkeypatch):
    german = catalogs.load("de")
    partial = {k: v for k, v in german.messages.items() if k != "retry"}
    monkeypatch.setitem(catalogs._catalogs, "de", catalogs.Catalog(
        "de", german.name, german.dir, partial, "partial", german.mtime_ns))
    messages = client.get("/widget/i18n/de.json").get_json()["messages"]
    assert messages["retry"] == REFERENCE["retry"]
    assert messages["post"] == german.messages["post"]


@pytest.mark.parametrize("path", [
    "/widget/i18n/..%2Fengage.json", "/widget/i18n/e.json", "/widget/i18n/" + "a" * 80 + ".json",
    "/widget/i18n/de.js", "/widget/i18n/d%C3%A9.json", "/widget/i18n/en-.json"])
def test_malformed_tags_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_catalogs_cache_like_the_other_assets(client):
    short = client.get("/widget/i18n/fr.json")
    assert short.headers["Cache-Control"] == "public, max-age=300"
    assert short.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get("/widget/i18n/fr.json", headers={"If-None-Match": short.headers["ETag"]})
    assert again.status_code == 304
    versioned = client.get(f"/widget/v{asset_version()}/i18n/fr.json")
    assert "immutable" in versioned.headers["Cache-Control"]
    assert versioned.data == short.data
    stale = client.get("/widget/v0000deadbeef/i18n/fr.json")
    assert stale.headers["Cache-Control"] == "public, max-age=300"


def test_the_asset_version_changes_when_a_catalog_changes(monkeypatch):
    before = asset_version()
    german = catalogs.load("de")
    monkeypatch.setitem(catalogs._catalogs, "de", catalogs.Catalog(
        "de", german.name, german.dir, german.messages, "changed", german.mtime_ns))
    assert asset_version() != before


def test_catalog_files_are_valid_json_objects_in_utf8():
    for lang, path in catalogs.available().items():
        document = json.loads(path.read_text(encoding="utf-8"))
        assert set(document) == {"name", "dir", "messages"}, lang
