"""Reads for the feedback pages: the inbox, the case lists, the theme charts, the alert badge."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim, TruncWeek
from django.utils import timezone

from apps.touchpoints.models import Touchpoint
from apps.workspaces.models import Membership, Role, Workspace

from .models import Alert, AlertRule, CaseEvent, FeedbackItem, FeedbackTheme, FollowUpCase, Tag, Theme

PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
THEME_CHART_WEEKS = 12
THEME_CHART_SERIES = 8
NEGATIVE_THEMES_PER_TOUCHPOINT = 3
THEME_FILTER_CHOICES = 150
THEME_FILTER_CACHE_SECONDS = 600


def period_start(period: str, now: datetime | None = None) -> datetime | None:
    days = PERIOD_DAYS.get(period or "")
    return (now or timezone.now()) - timedelta(days=days) if days else None


def feedback_inbox(*, workspace: Workspace, filters: dict):
    """The workspace's feedback narrowed by the inbox filters (FeedbackFilterForm.filters()), newest first,
    with what a row shows loaded: touchpoint, customer, tags and theme mentions."""
    items = FeedbackItem.objects.for_workspace(workspace).search(filters.get("q", ""))
    if filters.get("group"):
        items = items.filter(score_group=filters["group"])
    if filters.get("touchpoint"):
        items = items.filter(touchpoint_id=filters["touchpoint"])
    if filters.get("tag"):
        items = items.filter(pk__in=FeedbackItem.tags.through.objects.filter(
            workspace=workspace, tag_id=filters["tag"]).values("item_id"))
    if filters.get("theme"):
        # With a sentiment too: the comments whose clause about this theme has it ("delivery, negative").
        mentions = FeedbackTheme.objects.filter(workspace=workspace, theme_id=filters["theme"])
        if filters.get("sentiment"):
            mentions = mentions.filter(sentiment_label=filters["sentiment"])
        items = items.filter(pk__in=mentions.values("item_id"))
    elif filters.get("sentiment"):
        items = items.filter(sentiment_label=filters["sentiment"])
    if filters.get("source"):
        items = items.filter(source=filters["source"])
    if filters.get("status"):
        items = items.with_case_status(filters["status"])
    start = period_start(filters.get("period", ""))
    if start is not None:
        items = items.filter(created_at__gte=start)
    return (items.select_related("touchpoint", "customer")
            .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")),
                              Prefetch("mentions", queryset=FeedbackTheme.objects.shown().select_related("theme")
                                       .order_by("theme__key")))
            .order_by("-created_at", "-pk"))


def inbox_facets(*, workspace: Workspace, selected_theme: str = "") -> dict:
    """Touchpoints, tags and themes for the filter drop-downs: the most used themes, plus the selected one
    (a link from a chip or the themes page may name any theme)."""
    themes = frequent_themes(workspace=workspace)
    if selected_theme.isdigit() and int(selected_theme) not in {theme.pk for theme in themes}:
        themes += list(Theme.objects.for_workspace(workspace).filter(pk=int(selected_theme)))
    return {
        "touchpoints": list(Touchpoint.objects.for_workspace(workspace).active().order_by("name")
                            .values_list("pk", "name")),
        "tags": list(Tag.objects.for_workspace(workspace).order_by("name")),
        "themes": themes,
    }


def frequent_themes(*, workspace: Workspace, limit: int = THEME_FILTER_CHOICES) -> list[Theme]:
    """The workspace's most mentioned themes, by label. Counting them scans the theme links, so the ids are
    cached for a few minutes: the drop-down may lag a new theme, the filter itself never does."""
    key = f"feedback:frequent-themes:{workspace.pk}"
    ids = cache.get(key)
    if ids is None:
        ids = list(FeedbackTheme.objects.for_workspace(workspace).shown().values("theme_id").annotate(n=Count("pk"))
                   .order_by("-n", "theme_id").values_list("theme_id", flat=True)[:limit])
        cache.set(key, ids, THEME_FILTER_CACHE_SECONDS)
    return sorted(Theme.objects.for_workspace(workspace).filter(pk__in=ids), key=lambda theme: theme.label)


def case_list(*, workspace: Workspace, filters: dict, now: datetime | None = None):
    """The workspace's cases narrowed by status ("open" = not closed), assignee ("none" = unassigned),
    overdue and touchpoint, newest first or (order="due") most overdue first."""
    now = now or timezone.now()
    cases = FollowUpCase.objects.for_workspace(workspace)
    status = filters.get("status")
    if status == "open":
        cases = cases.open()
    elif status:
        cases = cases.filter(status=status)
    if filters.get("assignee") == "none":
        cases = cases.filter(assignee__isnull=True)
    elif filters.get("assignee"):
        cases = cases.filter(assignee_id=filters["assignee"])
    if filters.get("overdue"):
        cases = cases.overdue(now)
    if filters.get("touchpoint"):
        cases = cases.filter(touchpoint_id=filters["touchpoint"])
    cases = cases.select_related("assignee", "customer", "touchpoint", "feedback_item")
    if filters.get("order") == "due":
        # The work-queue order: the most overdue first.
        return cases.order_by("due_at", "pk")
    return cases.order_by("-created_at", "-pk")


def case_counts(*, workspace: Workspace, user=None, now: datetime | None = None) -> dict[str, int]:
    """Open, overdue and (for `user`) mine, in one query."""
    now = now or timezone.now()
    working = Q(status__in=FollowUpCase.WORKING_STATUSES)
    counts = {
        "open": Count("pk", filter=~Q(status=FollowUpCase.Status.CLOSED)),
        "overdue": Count("pk", filter=working & Q(due_at__lt=now)),
        "new": Count("pk", filter=Q(status=FollowUpCase.Status.NEW)),
    }
    if user is not None:
        counts["mine"] = Count("pk", filter=~Q(status=FollowUpCase.Status.CLOSED) & Q(assignee=user))
    return FollowUpCase.objects.for_workspace(workspace).aggregate(**counts)


def case_workers(*, workspace: Workspace) -> list[Membership]:
    return list(Membership.objects.for_workspace(workspace)
                .filter(role__in=(Role.ANALYST, Role.ADMIN, Role.OWNER)).select_related("user")
                .order_by("user__first_name", "user__username"))


def case_timeline(*, case: FollowUpCase) -> list[CaseEvent]:
    return list(CaseEvent.objects.for_workspace(case.workspace_id).filter(case=case)
                .select_related("author", "assignee").order_by("created_at", "pk"))


CASE_SUMMARY_FIELDS = ("pk", "status", "created_at", "due_at", "closed_at")


def annotate_follow_up_case(responses):
    """Responses annotated with a summary of the follow-up case each opened (follow_up_case_pk, _status,
    _created_at, _due_at, _closed_at, _assignee), in the same query: the profile timeline stays one query."""
    cases = FollowUpCase.objects.filter(workspace=OuterRef("workspace"), response=OuterRef("pk"))
    assignee = Coalesce(NullIf(Trim(Concat("assignee__first_name", Value(" "), "assignee__last_name")), Value("")),
                        "assignee__username")
    return responses.annotate(
        **{f"follow_up_case_{field}": Subquery(cases.values(field)[:1]) for field in CASE_SUMMARY_FIELDS},
        follow_up_case_assignee=Subquery(cases.annotate(name=assignee).values("name")[:1]))


def follow_up_case_of(response) -> FollowUpCase | None:
    """The case summary of a response from annotate_follow_up_case, as an (unsaved) FollowUpCase with
    `assignee_name`, or None."""
    if getattr(response, "follow_up_case_pk", None) is None:
        return None
    case = FollowUpCase(pk=response.follow_up_case_pk, workspace_id=response.workspace_id,
                        **{field: getattr(response, f"follow_up_case_{field}") for field in CASE_SUMMARY_FIELDS[1:]})
    case.assignee_name = response.follow_up_case_assignee or ""
    return case


def customer_cases(*, customer) -> list[FollowUpCase]:
    """The customer's follow-up cases for the profile timeline, newest first."""
    return list(FollowUpCase.objects.for_workspace(customer.workspace_id).filter(customer=customer)
                .select_related("assignee", "touchpoint").order_by("-created_at")[:100])


