"""Writes on feedback, tags, follow-up cases and alert rules. Views, tasks, the API and the survey
submission (surveys.services.response_record) call these; nothing else writes."""

import logging
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Exists, IntegerField, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.customers.csv_import import ImportFailure
from apps.customers.models import Customer
from apps.nps.scores import nps as nps_value
from apps.surveys.models import Answer, Question, Response, Survey
from apps.touchpoints.models import Touchpoint
from apps.webhooks import payloads as webhook_payloads
from apps.webhooks import services as webhook_services
from apps.workspaces.models import Membership, Role, Workspace
from cxm import inserts
from cxm.kept import Kept
from cxm.prepared import PreparedQuery
from cxm.queue import enqueue_coalesced_on_commit, enqueue_on_commit

from . import adaptation, analysis, tasks
from .csv_feedback import FeedbackCsv, RowError
from .models import (
    Alert,
    AlertRule,
    AlertState,
    CaseEvent,
    FeedbackImport,
    FeedbackItem,
    FeedbackTag,
    FeedbackTheme,
    FollowUpCase,
    ScoreGroup,
    Source,
    Tag,
    TagRule,
    Theme,
    split_keywords,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
ANALYSIS_BATCH_SIZE = 500
MAX_STORED_ERRORS = 5000
CASE_WORKER_ROLES = (Role.ANALYST, Role.ADMIN, Role.OWNER)
NPS_WINDOW = timedelta(days=7)


def batched(items: Iterable, size: int):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _check_same_workspace(workspace: Workspace, **objects) -> None:
    for name, obj in objects.items():
        if obj is not None and obj.workspace_id != workspace.pk:
            # Never link another brand's rows, whatever a caller passes.
            raise ValidationError({name: _("This belongs to another workspace.")})


# Feedback items ---------------------------------------------------------------------------------

def feedback_item_create(*, workspace: Workspace, text: str, source: str, language: str = "",
                         score: int | None = None, touchpoint: Touchpoint | None = None,
                         customer: Customer | None = None, survey: Survey | None = None,
                         response: Response | None = None, created_at: datetime | None = None,
                         external_id: str = "") -> FeedbackItem:
    """Record one piece of feedback from any channel (the API, an integration, a script).

    Applies the workspace's tag rules at once and enqueues the theme and sentiment analysis on commit.
    With an `external_id`, sending the same (source, external_id) again returns the item already saved.
    Raises ValidationError for empty or over-long text, an unknown source or language, a score outside
    0–10, or an object of another workspace.
    """
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("The feedback text is empty.")
    elif len(text) > 10_000:
        errors["text"] = _("The feedback text is longer than 10,000 characters.")
    if source not in Source.values:
        errors["source"] = _("Unknown source: use one of %(sources)s.") % {"sources": ", ".join(Source.values)}
    if language not in ("", "ko", "en"):
        errors["language"] = _("Language must be ko or en.")
    if score is not None and (isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10):
        errors["score"] = _("The score must be a whole number from 0 to 10.")
    if len(external_id or "") > 120:
        errors["external_id"] = _("The external id is longer than 120 characters.")
    if errors:
        raise ValidationError(errors)
    _check_same_workspace(workspace, touchpoint=touchpoint, customer=customer, survey=survey, response=response)
    external_id = (external_id or "").strip()
    if external_id:
        existing = FeedbackItem.objects.for_workspace(workspace).filter(source=source, external_id=external_id).first()
        if existing is not None:
            return existing
    item = FeedbackItem(
        workspace=workspace, text=text, source=source, language=analysis.detect_language(text, default=language),
        score=score, score_group=ScoreGroup.of(score), touchpoint=touchpoint, customer=customer, survey=survey,
        response=response, created_at=created_at or timezone.now(), external_id=external_id)
    try:
        with transaction.atomic():
            item.save(force_insert=True)
            tag_rules_apply_to_items(workspace=workspace, items=[item])
    except IntegrityError:
        # The same external id sent twice at once: the first one is the item.
        existing = (FeedbackItem.objects.for_workspace(workspace).filter(source=source, external_id=external_id)
                    .first() if external_id else None)
        if existing is None:
            raise
        return existing
    enqueue_on_commit(tasks.analyse_feedback_items, workspace.pk, [item.pk])
    return item


def feedback_record_for_response(*, response: Response, answers: Sequence[Answer],
                                 batch: inserts.Batch) -> Callable[[], FollowUpCase | None]:
    """Inside response_record's transaction: every long-text answer becomes a feedback item (or the
    comment, when it came without one), the tag rules tag them, and a detractor, or a comment matching
    an alert rule, opens a follow-up case. The rows go into `batch` with the response's. Returns what to
    call once the batch has run and the response is kept: it enqueues the analysis and the assignee's e-mail
    and emits the webhook event, and returns the case, if one was opened."""
    workspace = response.workspace
    texts = [(answer, answer.text.strip()) for answer in answers
             if answer.question.kind == Question.Kind.LONG_TEXT and answer.text.strip()]
    if not texts and response.comment.strip():
        texts = [(None, response.comment.strip())]
    items = [inserts.row(
        FeedbackItem, workspace=workspace, customer_id=response.customer_id, touchpoint_id=response.touchpoint_id,
        survey_id=response.survey_id, response=response, answer=answer, score=response.nps_score,
        score_group=ScoreGroup.of(response.nps_score), language=analysis.detect_language(text, response.language),
        text=text, source=Source.SURVEY, created_at=response.submitted_at) for answer, text in texts]
    tag_rules, comment_rules = _text_rules(workspace) if texts else ([], [])
    batch.add(items)
    batch.add(_tag_rows(workspace=workspace, items=items, rules=tag_rules), ignore_conflicts=True)
    announce_case = follow_up_case_open_for_response(
        response=response, feedback_item=items[0] if items else None, texts=[text for _answer, text in texts],
        comment_rules=comment_rules, batch=batch)

    def announce() -> FollowUpCase | None:
        if items:
            enqueue_coalesced_on_commit(tasks.analyse_new_feedback, workspace.pk)
        return announce_case()

    return announce


def _text_rules_query(workspace_id: int):
    tag_rules = (TagRule.objects.for_workspace(workspace_id).filter(is_active=True)
                 .annotate(origin=Value(1, output_field=IntegerField())).order_by()
                 .values_list("tag_id", "keywords", "origin"))
    comment_rules = (AlertRule.objects.for_workspace(workspace_id)
                     .filter(is_active=True, kind=AlertRule.Kind.COMMENT_KEYWORDS)
                     .annotate(origin=Value(2, output_field=IntegerField())).order_by()
                     .values_list("pk", "keywords", "origin"))
    return tag_rules.union(comment_rules, all=True)


TEXT_RULES = PreparedQuery(_text_rules_query, "workspace_id")


# Kept a second per process (cxm/kept.py): a comment on every other submission reads them. apps.py's signals
# forget them when a rule is saved or deleted here; another process sees the change within that second.
kept_text_rules = Kept()


def _text_rules(workspace: Workspace) -> tuple[list[TagRule], list[AlertRule]]:
    """The active tag rules and comment alert rules, in one query (a UNION, compiled once): the
    submission path counts its queries. The rows are unsaved instances that only match text, shared by
    the requests of the process."""

    def load():
        rows = sorted(TEXT_RULES.rows(workspace_id=workspace.pk), key=lambda row: (row[2], row[0]))
        return ([TagRule(workspace_id=workspace.pk, tag_id=pk, keywords=keywords)
                 for pk, keywords, origin in rows if origin == 1],
                [AlertRule(workspace_id=workspace.pk, pk=pk, kind=AlertRule.Kind.COMMENT_KEYWORDS, keywords=keywords)
                 for pk, keywords, origin in rows if origin == 2])

    return kept_text_rules.get(workspace.pk, load)


def _item_rows_from_values(workspace: Workspace, rows: Iterable[dict], *, with_answer: bool) -> list[FeedbackItem]:
    return [FeedbackItem(
        workspace=workspace, customer_id=row["response__customer_id"] if with_answer else row["customer_id"],
        touchpoint_id=row["response__touchpoint_id"] if with_answer else row["touchpoint_id"],
        survey_id=row["response__survey_id"] if with_answer else row["survey_id"],
        response_id=row["response_id"] if with_answer else row["pk"], answer_id=row["pk"] if with_answer else None,
        score=row["response__nps_score"] if with_answer else row["nps_score"],
        score_group=ScoreGroup.of(row["response__nps_score"] if with_answer else row["nps_score"]),
        language=analysis.detect_language(text, row["response__language"] if with_answer else row["language"]),
        text=text, source=Source.SURVEY,
        created_at=row["response__submitted_at"] if with_answer else row["submitted_at"])
        for row in rows if (text := (row["text"] if with_answer else row["comment"]).strip())]


def feedback_backfill_from_responses(workspace: Workspace, *, cases_since: datetime | None = None,
                                     batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Create the feedback items and follow-up cases that responses should have and do not (responses
    bulk-loaded by the demo or an import, or saved before this app existed). Set-based: each batch is
    one SELECT of the missing rows (NOT EXISTS) and one INSERT, never a query per response, and running
    it again finds nothing missing. Cases are opened for detractors submitted since `cases_since` (all
    when None), silently: an e-mail per old response would be noise. Returns the counts created."""
    items_created = 0
    before = FeedbackItem.objects.for_workspace(workspace).order_by("-pk").values_list("pk", flat=True).first() or 0
    # Long-text answers first, then comments that came without one (a bulk-loaded response).
    answers = (Answer.objects.for_workspace(workspace)
               .filter(question__kind=Question.Kind.LONG_TEXT).exclude(text="")
               .filter(~Exists(FeedbackItem.objects.filter(workspace=workspace, answer=OuterRef("pk"))))
               .order_by("pk")
               .values("pk", "text", "response_id", "response__customer_id", "response__touchpoint_id",
                       "response__survey_id", "response__nps_score", "response__language", "response__submitted_at"))
    comments = (Response.objects.for_workspace(workspace).exclude(comment="")
                .filter(~Exists(FeedbackItem.objects.filter(workspace=workspace, response=OuterRef("pk"))))
                .order_by("pk")
                .values("pk", "comment", "customer_id", "touchpoint_id", "survey_id", "nps_score", "language",
                        "submitted_at"))
    for queryset, with_answer in ((answers, True), (comments, False)):
        for low, high in _pk_windows(queryset, batch_size * 10):
            rows = list(queryset.filter(pk__gte=low, pk__lt=high))
            items = _item_rows_from_values(workspace, rows, with_answer=with_answer)
            created = FeedbackItem.objects.bulk_create(items, batch_size=batch_size, ignore_conflicts=True)
            items_created += len(created)
    if items_created:
        # Only the new items need tagging (ids grow); an item tagged twice is one row, so overlap is harmless.
        tag_rules_reapply(workspace=workspace, items=FeedbackItem.objects.for_workspace(workspace)
                          .filter(pk__gt=before), remove=False)
    cases_created = _backfill_cases(workspace, since=cases_since, batch_size=batch_size)
    return {"items": items_created, "cases": cases_created}


def _pk_windows(queryset, step: int):
    """[low, high) ranges of primary keys covering the queryset. Each batch then reads one slice of the
    primary-key index, so the cost of a batch does not grow with the rows before it."""
    bounds = queryset.order_by().aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    for low in range(bounds["low"], bounds["high"] + 1, step):
        yield low, low + step


def _backfill_cases(workspace: Workspace, *, since: datetime | None, batch_size: int) -> int:
    # No follow_up_case.opened webhooks from here: these are old responses caught up in bulk, and a
    # receiver would be flooded with news it already had a chance to hear as response.completed.
    responses = (Response.objects.for_workspace(workspace)
                 .filter(nps_score__lte=workspace.follow_up_nps_threshold)
                 .filter(~Exists(FollowUpCase.objects.filter(workspace=workspace, response=OuterRef("pk"))))
                 .annotate(item_id=Subquery(FeedbackItem.objects.filter(workspace=workspace, response=OuterRef("pk"))
                                            .order_by("pk").values("pk")[:1]))
                 .order_by("pk")
                 .values("pk", "customer_id", "touchpoint_id", "survey_id", "nps_score", "submitted_at", "item_id"))
    if since is not None:
        responses = responses.filter(submitted_at__gte=since)
    picker = AssigneePicker(workspace)
    created_total = 0
    sla = timedelta(hours=workspace.follow_up_sla_hours)
    for low, high in _pk_windows(responses, batch_size * 10):
        rows = list(responses.filter(pk__gte=low, pk__lt=high))
        if not rows:
            continue
        cases = [FollowUpCase(
            workspace=workspace, response_id=row["pk"], feedback_item_id=row["item_id"], customer_id=row["customer_id"],
            touchpoint_id=row["touchpoint_id"], survey_id=row["survey_id"], nps_score=row["nps_score"],
            reason=FollowUpCase.Reason.DETRACTOR, assignee_id=picker.pick(row["touchpoint_id"]),
            created_at=row["submitted_at"], due_at=row["submitted_at"] + sla) for row in rows]
        FollowUpCase.objects.bulk_create(cases, ignore_conflicts=True)
        # ignore_conflicts returns no ids: the cases of this batch without their opening event are the new ones.
        created = (FollowUpCase.objects.for_workspace(workspace).filter(response_id__in=[row["pk"] for row in rows])
                   .filter(~Exists(CaseEvent.objects.filter(workspace=workspace, case=OuterRef("pk"))))
                   .values_list("pk", "assignee_id", "created_at"))
        events = [CaseEvent(workspace=workspace, case_id=pk, kind=CaseEvent.Kind.OPENED, assignee_id=assignee_id,
                            to_status=FollowUpCase.Status.NEW, created_at=created_at)
                  for pk, assignee_id, created_at in created]
        CaseEvent.objects.bulk_create(events)
        created_total += len(events)
    return created_total


# Tags ---------------------------------------------------------------------------------------------

def tag_create(*, workspace: Workspace, name: str, colour: str = "#64748B") -> Tag:
    name = name.strip()
    if Tag.objects.for_workspace(workspace).filter(name__iexact=name).exists():
        raise ValidationError({"name": _("A tag called “%(name)s” already exists.") % {"name": name}})
    tag = Tag(workspace=workspace, name=name, colour=colour)
    tag.full_clean()
    tag.save()
    return tag


def tag_delete(*, tag: Tag) -> None:
    tag.delete()


@transaction.atomic
def tag_rule_set(*, tag: Tag, keywords: str, is_active: bool = True) -> TagRule | None:
    """Save the tag's rule (no keywords deletes it) and re-tag every item in the background, on commit."""
    keyword_list = split_keywords(keywords)
    rule = TagRule.objects.for_workspace(tag.workspace_id).filter(tag=tag).first()
    if not keyword_list:
        if rule is not None:
            rule.delete()
        rule = None
    else:
        rule = rule or TagRule(workspace_id=tag.workspace_id, tag=tag)
        rule.keywords, rule.is_active = "\n".join(keyword_list), is_active
        rule.save()
    enqueue_on_commit(tasks.reapply_tag_rules, tag.workspace_id, tag.pk)
    return rule


def _active_rules(workspace: Workspace) -> list[TagRule]:
    return list(TagRule.objects.for_workspace(workspace).filter(is_active=True))


def _tag_rows(*, workspace: Workspace, items: Sequence[FeedbackItem], rules: Sequence[TagRule]) -> list[FeedbackTag]:
    return [inserts.row(FeedbackTag, workspace=workspace, item=item, tag_id=rule.tag_id, auto=True)
            for item in items for rule in rules if rule.matches(item.text)]


def tag_rules_apply_to_items(*, workspace: Workspace, items: Sequence[FeedbackItem],
                             rules: Sequence[TagRule] | None = None) -> int:
    """Tag freshly created items by the workspace's rules (matched here, in Python: the items are at hand)."""
    rows = _tag_rows(workspace=workspace, items=items, rules=_active_rules(workspace) if rules is None else rules)
    FeedbackTag.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _rule_filter(rule: TagRule | None) -> Q | None:
    keywords = rule.keyword_list if rule is not None and rule.is_active else []
    if not keywords:
        return None
    condition = Q()
    for keyword in keywords:
        condition |= Q(text__icontains=keyword)
    return condition


def tag_rules_reapply(*, workspace: Workspace, tag: Tag | None = None, items=None, remove: bool = True,
                      batch_size: int = BATCH_SIZE) -> int:
    """Re-run the rules (one tag's, or all) over `items` (default: every item), set-based: one DELETE of
    the rule-set tags that no longer match and INSERTs of the missing ones in batches of ids. Manual
    tags are never touched. Idempotent. Returns the number of tags added."""
    items = FeedbackItem.objects.for_workspace(workspace) if items is None else items
    tags = [tag] if tag is not None else list(Tag.objects.for_workspace(workspace))
    rules = {rule.tag_id: rule for rule in TagRule.objects.for_workspace(workspace).filter(
        tag__in=[t.pk for t in tags])}
    added = 0
    for current in tags:
        condition = _rule_filter(rules.get(current.pk))
        existing = FeedbackTag.objects.filter(workspace=workspace, tag=current)
        if remove:
            stale = existing.filter(auto=True)
            if condition is not None:
                stale = stale.exclude(item__in=items.filter(condition).values("pk"))
            stale.delete()
        if condition is None:
            continue
        # One read of the missing ids (integers: small even for a million items), inserted in batches.
        missing = list(items.filter(condition).filter(~Exists(existing.filter(item=OuterRef("pk"))))
                       .order_by("pk").values_list("pk", flat=True))
        for ids in batched(missing, batch_size):
            FeedbackTag.objects.bulk_create([FeedbackTag(workspace=workspace, item_id=item_id, tag=current, auto=True)
                                             for item_id in ids], ignore_conflicts=True)
        added += len(missing)
    return added


@transaction.atomic
def feedback_bulk_tag(*, workspace: Workspace, item_ids: Sequence[int], tag: Tag, add: bool) -> int:
    """Add `tag` to (or take it off) the workspace's items among `item_ids`; ids of other workspaces are
    ignored. A tag added by hand stays even when the rule stops matching. Returns the items changed."""
    ids = list(FeedbackItem.objects.for_workspace(workspace).filter(pk__in=list(item_ids)[:500])
               .values_list("pk", flat=True))
    existing = FeedbackTag.objects.for_workspace(workspace).filter(tag=tag, item_id__in=ids)
    if not add:
        return existing.delete()[0]
    existing.filter(auto=True).update(auto=False)
    created = FeedbackTag.objects.bulk_create(
        [FeedbackTag(workspace=workspace, item_id=item_id, tag=tag) for item_id in ids], ignore_conflicts=True)
    return len(created)


# Themes and sentiment -------------------------------------------------------------------------------

def feedback_analyse(*, workspace: Workspace, item_ids: Sequence[int] | None = None, pending_only: bool = False,
                     limit: int | None = None, since: datetime | None = None,
                     batch_size: int = ANALYSIS_BATCH_SIZE) -> int:
    """Compute sentiment and themes for the workspace's items (the given ones, the not yet analysed, or
    all; newest first, at most `limit`), a batch at a time: analyse, upsert the themes, replace the
    items' theme links, update their scores. Recomputes from the text, so running it again converges."""
    queryset = FeedbackItem.objects.for_workspace(workspace)
    if item_ids is not None:
        queryset = queryset.filter(pk__in=list(item_ids))
    if pending_only:
        queryset = queryset.filter(analysed_at__isnull=True)
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    ids = list(queryset.order_by("-created_at", "-pk").values_list("pk", flat=True)[:limit])
    korean_model = adaptation.model_for(workspace) if ids else None
    for batch in batched(ids, batch_size):
        rows = list(FeedbackItem.objects.filter(pk__in=batch).values_list("pk", "text", "language"))
        results = analysis.analyse_many([text for _pk, text, _language in rows],
                                        [language for _pk, _text, language in rows], korean_model=korean_model)
        _analysis_save(workspace, [pk for pk, *_rest in rows], results)
    return len(ids)


def _analysis_save(workspace: Workspace, item_ids: list[int], results: list[analysis.Analysis]) -> None:
    """Upsert the themes, replace the items' theme links (each with its clause's sentiment), update the
    items' sentiment and the version that labelled them."""
    labels = {mention.key: (mention.label_ko, mention.label_en) for result in results for mention in result.mentions}
    with transaction.atomic():
        Theme.objects.bulk_create([Theme(workspace=workspace, key=key, label_ko=ko, label_en=en)
                                   for key, (ko, en) in labels.items()], ignore_conflicts=True)
        # A theme a marketer merged into another is linked as that one.
        theme_ids = {key: merged_into or pk for key, pk, merged_into in Theme.objects.for_workspace(workspace)
                     .filter(key__in=list(labels)).values_list("key", "pk", "merged_into_id")}
        FeedbackTheme.objects.filter(workspace=workspace, item_id__in=item_ids).delete()
        FeedbackTheme.objects.bulk_create([
            FeedbackTheme(workspace=workspace, item_id=pk, theme_id=theme_ids[mention.key],
                          sentiment_label=mention.sentiment_label, sentiment_score=mention.sentiment_score,
                          unmet_need=mention.unmet_need)
            for pk, result in zip(item_ids, results, strict=True) for mention in result.mentions],
            ignore_conflicts=True)
        now = timezone.now()
        FeedbackItem.objects.bulk_update([
            FeedbackItem(pk=pk, sentiment_score=result.sentiment_score, sentiment_label=result.sentiment_label,
                         sentiment_confidence=result.confidence, unmet_need=result.unmet_need,
                         analysis_version=result.version[:40], analysis_error=result.error[:200],
                         language=result.language, analysed_at=now)
            for pk, result in zip(item_ids, results, strict=True)],
            ["sentiment_score", "sentiment_label", "sentiment_confidence", "unmet_need", "analysis_version",
             "analysis_error", "language", "analysed_at"])


# Feedback CSV import ---------------------------------------------------------------------------------

@transaction.atomic
def feedback_import_create(*, workspace: Workspace, uploaded_by, file_name: str, content: bytes) -> FeedbackImport:
    feedback_import = FeedbackImport.objects.create(workspace=workspace, uploaded_by=uploaded_by,
                                                    file_name=file_name[:255], content=content)
    enqueue_on_commit(tasks.import_feedback, feedback_import.pk)
    return feedback_import


def _import_update(import_id: int, **fields) -> None:
    FeedbackImport.objects.filter(pk=import_id).update(**fields)


def feedback_import_run(*, feedback_import_id: int) -> FeedbackImport:
    """Import the stored file from scratch: the items a previous run of this import created are replaced,
    every valid row becomes an item (tagged by the rules; analysed by the job enqueued at the end), bad
    rows are reported by line. Never raises for a bad file: the import ends DONE or FAILED with a code."""
    feedback_import = FeedbackImport.objects.select_related("workspace").get(pk=feedback_import_id)
    workspace = feedback_import.workspace
    _import_update(feedback_import_id, status=FeedbackImport.Status.RUNNING, encoding="", total_rows=0,
                   created_count=0, error_count=0, errors=[], failure_code="", failure_params={}, finished_at=None)
    errors: list[dict] = []
    error_count = created = 0
    try:
        parsed = FeedbackCsv(bytes(feedback_import.content), time_zone=workspace.time_zone)
        _import_update(feedback_import_id, encoding=parsed.encoding, total_rows=parsed.total_rows)
        FeedbackItem.objects.for_workspace(workspace).filter(feedback_import=feedback_import).delete()
        touchpoints = {}
        for pk, name in Touchpoint.objects.for_workspace(workspace).values_list("pk", "name"):
            touchpoints.setdefault(name.casefold(), pk)
            touchpoints[str(pk)] = pk
        rules = _active_rules(workspace)
        seen_external: dict[tuple[str, str], int] = {}
        for batch in batched(parsed.rows(), BATCH_SIZE):
            rows = []
            for row in batch:
                if isinstance(row, list):
                    error_count += 1
                    errors.extend(error.as_entry() for error in row)
                    continue
                rows.append(row)
            customer_ids = dict(Customer.objects.for_workspace(workspace)
                                .filter(external_id__in={row.customer for row in rows if row.customer})
                                .values_list("external_id", "pk"))
            already = set(FeedbackItem.objects.for_workspace(workspace)
                          .filter(external_id__in={row.external_id for row in rows if row.external_id})
                          .values_list("source", "external_id"))
            items = []
            for row in rows:
                row_errors = []
                touchpoint_id = touchpoints.get(row.touchpoint.casefold()) if row.touchpoint else None
                if row.touchpoint and touchpoint_id is None:
                    row_errors.append(RowError(row.line, "unknown_touchpoint", {"value": row.touchpoint[:60]}))
                if row.customer and row.customer not in customer_ids:
                    row_errors.append(RowError(row.line, "unknown_customer", {"value": row.customer[:60]}))
                key = (row.source, row.external_id)
                if row.external_id and (key in already or key in seen_external):
                    row_errors.append(RowError(row.line, "duplicate_external_id", {
                        "value": row.external_id[:60], "first_line": seen_external.get(key, row.line)}))
                if row_errors:
                    error_count += 1
                    errors.extend(error.as_entry() for error in row_errors)
                    continue
                if row.external_id:
                    seen_external[key] = row.line
                items.append(FeedbackItem(
                    workspace=workspace, feedback_import=feedback_import, text=row.text, source=row.source,
                    language=analysis.detect_language(row.text, default=row.language or workspace.default_language),
                    score=row.score, score_group=ScoreGroup.of(row.score), touchpoint_id=touchpoint_id,
                    customer_id=customer_ids.get(row.customer), created_at=row.created_at or timezone.now(),
                    external_id=row.external_id))
            with transaction.atomic():
                FeedbackItem.objects.bulk_create(items)
                tag_rules_apply_to_items(workspace=workspace, items=items, rules=rules)
            created += len(items)
            _import_update(feedback_import_id, created_count=created, error_count=error_count)
    except ImportFailure as failure:
        _import_update(feedback_import_id, status=FeedbackImport.Status.FAILED, failure_code=failure.code,
                       failure_params=failure.params, finished_at=timezone.now(), errors=errors[:MAX_STORED_ERRORS],
                       error_count=error_count, created_count=created)
        return FeedbackImport.objects.get(pk=feedback_import_id)
    except Exception:
        logger.exception("feedback import %s stopped", feedback_import_id)
        _import_update(feedback_import_id, status=FeedbackImport.Status.FAILED, failure_code="unexpected",
                       failure_params={}, finished_at=timezone.now(), created_count=created)
        return FeedbackImport.objects.get(pk=feedback_import_id)
    errors.sort(key=lambda entry: entry["line"])
    _import_update(feedback_import_id, status=FeedbackImport.Status.DONE, finished_at=timezone.now(),
                   errors=errors[:MAX_STORED_ERRORS], error_count=error_count, created_count=created)
    if created:
        enqueue_on_commit(tasks.analyse_pending_feedback_for_workspace, workspace.pk)
    return FeedbackImport.objects.get(pk=feedback_import_id)


# Follow-up cases ---------------------------------------------------------------------------------------

def _open_case_counts():
    return Coalesce(Subquery(
        FollowUpCase.objects.filter(workspace=OuterRef("workspace"), assignee=OuterRef("user"),
                                    status__in=FollowUpCase.WORKING_STATUSES)
        .order_by().values("assignee").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField()), Value(0))


def case_candidates(workspace: Workspace):
    """Members who may work cases with their workload, in the order a new case goes to them: analysts
    first (admins and owners only when there is no analyst), then fewest open cases, then seniority."""
    return (Membership.objects.for_workspace(workspace).filter(role__in=CASE_WORKER_ROLES)
            .annotate(tier=Case(When(role=Role.ANALYST, then=Value(0)), default=Value(1), output_field=IntegerField()),
                      open_cases=_open_case_counts())
            .order_by("tier", "open_cases", "pk"))


def _assignee_query(workspace_id: int, touchpoint_id: int | None = None):
    candidates = case_candidates(workspace_id)
    if touchpoint_id is not None:
        # One query: the owner, when among the candidates, sorts before everyone else.
        owner = Touchpoint.objects.filter(pk=touchpoint_id, workspace=workspace_id).values("owner_id")[:1]
        candidates = candidates.annotate(is_owner=Case(When(user_id=Subquery(owner), then=Value(0)), default=Value(1),
                                                       output_field=IntegerField()))
        candidates = candidates.order_by("is_owner", "tier", "open_cases", "pk")
    return candidates.values_list("user_id")[:1]


# Every detractor's case runs this: compiled once (cxm/prepared.py), one shape with a touchpoint, one without.
ASSIGNEE = PreparedQuery(_assignee_query, "workspace_id")
ASSIGNEE_WITH_OWNER = PreparedQuery(_assignee_query, "workspace_id", "touchpoint_id")


def case_assignee_pick(*, workspace: Workspace, touchpoint_id: int | None) -> int | None:
    """The touchpoint's owner while they are still a member who may work cases; otherwise the analyst
    with the fewest open cases (ties: the earliest member), or an admin or owner when there is no analyst.
    Deterministic, and fair over time. Returns a user id, or None in a workspace of viewers only."""
    if touchpoint_id is None:
        rows = ASSIGNEE.rows(workspace_id=workspace.pk)
    else:
        rows = ASSIGNEE_WITH_OWNER.rows(workspace_id=workspace.pk, touchpoint_id=touchpoint_id)
    return rows[0][0] if rows else None


class AssigneePicker:
    """case_assignee_pick for many cases at once (the backfill): the workloads are read once and
    counted up in memory, so the choice stays fair without a query per case."""

    def __init__(self, workspace: Workspace):
        candidates = list(case_candidates(workspace).values_list("user_id", "tier", "open_cases", "pk"))
        tier = min((row[1] for row in candidates), default=0)
        self.pool = {user_id: [open_cases, order] for user_id, row_tier, open_cases, order in candidates
                     if row_tier == tier}
        self.workers = {row[0] for row in candidates}
        self.owners = dict(Touchpoint.objects.for_workspace(workspace).exclude(owner=None)
                           .values_list("pk", "owner_id"))

    def pick(self, touchpoint_id: int | None) -> int | None:
        owner = self.owners.get(touchpoint_id)
        if owner in self.workers:
            if owner in self.pool:
                self.pool[owner][0] += 1
            return owner
        if not self.pool:
            return None
        user_id = min(self.pool, key=lambda key: tuple(self.pool[key]))
        self.pool[user_id][0] += 1
        return user_id


def follow_up_case_open_for_response(*, response: Response, batch: inserts.Batch,
                                     feedback_item: FeedbackItem | None = None, texts: Sequence[str] = (),
                                     comment_rules: Sequence[AlertRule] | None = None
                                     ) -> Callable[[], FollowUpCase | None]:
    """Open the new response's case when its NPS answer is at or below the workspace's threshold, or when its
    comment matches a comment alert rule: its rows go into `batch`. Returns what to call once the batch has
    run, which e-mails the assignee after commit, emits the webhook event and returns the case (or None)."""
    workspace = response.workspace
    reason, rule = None, None
    if response.nps_score is not None and response.nps_score <= workspace.follow_up_nps_threshold:
        reason = FollowUpCase.Reason.DETRACTOR
    else:
        comment = "\n".join([response.comment, *texts])
        if comment.strip():
            if comment_rules is None:
                comment_rules = AlertRule.objects.for_workspace(workspace).filter(
                    is_active=True, kind=AlertRule.Kind.COMMENT_KEYWORDS).order_by("pk")
            rule = next((rule for rule in comment_rules if rule.matches_comment(comment)), None)
            reason = FollowUpCase.Reason.ALERT_RULE if rule is not None else None
    if reason is None:
        return lambda: None
    now = timezone.now()
    case = inserts.row(
        FollowUpCase, workspace=workspace, response=response, feedback_item=feedback_item,
        customer_id=response.customer_id, touchpoint_id=response.touchpoint_id, survey_id=response.survey_id,
        nps_score=response.nps_score, reason=reason, alert_rule_id=rule.pk if rule is not None else None,
        assignee_id=case_assignee_pick(workspace=workspace, touchpoint_id=response.touchpoint_id),
        created_at=now, due_at=FollowUpCase.due_from(now, workspace.follow_up_sla_hours))
    # A new response has no case yet: no conflict to expect, and the event below takes the case's key.
    batch.add([case])
    batch.add([inserts.row(CaseEvent, workspace=workspace, case=case, kind=CaseEvent.Kind.OPENED,
                           to_status=case.status, assignee_id=case.assignee_id, created_at=now)])

    def announce() -> FollowUpCase:
        if case.assignee_id is not None:
            enqueue_on_commit(tasks.send_case_assigned_email, case.pk)
        webhook_services.event_emit(workspace=workspace, event="follow_up_case.opened",
                                    payload=lambda: webhook_payloads.follow_up_case(case))
        return case

    return announce


def _check_may_work(actor: Membership) -> None:
    from django.core.exceptions import PermissionDenied

    if not actor.has_role(Role.ANALYST):
        raise PermissionDenied


@transaction.atomic
def follow_up_case_set_status(*, case: FollowUpCase, status: str, actor: Membership, note: str = "") -> FollowUpCase:
    """Move the case along new → contacted → resolved → closed (reopen: resolved → contacted). Closing
    records closed_at and the time to close. Raises ValidationError for a move the workflow forbids."""
    _check_may_work(actor)
    locked = FollowUpCase.objects.select_for_update().get(pk=case.pk, workspace=case.workspace_id)
    if not locked.can_move_to(status):
        raise ValidationError(_("A case that is %(current)s cannot become %(status)s.") % {
            "current": locked.get_status_display().lower(),
            "status": str(FollowUpCase.Status(status).label).lower() if status in FollowUpCase.Status.values
            else status})
    now = timezone.now()
    previous = locked.status
    locked.status = status
    if status == FollowUpCase.Status.CONTACTED and locked.contacted_at is None:
        locked.contacted_at = now
    if status == FollowUpCase.Status.RESOLVED:
        locked.resolved_at = now
    if previous == FollowUpCase.Status.RESOLVED and status == FollowUpCase.Status.CONTACTED:
        locked.resolved_at = None  # reopened
    if status == FollowUpCase.Status.CLOSED:
        locked.closed_at = now
        locked.time_to_close = now - locked.created_at
    locked.save()
    CaseEvent.objects.create(workspace_id=locked.workspace_id, case=locked, author=actor.user,
                             kind=CaseEvent.Kind.STATUS, from_status=previous, to_status=status,
                             text=note.strip(), created_at=now)
    for field in ("status", "contacted_at", "resolved_at", "closed_at", "time_to_close", "updated_at"):
        setattr(case, field, getattr(locked, field))
    if status == FollowUpCase.Status.CLOSED:
        webhook_services.event_emit(workspace=case.workspace, event="follow_up_case.closed",
                                    payload=lambda: webhook_payloads.follow_up_case(case))
    return case


def follow_up_case_close(*, case: FollowUpCase, closed_by: Membership, note: str = "") -> FollowUpCase:
    return follow_up_case_set_status(case=case, status=FollowUpCase.Status.CLOSED, actor=closed_by, note=note)


def follow_up_case_add_note(*, case: FollowUpCase, actor: Membership, text: str) -> CaseEvent:
    _check_may_work(actor)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a note first.")})
    event = CaseEvent.objects.create(workspace_id=case.workspace_id, case=case, author=actor.user,
                                     kind=CaseEvent.Kind.NOTE, text=text[:5000])
    FollowUpCase.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return event


@transaction.atomic
def follow_up_case_reassign(*, case: FollowUpCase, actor: Membership, assignee_id: int) -> FollowUpCase:
    """Admins hand a case to another member who may work cases; the new assignee is e-mailed."""
    from django.core.exceptions import PermissionDenied

    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied
    if not Membership.objects.for_workspace(case.workspace_id).filter(user_id=assignee_id,
                                                                      role__in=CASE_WORKER_ROLES).exists():
        raise ValidationError({"assignee": _("Choose a member who works cases (analyst, admin or owner).")})
    if case.assignee_id == assignee_id:
        return case
    case.assignee_id = assignee_id
    case.save(update_fields=["assignee", "updated_at"])
    CaseEvent.objects.create(workspace_id=case.workspace_id, case=case, author=actor.user,
                             kind=CaseEvent.Kind.ASSIGNED, assignee_id=assignee_id)
    enqueue_on_commit(tasks.send_case_assigned_email, case.pk)
    return case


# Alert rules -------------------------------------------------------------------------------------------

def alert_rule_save(*, rule: AlertRule) -> AlertRule:
    if rule.touchpoint_id is not None and rule.touchpoint.workspace_id != rule.workspace_id:
        raise ValidationError({"touchpoint": _("This belongs to another workspace.")})
    if rule.kind == AlertRule.Kind.COMMENT_KEYWORDS and not rule.keyword_list:
        raise ValidationError({"keywords": _("Give at least one keyword.")})
    if rule.kind == AlertRule.Kind.TOUCHPOINT_NPS_BELOW and not -100 <= rule.threshold <= 100:
        raise ValidationError({"threshold": _("An NPS lies between −100 and 100.")})
    if rule.kind == AlertRule.Kind.DETRACTOR_SHARE_ABOVE and not 0 <= rule.threshold <= 100:
        raise ValidationError({"threshold": _("A share lies between 0 and 100%.")})
    with transaction.atomic():
        rule.full_clean()
        rule.save()
        # Changed conditions start afresh: the next check fires for a breach that still holds.
        AlertState.objects.for_workspace(rule.workspace_id).filter(rule=rule).delete()
    return rule


def alert_acknowledge(*, alert: Alert, actor: Membership) -> Alert:
    _check_may_work(actor)
    if alert.status == Alert.Status.OPEN:
        alert.status, alert.acknowledged_by, alert.acknowledged_at = Alert.Status.ACKNOWLEDGED, actor.user, \
            timezone.now()
        alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    return alert


def _zone(workspace: Workspace) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(workspace.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def alert_rule_measure(*, rule: AlertRule, now: datetime) -> tuple[str, list[tuple[int | None, float | None, int]]]:
    """The rule's metric per scope, in one aggregate query over the responses: (period key,
    [(touchpoint id or None for the whole workspace, value, responses)])."""
    responses = Response.objects.for_workspace(rule.workspace_id).filter(nps_score__isnull=False)
    if rule.touchpoint_id is not None:
        responses = responses.filter(touchpoint_id=rule.touchpoint_id)
    if rule.kind == AlertRule.Kind.TOUCHPOINT_NPS_BELOW:
        rows = (responses.in_period(now - NPS_WINDOW, now).filter(touchpoint__isnull=False)
                .values("touchpoint").order_by("touchpoint")
                .annotate(promoters=Count("pk", filter=Q(nps_score__gte=9)),
                          passives=Count("pk", filter=Q(nps_score__in=(7, 8))),
                          detractors=Count("pk", filter=Q(nps_score__lte=6))))
        return "", [(row["touchpoint"], nps_value(row["promoters"], row["passives"], row["detractors"]),
                     row["promoters"] + row["passives"] + row["detractors"]) for row in rows]
    local_now = now.astimezone(_zone(rule.workspace))
    day_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    counts = responses.in_period(day_start, now).aggregate(
        total=Count("pk"), detractors=Count("pk", filter=Q(nps_score__lte=6)))
    share = counts["detractors"] * 100 / counts["total"] if counts["total"] else None
    return local_now.date().isoformat(), [(rule.touchpoint_id, share, counts["total"])]


def alert_rules_check(*, workspace: Workspace, now: datetime | None = None) -> list[Alert]:
    """Evaluate the workspace's metric rules. An alert fires when a scope's state flips from armed to
    breached (a conditional UPDATE, so two concurrent checks cannot both fire), and the rule re-arms
    when the metric recovers, or when a new day starts for a daily rule. Too few responses change
    nothing. Safe to run at any frequency: a breach fires once, however many checks see it."""
    now = now or timezone.now()
    fired: list[Alert] = []
    rules = AlertRule.objects.for_workspace(workspace).filter(is_active=True, kind__in=[
        AlertRule.Kind.TOUCHPOINT_NPS_BELOW, AlertRule.Kind.DETRACTOR_SHARE_ABOVE]).select_related("workspace")
    for rule in rules:
        period_key, measurements = alert_rule_measure(rule=rule, now=now)
        states = {state.scope_key: state for state in AlertState.objects.for_workspace(workspace).filter(rule=rule)}
        for touchpoint_id, value, sample_size in measurements:
            scope_key = touchpoint_id or 0
            state = states.get(scope_key)
            if state is None:
                AlertState.objects.bulk_create([AlertState(workspace=workspace, rule=rule, touchpoint_id=touchpoint_id,
                                                           scope_key=scope_key, period_key=period_key)],
                                               ignore_conflicts=True)
                state = AlertState.objects.get(workspace=workspace, rule=rule, scope_key=scope_key)
            mine = AlertState.objects.filter(pk=state.pk)
            mine.exclude(period_key=period_key).update(period_key=period_key, is_breached=False)
            mine.update(value=value, sample_size=sample_size, checked_at=now)
            if value is None or sample_size < rule.min_responses:
                continue
            breached = (value < rule.threshold if rule.kind == AlertRule.Kind.TOUCHPOINT_NPS_BELOW
                        else value > rule.threshold)
            if breached:
                with transaction.atomic():
                    if mine.filter(is_breached=False).update(is_breached=True):
                        alert = Alert.objects.create(workspace=workspace, rule=rule, touchpoint_id=touchpoint_id,
                                                     value=round(value, 2), threshold=rule.threshold,
                                                     sample_size=sample_size, fired_at=now)
                        enqueue_on_commit(tasks.send_alert_email, alert.pk)
                        webhook_services.event_emit(workspace=workspace, event="alert.fired",
                                                    payload=lambda alert=alert: webhook_payloads.alert_fired(alert))
                        fired.append(alert)
            elif mine.filter(is_breached=True).update(is_breached=False):
                Alert.objects.for_workspace(workspace).filter(
                    rule=rule, touchpoint_id=touchpoint_id, recovered_at__isnull=True).update(recovered_at=now)
    return fired


def alert_email_recipients(workspace: Workspace) -> list[tuple[str, str]]:
    """(address, language) of the workspace's admins and owners."""
    rows = (Membership.objects.for_workspace(workspace).filter(role__in=(Role.ADMIN, Role.OWNER))
            .exclude(user__email="").values_list("user__email", "user__language"))
    return [(email, language or workspace.default_language) for email, language in rows]


def in_language(language: str):
    return translation.override(language or "en")
