"""Quotas: a survey, or one cell of it (`tier = gold`, `channel = store`), stops at N complete responses.

The count is claimed inside the submission's transaction by one conditional UPDATE per matching quota
(`completed < limit`). On PostgreSQL a second UPDATE of the same row waits for the first transaction
and re-checks the condition against the committed count, so concurrent submissions cannot pass the
limit; a claim that finds the quota full rolls the whole submission back.
"""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from apps.customers.models import Customer

from . import link_lookup
from .models import HIDDEN_FIELD_KEY, Quota, Response, Survey


class QuotaFull(Exception):
    """The response's quota (the survey's or its cell's) has all the responses it needs."""


def survey_quotas(survey: Survey) -> list[Quota]:
    """The survey's quotas (one query), or none without a query when it has none."""
    if not survey.has_quotas:
        return []
    return list(Quota.objects.for_workspace(survey.workspace_id).filter(survey=survey))


def cell_value(field: str, *, hidden_fields: Mapping[str, str], channel: str = "",
               customer: Customer | None = None) -> str | None:
    """The response's value for a quota field: the channel, a hidden field of the link, or an attribute
    of the invited customer."""
    if field == "channel" and channel:
        return channel
    if field in hidden_fields:
        return str(hidden_fields[field])
    if customer is not None and field in (customer.attributes or {}):
        return str(customer.attributes[field])
    return None


def matching(quotas: Sequence[Quota], *, hidden_fields: Mapping[str, str], channel: str = "",
             customer: Customer | None = None) -> list[Quota]:
    return [quota for quota in quotas if not quota.field or cell_value(
        quota.field, hidden_fields=hidden_fields, channel=channel, customer=customer) == quota.value]


def full_quota(survey: Survey, *, hidden_fields: Mapping[str, str], channel: str = "",
               customer: Customer | None = None) -> Quota | None:
    """A full quota this visitor would count towards, to say so before they answer."""
    return next((quota for quota in matching(survey_quotas(survey), hidden_fields=hidden_fields, channel=channel,
                                             customer=customer) if quota.is_full), None)


def quota_claim(*, survey: Survey, hidden_fields: Mapping[str, str], channel: str = "",
                customer: Customer | None = None) -> None:
    """Count one complete response in every quota it matches, or raise QuotaFull. Call it inside the
    submission's transaction: the claim commits or rolls back with the response."""
    for quota in matching(survey_quotas(survey), hidden_fields=hidden_fields, channel=channel, customer=customer):
        claimed = (Quota.objects.for_workspace(survey.workspace_id)
                   .filter(pk=quota.pk, completed__lt=F("limit")).update(completed=F("completed") + 1))
        if not claimed:
            raise QuotaFull(quota)


def _cell_responses(quota: Quota):
    responses = Response.objects.for_workspace(quota.workspace_id).filter(survey_id=quota.survey_id)
    if not quota.field:
        return responses
    in_cell = Q(**{f"hidden_fields__{quota.field}": quota.value}) | Q(
        **{f"customer__attributes__{quota.field}": quota.value})
    if quota.field == "channel":
        in_cell |= Q(channel=quota.value)
    return responses.filter(in_cell)


def _set_has_quotas(survey: Survey) -> None:
    survey.has_quotas = Quota.objects.for_workspace(survey.workspace_id).filter(survey=survey).exists()
    Survey.objects.filter(pk=survey.pk).update(has_quotas=survey.has_quotas)
    link_lookup.forget()


@transaction.atomic
def quota_create(*, survey: Survey, field: str, value: str, limit: int) -> Quota:
    """A quota that starts from the complete responses the survey already has in its cell."""
    field, value = field.strip(), value.strip()
    if field and not HIDDEN_FIELD_KEY.fullmatch(field):
        raise ValidationError({"field": _('Use a short name made of letters, digits, "_", "-" or ".".')})
    if field and not value:
        raise ValidationError({"value": _("Give the value that makes up the cell, e.g. gold.")})
    if Quota.objects.for_workspace(survey.workspace_id).filter(survey=survey, field=field,
                                                                value=value if field else "").exists():
        raise ValidationError(_("This survey already has a quota for this cell."))
    quota = Quota(workspace_id=survey.workspace_id, survey=survey, field=field, value=value if field else "",
                  limit=limit)
    quota.full_clean()
    quota.completed = _cell_responses(quota).count()
    quota.save()
    _set_has_quotas(survey)
    return quota


@transaction.atomic
def quota_delete(*, quota: Quota) -> None:
    survey = quota.survey
    quota.delete()
    _set_has_quotas(survey)

