"""Recompute rollups from source rows. Every function here is idempotent: it replaces a slice with
what the responses say now, so retries, duplicates and reordering all converge."""

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import CharField, Count, Min, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from apps.surveys.models import Response, SurveyInvitation
from apps.workspaces.models import Workspace
from cxm import inserts

from .models import DailyRollup, DirtySlice, InvitationRollup, SavedSegmentRollup, SegmentRollup

BATCH_SIZE = 5000
# Saved segments rolled up per workspace; the segment pages say so beyond it.
MAX_ROLLED_UP_SEGMENTS = 50


def workspace_zone(workspace: Workspace) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(workspace.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_day(workspace: Workspace, moment: datetime) -> date:
    """The workspace-local calendar day of an instant: a response at 23:30 in Seoul counts that day."""
    return timezone.localtime(moment, workspace_zone(workspace)).date()


def day_bounds(workspace: Workspace, first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """[start, end) instants covering the local days first..last."""
    zone = workspace_zone(workspace)
    last = last or first
    return (datetime.combine(first, time.min, tzinfo=zone),
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone))


def _lock(workspace_id: int, key: int) -> None:
    # Two workers recomputing the same slice would both delete and both insert; serialise them.
    # SQLite serialises writers on its own.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [workspace_id, key])


def cache_version_key(workspace_id: int) -> str:
    return f"kpis:version:{workspace_id}"


def bump_cache_version(workspace_id: int) -> None:
    """Cached dashboard fragments include this number in their key: changing it invalidates them all."""
    key = cache_version_key(workspace_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=None)


def attribute_text(attribute: str):
    """A customer attribute of the response as plain text (a JSON key lookup compares JSON values)."""
    return Cast(KeyTextTransform(attribute, "customer__attributes"), output_field=CharField())


def _score_rows(responses, *dimensions):
    return responses.values(*dimensions).annotate(**Response.objects.score_aggregates()).order_by()


SCORE_SQL = """COUNT(*), COUNT(*) FILTER (WHERE r.nps_score >= 9), COUNT(*) FILTER (WHERE r.nps_score IN (7, 8)),
    COUNT(*) FILTER (WHERE r.nps_score <= 6), COUNT(*) FILTER (WHERE r.csat_score >= 4), COUNT(r.csat_score),
    COALESCE(SUM(r.ces_score), 0), COUNT(r.ces_score)"""
SCORE_COLUMNS = "responses, promoters, passives, detractors, csat_satisfied, csat_answers, ces_total, ces_answers"


def _rebuild_postgresql(workspace: Workspace, first: date, last: date, start: datetime, end: datetime) -> dict:
    """The same recomputation as INSERT … SELECT … GROUP BY inside the database: no grouped row travels
    through Python, and the three segment attributes come from one scan (a LATERAL VALUES list)."""
    params = {"workspace": workspace.pk, "first": first, "last": last, "start": start, "end": end,
              "zone": str(workspace_zone(workspace))}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM kpis_dailyrollup WHERE workspace_id = %(workspace)s "
                       "AND day BETWEEN %(first)s AND %(last)s", params)
        cursor.execute("DELETE FROM kpis_segmentrollup WHERE workspace_id = %(workspace)s "
                       "AND day BETWEEN %(first)s AND %(last)s", params)
        cursor.execute(f"""
            INSERT INTO kpis_dailyrollup (workspace_id, day, survey_id, touchpoint_id, channel, {SCORE_COLUMNS})
            SELECT r.workspace_id, (r.submitted_at AT TIME ZONE %(zone)s)::date, r.survey_id, r.touchpoint_id,
                   r.channel, {SCORE_SQL}
            FROM surveys_response r
            WHERE r.workspace_id = %(workspace)s AND r.submitted_at >= %(start)s AND r.submitted_at < %(end)s
            GROUP BY 1, 2, 3, 4, 5""", params)  # noqa: S608 - constants only, values are parameters
        daily = cursor.rowcount
        cursor.execute(f"""
            INSERT INTO kpis_segmentrollup (workspace_id, day, touchpoint_id, attribute, value, {SCORE_COLUMNS})
            SELECT r.workspace_id, (r.submitted_at AT TIME ZONE %(zone)s)::date, r.touchpoint_id, a.attribute,
                   a.value, {SCORE_SQL}
            FROM surveys_response r
            JOIN customers_customer c ON c.id = r.customer_id
            CROSS JOIN LATERAL (VALUES ('segment', c.attributes ->> 'segment'), ('tier', c.attributes ->> 'tier'),
                                       ('region', c.attributes ->> 'region')) AS a (attribute, value)
            WHERE r.workspace_id = %(workspace)s AND r.submitted_at >= %(start)s AND r.submitted_at < %(end)s
              AND a.value IS NOT NULL AND a.value <> ''
            GROUP BY 1, 2, 3, 4, 5""", params)  # noqa: S608
        segment = cursor.rowcount
    return {"daily": daily, "segment": segment}


