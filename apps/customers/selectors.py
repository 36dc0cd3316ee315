"""Reads for the customer pages."""

from apps.surveys.models import Response
from apps.workspaces.models import Workspace

from .models import Customer, CustomerImport

FILTER_ATTRIBUTES = ["segment", "tier", "region"]
# A filter drop-down longer than this is no help; such an attribute is better searched.
MAX_FACET_VALUES = 100
TIMELINE_LENGTH = 100


def customer_list(*, workspace: Workspace, filters: dict):
    """The workspace's customers narrowed by the list page's filters (a CustomerFilterForm's cleaned_data):
    q (name, e-mail, phone or external id), segment, tier, region and consent ("yes"/"no")."""
    consent = {"yes": True, "no": False}.get(filters.get("consent") or "")
    return (Customer.objects.for_workspace(workspace)
            .search(filters.get("q", ""))
            .with_attributes(**{key: filters.get(key) for key in FILTER_ATTRIBUTES})
            .with_consent(consent))


def customer_facets(*, workspace: Workspace) -> dict[str, list[str]]:
    """The values of segment, tier and region that occur, for the filter drop-downs, in one query."""
    combinations = (Customer.objects.for_workspace(workspace)
                    .values_list(*(f"attributes__{key}" for key in FILTER_ATTRIBUTES))
                    .order_by().distinct()[:5000])
    values: dict[str, set[str]] = {key: set() for key in FILTER_ATTRIBUTES}
    for combination in combinations:
        for key, value in zip(FILTER_ATTRIBUTES, combination, strict=True):
            if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
                values[key].add(str(value))
    return {key: sorted(found)[:MAX_FACET_VALUES] for key, found in values.items()}


def customer_timeline(*, customer: Customer) -> list[Response]:
    """The customer's survey responses, newest first, each with `channel_label` in the active language and
    `follow_up_case`, a summary of the follow-up case it opened (or None)."""
    from apps.feedback.selectors import annotate_follow_up_case, follow_up_case_of
    from apps.touchpoints.models import Channel

    labels = dict(Channel.choices)
    responses = Response.objects.for_workspace(customer.workspace).filter(customer=customer)
    responses = list(annotate_follow_up_case(responses).select_related("survey", "touchpoint")
                     .order_by("-submitted_at")[:TIMELINE_LENGTH])
    for response in responses:
        response.channel_label = labels.get(response.channel, response.channel)
        response.follow_up_case = follow_up_case_of(response)
    return responses


def recent_imports(*, workspace: Workspace, limit: int = 10):
    # The stored file can be megabytes: never load it to list imports.
    return (CustomerImport.objects.for_workspace(workspace).defer("content").select_related("uploaded_by")
            .order_by("-created_at")[:limit])


def segment_list(*, workspace: Workspace):
    """Saved segments with how many personas and wave schedules use them (one query; counts come after)."""
    from django.db.models import Count

    from .models import Segment

    return (Segment.objects.for_workspace(workspace)
            .annotate(persona_count=Count("personas", distinct=True),
                      schedule_count=Count("wave_schedules", distinct=True)).order_by("name", "pk"))


def segment_size(*, workspace: Workspace, rules) -> dict[str, int]:
    """How many customers the rules select, and how many of them a send would reach now (consent, an e-mail
    address, not surveyed within the contact-fatigue window): one aggregate."""
    from datetime import timedelta

    from django.db.models import Count, Q
    from django.utils import timezone

    reachable = Q(consent=True) & ~Q(email="")
    if workspace.contact_fatigue_days:
        since = timezone.now() - timedelta(days=workspace.contact_fatigue_days)
        reachable &= Q(last_surveyed_at__isnull=True) | Q(last_surveyed_at__lt=since)
    return Customer.objects.for_workspace(workspace).in_segment(rules).aggregate(
        customers=Count("pk"), reachable=Count("pk", filter=reachable))
