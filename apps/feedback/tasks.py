"""Celery jobs of the feedback app. Each takes ids, reloads its rows and wraps a service; each is safe to
run again (recompute and upsert, or a state flip that happens once)."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cxm import emails

logger = logging.getLogger(__name__)

# The periodic analysis takes the newest pending items first, this many per workspace and run.
PENDING_ANALYSIS_LIMIT = 20_000
NEW_ANALYSIS_LIMIT = 5_000
RECONCILE_CASES_DAYS = 7


def _workspace(workspace_id: int):
    from apps.workspaces.models import Workspace

    return Workspace.objects.filter(pk=workspace_id).first()


@shared_task(acks_late=True)
def analyse_feedback_items(workspace_id: int, item_ids: list[int]) -> int:
    """Themes and sentiment of a few new items (enqueued when they are created)."""
    from . import services

    workspace = _workspace(workspace_id)
    return services.feedback_analyse(workspace=workspace, item_ids=item_ids) if workspace else 0


@shared_task(acks_late=True)
def analyse_new_feedback(workspace_id: int) -> int:
    """Themes and sentiment of the items survey responses created in the last day, enqueued coalesced on
    commit: one run takes every comment that arrived while it was queued. Older pending items (bulk
    loads) are left to the periodic catch-up."""
    from cxm.queue import coalesce_release

    from . import services

    coalesce_release(analyse_new_feedback, workspace_id)
    workspace = _workspace(workspace_id)
    if workspace is None:
        return 0
    return services.feedback_analyse(workspace=workspace, pending_only=True, limit=NEW_ANALYSIS_LIMIT,
                                     since=timezone.now() - timedelta(days=1))


@shared_task(acks_late=True)
def analyse_pending_feedback_for_workspace(workspace_id: int, limit: int = PENDING_ANALYSIS_LIMIT) -> int:
    from . import services

    workspace = _workspace(workspace_id)
    if workspace is None:
        return 0
    return services.feedback_analyse(workspace=workspace, pending_only=True, limit=limit)


@shared_task
def analyse_pending_feedback() -> int:
    """Periodic: catch up the analysis of items whose job was lost (Redis away) or never enqueued (bulk
    loads), one job per workspace so workers share them."""
    from .models import FeedbackItem

    workspace_ids = list(FeedbackItem.objects.filter(analysed_at__isnull=True).order_by()
                         .values_list("workspace_id", flat=True).distinct())
    for workspace_id in workspace_ids:
        analyse_pending_feedback_for_workspace.delay(workspace_id)
    return len(workspace_ids)


@shared_task(acks_late=True)
def reapply_tag_rules(workspace_id: int, tag_id: int | None = None) -> int:
    """Re-tag every item after a tag rule changed (set-based; manual tags stay)."""
    from . import services
    from .models import Tag

    workspace = _workspace(workspace_id)
    if workspace is None:
        return 0
    tag = Tag.objects.for_workspace(workspace).filter(pk=tag_id).first() if tag_id else None
    if tag_id and tag is None:
        return 0
    return services.tag_rules_reapply(workspace=workspace, tag=tag)


@shared_task(acks_late=True)
def import_feedback(feedback_import_id: int) -> None:
    from . import services

    services.feedback_import_run(feedback_import_id=feedback_import_id)


@shared_task(acks_late=True)
def reconcile_workspace_feedback(workspace_id: int) -> dict:
    from . import services

    workspace = _workspace(workspace_id)
    if workspace is None:
        return {}
    counts = services.feedback_backfill_from_responses(
        workspace, cases_since=timezone.now() - timedelta(days=RECONCILE_CASES_DAYS))
    counts["analysed"] = services.feedback_analyse(workspace=workspace, pending_only=True,
                                                   limit=PENDING_ANALYSIS_LIMIT)
    return counts


@shared_task
def reconcile_feedback() -> int:
    """Nightly: feedback items and cases that responses should have (bulk loads, lost jobs)."""
    from apps.workspaces.models import Workspace

    workspace_ids = list(Workspace.objects.values_list("pk", flat=True))
    for workspace_id in workspace_ids:
        reconcile_workspace_feedback.delay(workspace_id)
    return len(workspace_ids)


@shared_task(acks_late=True)
def check_workspace_alert_rules(workspace_id: int) -> int:
    from . import services

    workspace = _workspace(workspace_id)
    return len(services.alert_rules_check(workspace=workspace)) if workspace else 0


@shared_task
def check_alert_rules() -> int:
    """Periodic: evaluate the metric alert rules, one job per workspace that has some."""
    from .models import AlertRule

    workspace_ids = list(AlertRule.objects.filter(is_active=True).exclude(kind=AlertRule.Kind.COMMENT_KEYWORDS)
                         .order_by().values_list("workspace_id", flat=True).distinct())
    for workspace_id in workspace_ids:
        check_workspace_alert_rules.delay(workspace_id)
    return len(workspace_ids)


@shared_task(bind=True, acks_late=True)
def send_case_assigned_email(self, case_id: int) -> bool:
    """Tell the assignee about their case, in their language, with a link to it."""
    from .models import FollowUpCase

    case = (FollowUpCase.objects.select_related("workspace", "assignee", "customer", "touchpoint", "feedback_item")
            .filter(pk=case_id).first())
    if case is None or case.assignee is None or not case.assignee.email:
        return False
    workspace = case.workspace
    emails.send("follow_up_case_assigned", [case.assignee.email], {
        "case": case,
        "workspace": workspace,
        "assignee": case.assignee,
        "case_url": settings.SITE_URL + case.get_absolute_url(),
    }, workspace=workspace, language=case.assignee.language or workspace.default_language,
        topic=f"follow_up_case:{case.pk}", job=self)
    return True


@shared_task(bind=True, acks_late=True)
def send_alert_email(self, alert_id: int) -> int:
    """E-mail a fired alert to the workspace's admins and owners, each in their language."""
    from . import services
    from .models import Alert

    alert = Alert.objects.select_related("workspace", "rule", "touchpoint").filter(pk=alert_id).first()
    if alert is None:
        return 0
    workspace = alert.workspace
    url = settings.SITE_URL + reverse("feedback:alert_list", kwargs={"workspace_slug": workspace.slug})
    recipients = services.alert_email_recipients(workspace)
    for address, language in recipients:
        emails.send("alert_fired", [address], {"alert": alert, "workspace": workspace, "rule": alert.rule,
                                               "alert_url": url}, workspace=workspace, language=language,
                    topic=f"alert:{alert.pk}", job=self)
    return len(recipients)