def _rebuild(workspace: Workspace, first: date, last: date) -> dict[str, int]:
    """Replace every rollup row of the local days first..last with a recomputation from source rows:
    a handful of GROUP BY queries, then bulk inserts of the grouped rows."""
    zone = workspace_zone(workspace)
    start, end = day_bounds(workspace, first, last)
    if connection.vendor == "postgresql":
        counts = _rebuild_postgresql(workspace, first, last, start, end)
        counts["invitation"] = _rebuild_invitations(workspace, first, last, start, end)
        counts["saved_segment"] = _rebuild_saved_segments(workspace, first, last)
        return counts
    responses = Response.objects.for_workspace(workspace).in_period(start, end).annotate(
        day=TruncDate("submitted_at", tzinfo=zone))

    daily = [DailyRollup(workspace=workspace, **row)
             for row in _score_rows(responses, "day", "survey_id", "touchpoint_id", "channel")]
    segments = []
    for attribute in SegmentRollup.ATTRIBUTES:
        rows = _score_rows(responses.annotate(value=attribute_text(attribute))
                           .filter(customer__isnull=False).exclude(value__isnull=True).exclude(value=""),
                           "day", "touchpoint_id", "value")
        segments += [SegmentRollup(workspace=workspace, attribute=attribute, **row) for row in rows]

    in_range = Q(day__gte=first, day__lte=last)
    DailyRollup.objects.for_workspace(workspace).filter(in_range).delete()
    SegmentRollup.objects.for_workspace(workspace).filter(in_range).delete()
    DailyRollup.objects.bulk_create(daily, batch_size=BATCH_SIZE)
    SegmentRollup.objects.bulk_create(segments, batch_size=BATCH_SIZE)
    return {"daily": len(daily), "segment": len(segments),
            "invitation": _rebuild_invitations(workspace, first, last, start, end),
            "saved_segment": _rebuild_saved_segments(workspace, first, last)}


def rolled_up_segments(workspace: Workspace):
    from apps.customers.models import Segment

    return Segment.objects.for_workspace(workspace).order_by("pk")[:MAX_ROLLED_UP_SEGMENTS]


def _rebuild_saved_segments(workspace: Workspace, first: date, last: date, segments=None) -> int:
    """Replace the saved-segment rollups of the days: one grouped query per segment, whose rules become a
    WHERE clause on the joined customer."""
    segments = list(rolled_up_segments(workspace) if segments is None else segments)
    start, end = day_bounds(workspace, first, last)
    responses = (Response.objects.for_workspace(workspace).in_period(start, end).filter(customer__isnull=False)
                 .annotate(day=TruncDate("submitted_at", tzinfo=workspace_zone(workspace))))
    rows = []
    for segment in segments:
        grouped = _score_rows(responses.filter(segment.rules_object.q(prefix="customer__")),
                              "day", "survey_id", "touchpoint_id", "channel")
        rows += [SavedSegmentRollup(workspace=workspace, segment=segment, **row) for row in grouped]
    SavedSegmentRollup.objects.for_workspace(workspace).filter(
        day__gte=first, day__lte=last, segment__in=[segment.pk for segment in segments]).delete()
    SavedSegmentRollup.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)


def segment_rollups_rebuild(*, segment_id: int) -> int:
    """Every day of one saved segment, after its rules changed (the segment may have been deleted since)."""
    from apps.customers.models import Segment

    segment = Segment.objects.select_related("workspace").filter(pk=segment_id).first()
    if segment is None:
        return 0
    workspace = segment.workspace
    earliest = Response.objects.for_workspace(workspace).aggregate(first=Min("submitted_at"))["first"]
    today = local_day(workspace, timezone.now())
    with transaction.atomic():
        _lock(workspace.pk, 0)
        count = _rebuild_saved_segments(workspace, local_day(workspace, earliest) if earliest else today, today,
                                        segments=[segment])
    bump_cache_version(workspace.pk)
    return count


