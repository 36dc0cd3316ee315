"""The API's error bodies. Every error is JSON: {"detail": "…"} and, for invalid input (422), a list of
{"field": "answers.12", "message": "…"} naming each field that was refused."""

import re
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _


class ApiInputError(Exception):
    """Input that parsed but was refused: answered with 422 and one message per field."""

    status_code = 422

    def __init__(self, errors: Iterable[tuple[str, str]] | Mapping[str, str | list]):
        if isinstance(errors, Mapping):
            pairs = []
            for field, messages in errors.items():
                for message in messages if isinstance(messages, list | tuple) else [messages]:
                    pairs.append((field, str(message)))
            errors = pairs
        self.errors = [{"field": field, "message": str(message)} for field, message in errors]
        super().__init__(self.errors)


class ApiConflict(Exception):
    """The request cannot be carried out in the current state (409)."""

    status_code = 409

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(detail)


def validation_body(errors: list[dict]) -> dict:
    return {"detail": _("Some fields are not valid. See errors for each one."), "errors": errors}


# Pydantic's error types, reworded for people and translated; anything else keeps pydantic's message.
def _pydantic_message(error: dict) -> str:
    kind, context = error.get("type", ""), error.get("ctx") or {}
    messages = {
        "missing": _("This field is required."),
        "extra_forbidden": _("Unknown field."),
        "int_type": _("Give a whole number."),
        "int_parsing": _("Give a whole number."),
        "int_from_float": _("Give a whole number."),
        "string_type": _("Give a text."),
        "null_character": _("Remove the NUL character (\\u0000): texts cannot contain it."),
        "bool_type": _("Give true or false."),
        "bool_parsing": _("Give true or false."),
        "list_type": _("Give a list."),
        "dict_type": _("Give an object."),
        "model_type": _("Give an object."),
        "model_attributes_type": _("Give an object."),
        "datetime_type": _("Give a date and time in ISO 8601, e.g. 2025-03-01T09:30:00+09:00."),
        "datetime_parsing": _("Give a date and time in ISO 8601, e.g. 2025-03-01T09:30:00+09:00."),
        "datetime_from_date_parsing": _("Give a date and time in ISO 8601, e.g. 2025-03-01T09:30:00+09:00."),
        "date_parsing": _("Give a date as YYYY-MM-DD."),
        "date_from_datetime_parsing": _("Give a date as YYYY-MM-DD."),
        "date_type": _("Give a date as YYYY-MM-DD."),
    }
    if kind in messages:
        return messages[kind]
    if kind == "string_too_long":
        return _("Keep this under %(limit)s characters.") % {"limit": context.get("max_length")}
    if kind == "string_too_short":
        return _("This must not be empty.")
    if kind == "too_long":
        return _("Give at most %(limit)s items.") % {"limit": context.get("max_length")}
    bounds = {"greater_than": ("gt", _("Give a number greater than %(limit)s.")),
              "greater_than_equal": ("ge", _("Give a number of at least %(limit)s.")),
              "less_than": ("lt", _("Give a number less than %(limit)s.")),
              "less_than_equal": ("le", _("Give a number of at most %(limit)s."))}
    if kind in bounds:
        key, message = bounds[kind]
        return message % {"limit": context.get(key, "")}
    if kind == "literal_error":
        return _("Use one of: %(values)s.") % {"values": context.get("expected", "")}
    return str(error.get("msg", _("This value is not valid.")))


# How pydantic names the members of a union in an error's location ("answers", "12", "list[int]", 0).
UNION_MEMBER = re.compile(r"^(int|str|bool|float|none|date|datetime|constrained-\w+|"
                          r"(list|dict|tuple|set|is-instance|function-\w+)\[.*\]|function-\w+)$")


def _location(location: tuple | list) -> tuple[str, bool]:
    """("body", "payload", "answers", "12") → ("answers.12", False); ("query", "start") → ("start", False);
    a location inside a union member ("answers", "12", "int") → ("answers.12", True)."""
    # An empty key ({"": 1}) still gets a visible name.
    parts = [str(part) or '""' for part in location]
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        source, parts = parts[0], parts[1:]
        if source == "body" and parts:
            parts = parts[1:]  # the name of the function's body parameter, not a field of the request
    for index, part in enumerate(parts):
        if UNION_MEMBER.match(part):
            return ".".join(parts[:index]) or "body", True
    return ".".join(parts) or "body", False


def field_name(location: tuple | list) -> str:
    return _location(location)[0]


def pydantic_errors(errors: list[dict]) -> list[dict]:
    """Ninja's validation errors as [{"field", "message"}], one per field."""
    groups: dict[str, tuple[bool, list[dict]]] = {}
    for error in errors:
        field, in_union = _location(error.get("loc", ()))
        groups.setdefault(field, (in_union, []))[1].append(error)
    result = []
    # A union reports every member's failure: one message per field is enough, the most telling one.
    for field, (in_union, group) in groups.items():
        too_long = [error for error in group if error.get("type") == "string_too_long"]
        if too_long:
            message = _pydantic_message(too_long[0])
        elif in_union:
            message = (_("Give a whole number, a text, or a list of whole numbers (choice ids).")
                       if field.startswith("answers.") else _("This value has the wrong type."))
        else:
            message = _pydantic_message(group[0])
        result.append({"field": field, "message": message})
    return result