@shared_task(acks_late=True)
def refit_text_model(workspace_id: int) -> bool:
    """Fit a workspace's own sentiment model from its scored comments (it re-analyses if the model in use
    changes). Refitting recomputes from the comments, so a second run stores the same thing."""
    from . import text_services

    workspace = _workspace(workspace_id)
    return bool(workspace and text_services.text_model_refit(workspace=workspace))


@shared_task
def refit_text_models() -> int:
    """Periodic: refit the models of the workspaces with enough new scored comments since their last fit."""
    from . import adaptation

    due = adaptation.workspaces_due()
    for workspace_id in due:
        refit_text_model.delay(workspace_id)
    return len(due)


@shared_task(acks_late=True)
def reanalyse_feedback(reanalysis_id: int) -> int:
    from . import text_services
    from .models import Reanalysis

    run = Reanalysis.objects.select_related("workspace").filter(pk=reanalysis_id).first()
    if run is None or run.status == Reanalysis.Status.DONE:
        return 0
    return text_services.reanalysis_run(run)


@shared_task(acks_late=True)
def discover_themes(workspace_id: int) -> int:
    """Mark the workspace's themes found in its data (recomputed from all its comments each time)."""
    from . import text_services

    workspace = _workspace(workspace_id)
    return text_services.themes_discover(workspace=workspace) if workspace else 0


@shared_task
def discover_all_themes() -> int:
    """Periodic: theme discovery for every workspace with analysed feedback, one job each."""
    from .models import FeedbackTheme

    workspace_ids = list(FeedbackTheme.objects.order_by().values_list("workspace_id", flat=True).distinct())
    for workspace_id in workspace_ids:
        discover_themes.delay(workspace_id)
    return len(workspace_ids)