def _rebuild_invitations(workspace: Workspace, first: date, last: date, start: datetime, end: datetime) -> int:
    zone = workspace_zone(workspace)
    invitations = SurveyInvitation.objects.for_workspace(workspace)
    sent = (invitations.filter(sent_at__gte=start, sent_at__lt=end)
            .annotate(day=TruncDate("sent_at", tzinfo=zone)).values("day", "survey_id")
            .annotate(count=Count("pk")).order_by())
    answered = (invitations.filter(answered_at__gte=start, answered_at__lt=end)
                .annotate(day=TruncDate("answered_at", tzinfo=zone)).values("day", "survey_id")
                .annotate(count=Count("pk")).order_by())
    invitation_rows: dict[tuple, InvitationRollup] = {}
    for row in sent:
        invitation_rows[(row["day"], row["survey_id"])] = InvitationRollup(
            workspace=workspace, day=row["day"], survey_id=row["survey_id"], sent=row["count"])
    for row in answered:
        rollup = invitation_rows.setdefault((row["day"], row["survey_id"]), InvitationRollup(
            workspace=workspace, day=row["day"], survey_id=row["survey_id"]))
        rollup.answered = row["count"]

    InvitationRollup.objects.for_workspace(workspace).filter(day__gte=first, day__lte=last).delete()
    InvitationRollup.objects.bulk_create(invitation_rows.values(), batch_size=BATCH_SIZE)
    return len(invitation_rows)


def rollup_slice_recompute(*, workspace_id: int, day: date) -> dict[str, int]:
    """Recompute one workspace-day: what a new response changes."""
    from apps.customers.services import customer_last_nps_refresh

    workspace = Workspace.objects.get(pk=workspace_id)
    started = timezone.now()
    with transaction.atomic():
        _lock(workspace_id, day.toordinal())
        # Before the rebuild: saved segments on the last NPS group read the refreshed profiles.
        customer_last_nps_refresh(workspace=workspace, start=day_bounds(workspace, day)[0],
                                  end=day_bounds(workspace, day)[1])
        counts = _rebuild(workspace, day, day)
        # A response that arrived while we computed re-marked the slice after `started`: keep that mark.
        DirtySlice.objects.for_workspace(workspace).filter(day=day, marked_at__lte=started).delete()
    bump_cache_version(workspace_id)
    return counts


def rollups_rebuild(*, workspace: Workspace, first: date | None = None, last: date | None = None) -> dict[str, int]:
    """Recompute a period (default: everything the workspace has) set-based; the nightly reconcile and
    the kpi_rebuild command use it."""
    if first is None or last is None:
        earliest = Response.objects.for_workspace(workspace).aggregate(first=Min("submitted_at"))["first"]
        today = local_day(workspace, timezone.now())
        first = first or (local_day(workspace, earliest) if earliest else today)
        last = last or today
    started = timezone.now()
    with transaction.atomic():
        _lock(workspace.pk, 0)
        counts = _rebuild(workspace, first, last)
        DirtySlice.objects.for_workspace(workspace).filter(day__gte=first, day__lte=last,
                                                           marked_at__lte=started).delete()
    bump_cache_version(workspace.pk)
    return counts


def slice_mark_dirty(*, workspace: Workspace, moment: datetime, batch: inserts.Batch | None = None) -> date:
    """Written inside the response's transaction (with its rows, given their `batch`): the rollups of that day
    are stale until recomputed."""
    day = local_day(workspace, moment)
    rows, upsert = [inserts.row(DirtySlice, workspace=workspace, day=day)], (["workspace", "day"], ["marked_at"])
    if batch is None:
        inserts.insert(rows, update_conflicts=upsert)
    else:
        batch.add(rows, update_conflicts=upsert)
    return day


def dirty_slices_process(*, limit: int = 500) -> int:
    """Recompute every day marked dirty (oldest first); returns how many were processed."""
    pending = list(DirtySlice.objects.order_by("marked_at").values_list("workspace_id", "day")[:limit])
    for workspace_id, day in pending:
        rollup_slice_recompute(workspace_id=workspace_id, day=day)
    return len(pending)