def open_alert_count(workspace: Workspace) -> int:
    """Fired alerts nobody has acknowledged yet: the sidebar badge."""
    return Alert.objects.for_workspace(workspace).open().count()


def alert_list(*, workspace: Workspace):
    return Alert.objects.for_workspace(workspace).select_related("rule", "touchpoint", "acknowledged_by")


def alert_rules(*, workspace: Workspace):
    return AlertRule.objects.for_workspace(workspace).select_related("touchpoint").order_by("name", "pk")


def theme_trend(*, workspace: Workspace, weeks: int = THEME_CHART_WEEKS, series: int = THEME_CHART_SERIES,
                now: datetime | None = None) -> dict:
    """Weekly mentions of the most frequent themes over the last `weeks` weeks, for Chart.js:
    {"labels": [week starts], "datasets": [{"label", "data"}]}. Two grouped queries."""
    now = now or timezone.now()
    start = now - timedelta(weeks=weeks)
    links = FeedbackTheme.objects.for_workspace(workspace).shown().filter(item__created_at__gte=start)
    top = list(links.values("theme_id").annotate(n=Count("pk")).order_by("-n", "theme_id")[:series])
    theme_ids = [row["theme_id"] for row in top]
    themes = Theme.objects.in_bulk(theme_ids)
    rows = (links.filter(theme_id__in=theme_ids)
            .annotate(week=TruncWeek("item__created_at")).values("week", "theme_id").annotate(n=Count("pk")))
    counts: dict[int, dict] = defaultdict(dict)
    for row in rows:
        counts[row["theme_id"]][row["week"].date()] = row["n"]
    first_week = timezone.localtime(start).date()
    first_week -= timedelta(days=first_week.weekday())
    week_starts = [first_week + timedelta(weeks=n) for n in range(weeks + 1)]
    return {
        "labels": [week.isoformat() for week in week_starts],
        "datasets": [{"label": themes[theme_id].label, "data": [counts[theme_id].get(week, 0) for week in week_starts]}
                     for theme_id in theme_ids if theme_id in themes],
    }


