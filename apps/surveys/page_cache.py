"""What the public survey page would otherwise rebuild on every visit: the survey's questions with
their choices, and the rendered HTML of the empty form and of the thank-you page.

Kept in each web process's memory, not in Redis: a hit must cost less than the round trip it saves.
Every key carries the survey's revision (bumped in the same transaction as any change to a question or
a choice, see signals.py) and the displayed fields of the survey and its workspace as loaded by the
request, so a page is never served from before an edit. The per-visit parts (the signed form token)
are put into the cached HTML by the view.
"""

import json
from collections import OrderedDict
from collections.abc import Callable
from threading import Lock

from django.db.models import F

MAX_ENTRIES = 512
# Stands in for the form token in a cached form page; the view swaps in each visit's own token.
FORM_TOKEN_SLOT = "cxm-form-token-slot-7d1f"  # noqa: S105 (a marker, not a secret)

_entries: OrderedDict = OrderedDict()
_lock = Lock()


def _get(key: tuple, build: Callable):
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]
    value = build()
    with _lock:
        _entries[key] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()


def _fields(instance) -> str:
    return json.dumps([getattr(instance, field.attname) for field in instance._meta.concrete_fields],
                      default=str, sort_keys=True)


def survey_key(survey) -> tuple:
    """Everything a cached piece of this survey depends on that the request has already loaded: every
    field of the survey row (texts, translations, settings) and of its workspace (name, brand colour,
    logo), beside the revision that stands for its questions and choices. Kept on the instance: a survey
    is not changed once the public page has loaded it (link_lookup.py shares it between requests)."""
    key = survey.__dict__.get("_page_cache_key")
    if key is None:
        key = survey._page_cache_key = (survey.pk, survey.revision, _fields(survey), _fields(survey.workspace))
    return key


def questions(survey, load: Callable[[], list]) -> list:
    """The survey's questions, shared by the requests of this process: callers must not change them."""
    return _get(("questions", survey.pk, survey.revision), load)


def page(survey, kind: str, extra: tuple, render: Callable[[], bytes]) -> bytes:
    return _get(("page", kind, *survey_key(survey), *extra), render)


def survey_revise(survey_id: int | None) -> None:
    """Invalidate the cached pieces of a survey, inside the caller's transaction."""
    from . import link_lookup
    from .models import Survey

    if survey_id is not None:
        Survey.objects.filter(pk=survey_id).update(revision=F("revision") + 1)
        link_lookup.forget()
