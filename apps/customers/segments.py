"""What a saved segment selects, as plain data: stored as JSON on the Segment (and copied onto each
distribution that uses it, so a re-run of a send reaches the same definition), turned into one Q."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.workspaces.models import Language

# "__" would be read as a nested lookup; anything else a person types as an attribute key is fine.
ATTRIBUTE_KEY = re.compile(r"[\w-]{1,64}")
NPS_GROUPS = ("promoter", "passive", "detractor", "none")
SURVEYED = ("within", "not_within", "never")
CONSENT = ("yes", "no")
LANGUAGES = (*Language.values, "unknown")
MAX_SURVEYED_DAYS = 3650


@dataclass(frozen=True)
class SegmentRules:
    """Every condition must hold; an empty value means "any"."""

    attributes: tuple[tuple[str, str], ...] = ()
    nps_group: str = ""
    surveyed: str = ""
    surveyed_days: int | None = None
    consent: str = ""
    language: str = ""

    @classmethod
    def from_json(cls, data) -> "SegmentRules":
        """Tolerant of what an older version stored: unknown keys and values are dropped."""
        data = data if isinstance(data, dict) else {}
        attributes = data.get("attributes") if isinstance(data.get("attributes"), dict) else {}
        pairs = tuple(sorted((str(key), str(value)) for key, value in attributes.items()
                             if ATTRIBUTE_KEY.fullmatch(str(key)) and "__" not in str(key) and str(value) != ""))
        days = data.get("surveyed_days")
        days = days if isinstance(days, int) and 0 < days <= MAX_SURVEYED_DAYS else None
        surveyed = data.get("surveyed") if data.get("surveyed") in SURVEYED else ""
        if surveyed in ("within", "not_within") and days is None:
            surveyed = ""
        return cls(attributes=pairs,
                   nps_group=data.get("nps_group") if data.get("nps_group") in NPS_GROUPS else "",
                   surveyed=surveyed, surveyed_days=days if surveyed in ("within", "not_within") else None,
                   consent=data.get("consent") if data.get("consent") in CONSENT else "",
                   language=data.get("language") if data.get("language") in LANGUAGES else "")

    def to_json(self) -> dict:
        return {"attributes": dict(self.attributes), "nps_group": self.nps_group, "surveyed": self.surveyed,
                "surveyed_days": self.surveyed_days, "consent": self.consent, "language": self.language}

    @property
    def is_everyone(self) -> bool:
        return self == SegmentRules()

    def q(self, prefix: str = "", now: datetime | None = None) -> Q:
        """The rules as a Q on Customer, or on a model reaching it through `prefix` ("customer__")."""
        condition = Q()
        if self.attributes:
            if connection.vendor == "postgresql":
                # attributes @> '{"tier": "gold"}': the GIN index on attributes answers it.
                condition &= Q(**{f"{prefix}attributes__contains": dict(self.attributes)})
            else:
                for key, value in self.attributes:
                    condition &= Q(**{f"{prefix}attributes__{key}": value})
        score = f"{prefix}last_nps_score"
        if self.nps_group == "promoter":
            condition &= Q(**{f"{score}__gte": 9})
        elif self.nps_group == "passive":
            condition &= Q(**{f"{score}__in": (7, 8)})
        elif self.nps_group == "detractor":
            condition &= Q(**{f"{score}__lte": 6})
        elif self.nps_group == "none":
            condition &= Q(**{f"{score}__isnull": True})
        surveyed = f"{prefix}last_surveyed_at"
        if self.surveyed == "never":
            condition &= Q(**{f"{surveyed}__isnull": True})
        elif self.surveyed in ("within", "not_within"):
            since = (now or timezone.now()) - timedelta(days=self.surveyed_days)
            condition &= Q(**{f"{surveyed}__gte" if self.surveyed == "within" else f"{surveyed}__lt": since})
        if self.consent:
            condition &= Q(**{f"{prefix}consent": self.consent == "yes"})
        if self.language == "unknown":
            condition &= Q(**{f"{prefix}language": ""})
        elif self.language:
            condition &= Q(**{f"{prefix}language": self.language})
        return condition

    def describe(self) -> list[str]:
        """The conditions in words, in the active language."""
        parts = [f"{key} = {value}" for key, value in self.attributes]
        groups = {"promoter": _("last NPS answer: promoter"), "passive": _("last NPS answer: passive"),
                  "detractor": _("last NPS answer: detractor"), "none": _("no NPS answer yet")}
        if self.nps_group:
            parts.append(groups[self.nps_group])
        if self.surveyed == "never":
            parts.append(_("never surveyed"))
        elif self.surveyed == "within":
            parts.append(ngettext("surveyed in the last %(days)s day", "surveyed in the last %(days)s days",
                                  self.surveyed_days) % {"days": self.surveyed_days})
        elif self.surveyed == "not_within":
            parts.append(ngettext("surveyed more than %(days)s day ago", "surveyed more than %(days)s days ago",
                                  self.surveyed_days) % {"days": self.surveyed_days})
        if self.consent:
            parts.append(_("consented") if self.consent == "yes" else _("not consented"))
        if self.language == "unknown":
            parts.append(_("language not known"))
        elif self.language:
            parts.append(_("language: %(language)s") % {"language": Language(self.language).label})
        return parts
