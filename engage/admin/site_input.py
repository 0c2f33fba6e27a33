"""What the sites API and ``engage site`` accept for a site, checked field by field.

``parse_site(data, creating)`` takes ``{"id"?, "name"?, "origins"?, "settings"?}`` and returns
the values to store, or raises ``ValidationFailed`` (422) naming every bad field: ``id`` (not a
slug), ``name``, ``origins`` (an entry that is no origin), ``settings.<field>`` (a setting the
moderation settings API would refuse). ``settings`` are overrides of the global moderation
settings: in a change, a field given as ``null`` loses its override.
"""

from __future__ import annotations

from typing import Any, Mapping

from marshmallow import ValidationError

from engage.errors import ValidationFailed
from engage.moderation.settings.schemas import SettingsPatchSchema
from engage.sites import MAX_SITE_NAME, normalize_origins, validate_site_id

_settings = SettingsPatchSchema()
_FIELDS = {"id", "name", "origins", "settings"}


def parse_site(data: object, creating: bool) -> dict[str, Any]:
    """See the module docstring. ``id`` is required when creating and refused otherwise."""
    if not isinstance(data, Mapping):
        raise ValidationFailed("Expected a JSON object.")
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for unknown in sorted(set(data) - _FIELDS):
        errors[str(unknown)] = ["Unknown field."]
    if creating:
        try:
            values["id"] = validate_site_id(data.get("id"))
        except ValueError as error:
            errors["id"] = [str(error)]
    elif "id" in data:
        errors["id"] = ["A site's id cannot change."]
    if "name" in data:
        name = data["name"]
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_SITE_NAME:
            errors["name"] = [f"A name is 1 to {MAX_SITE_NAME} characters."]
        else:
            values["name"] = name.strip()
    if "origins" in data:
        try:
            values["origins"] = normalize_origins(data["origins"])
        except ValueError as error:
            errors["origins"] = [str(error)]
    if "settings" in data:
        try:
            values["settings"] = _parse_settings(data["settings"])
        except ValidationError as error:
            errors.update({f"settings.{name}": _messages(messages)
                           for name, messages in _as_dict(error.messages).items()})
    if errors:
        raise ValidationFailed("Some fields are invalid.", fields=errors)
    return values


def _parse_settings(raw: object) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValidationError({"_": ["settings is an object of moderation settings."]})
    # The settings API's own schema: an override is valid exactly when a global value is.
    return _settings.load(dict(raw))


def _as_dict(messages) -> dict:
    return messages if isinstance(messages, dict) else {"_": messages}


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [str(item) for item in value.values()]
    return [str(item) for item in (value if isinstance(value, list) else [value])]