def top_themes(*, workspace: Workspace, since: datetime | None = None, limit: int = 15) -> list[dict]:
    """The most mentioned themes with their negative and positive counts: the sentiment of the clause each
    mention is in, not of the whole comment."""
    links = FeedbackTheme.objects.for_workspace(workspace).shown()
    if since is not None:
        links = links.filter(item__created_at__gte=since)
    rows = list(links.values("theme_id").annotate(
        total=Count("pk"), negative=Count("pk", filter=Q(sentiment_label="negative")),
        positive=Count("pk", filter=Q(sentiment_label="positive"))).order_by("-total", "theme_id")[:limit])
    themes = Theme.objects.in_bulk([row["theme_id"] for row in rows])
    for row in rows:
        row["theme"] = themes.get(row["theme_id"])
        row["negative_share"] = round(row["negative"] * 100 / row["total"]) if row["total"] else 0
    return rows


def negative_themes_by_touchpoint(*, workspace: Workspace, since: datetime | None = None,
                                  per_touchpoint: int = NEGATIVE_THEMES_PER_TOUCHPOINT) -> list[dict]:
    """For each touchpoint, its themes most often mentioned negatively (by the clause naming them): one
    grouped query."""
    links = FeedbackTheme.objects.for_workspace(workspace).shown().filter(sentiment_label="negative",
                                                                   item__touchpoint__isnull=False)
    if since is not None:
        links = links.filter(item__created_at__gte=since)
    rows = (links.values("item__touchpoint_id", "theme_id").annotate(n=Count("pk"))
            .order_by("item__touchpoint_id", "-n", "theme_id"))
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        if len(grouped[row["item__touchpoint_id"]]) < per_touchpoint:
            grouped[row["item__touchpoint_id"]].append(row)
    themes = Theme.objects.in_bulk({row["theme_id"] for rows in grouped.values() for row in rows})
    touchpoints = Touchpoint.objects.for_workspace(workspace).in_bulk(list(grouped))
    result = []
    for touchpoint_id, entries in grouped.items():
        touchpoint = touchpoints.get(touchpoint_id)
        if touchpoint is None:
            continue
        result.append({"touchpoint": touchpoint, "total": sum(entry["n"] for entry in entries),
                       "themes": [{"theme": themes[entry["theme_id"]], "count": entry["n"]} for entry in entries]})
    result.sort(key=lambda entry: (-entry["total"], entry["touchpoint"].name))
    return result


def analysis_versions(*, workspace: Workspace) -> list[dict]:
    """How many of the workspace's items each model version labelled (and how many wait for analysis)."""
    return list(FeedbackItem.objects.for_workspace(workspace).values("analysis_version")
                .annotate(n=Count("pk")).order_by("-n", "analysis_version"))


def themes_with_mentions(*, workspace: Workspace, search: str = "", shown_only: bool = False):
    """The workspace's themes, most mentioned first, each with `mentions` (one correlated count on the
    workspace's (theme) index) and what it is merged into."""
    mentions = (FeedbackTheme.objects.for_workspace(workspace).filter(theme_id=OuterRef("pk")).order_by()
                .values("theme_id").annotate(n=Count("pk")).values("n"))
    themes = Theme.objects.for_workspace(workspace).select_related("merged_into")
    if shown_only:
        themes = themes.shown()
    if search:
        themes = themes.filter(Q(key__icontains=search) | Q(label_ko__icontains=search) | Q(label_en__icontains=search))
    return themes.annotate(mentions=Coalesce(Subquery(mentions), 0)).order_by("-mentions", "key")
