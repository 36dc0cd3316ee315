"""Writes of the text analysis: fitting a workspace's own sentiment model, turning it on or off,
re-analysing a workspace's feedback when its model or its themes change (a job with progress), and a
marketer's theme edits (rename, hide, merge, split)."""

import logging

from django.db import transaction
from django.utils import timezone

from apps.workspaces.models import Workspace
from cxm.queue import enqueue_on_commit

from . import adaptation, services, tasks, theme_discovery
from .models import FeedbackItem, FeedbackTheme, Reanalysis, Theme, WorkspaceTextModel

logger = logging.getLogger(__name__)

REANALYSIS_BATCH = 500


def text_model_refit(*, workspace: Workspace) -> WorkspaceTextModel | None:
    """Fit the workspace's model from its scored comments; when the model in use changes, re-analyse."""
    before = adaptation.model_for(workspace)
    state = adaptation.fit(workspace)
    if state is not None and adaptation.model_for(workspace) is not before:
        reanalysis_start(workspace=workspace, reason=Reanalysis.Reason.MODEL)
    return state


def text_model_refit_later(*, workspace: Workspace) -> None:
    """Fit the workspace's model again in a job, once the request's transaction commits."""
    enqueue_on_commit(tasks.refit_text_model, workspace.pk)


@transaction.atomic
def text_adaptation_set(*, workspace: Workspace, enabled: bool, by=None) -> WorkspaceTextModel:
    """Turn learning the workspace's words on or off; the feedback is re-analysed by the model now in use."""
    state, _created = (WorkspaceTextModel.objects.for_workspace(workspace).select_for_update()
                       .get_or_create(workspace=workspace))
    if state.enabled != enabled:
        state.enabled = enabled
        state.save(update_fields=["enabled"])
        if state.helps:
            reanalysis_start(workspace=workspace, reason=Reanalysis.Reason.MODEL, requested_by=by)
        elif enabled:
            text_model_refit_later(workspace=workspace)
    return state


def reanalysis_start(*, workspace: Workspace, reason: str, requested_by=None) -> Reanalysis:
    """A re-analysis of every item, enqueued on commit; the one already waiting or running, if any."""
    with transaction.atomic():
        active = (Reanalysis.objects.for_workspace(workspace).select_for_update()
                  .filter(status__in=[Reanalysis.Status.PENDING, Reanalysis.Status.RUNNING]).first())
        if active is not None:
            return active
        run = Reanalysis.objects.create(workspace=workspace, reason=reason, requested_by=requested_by,
                                        total=FeedbackItem.objects.for_workspace(workspace).count())
        enqueue_on_commit(tasks.reanalyse_feedback, run.pk)
    return run


def reanalysis_run(run: Reanalysis) -> int:
    """Analyse again the items analysed before the run began (or never), newest first, a batch at a time,
    counting progress as it goes. Safe to run again: what is done stays done."""
    workspace = run.workspace
    Reanalysis.objects.filter(pk=run.pk).update(status=Reanalysis.Status.RUNNING)
    stale = FeedbackItem.objects.for_workspace(workspace).filter(created_at__lt=run.created_at).exclude(
        analysed_at__gte=run.created_at)
    analysed = 0
    try:
        while True:
            batch = list(stale.order_by("-created_at", "-pk").values_list("pk", flat=True)[:REANALYSIS_BATCH])
            if not batch:
                break
            analysed += services.feedback_analyse(workspace=workspace, item_ids=batch)
            Reanalysis.objects.filter(pk=run.pk).update(done=max(run.total - stale.count(), 0))
    except Exception as error:
        logger.exception("re-analysis %s failed", run.pk)
        Reanalysis.objects.filter(pk=run.pk).update(status=Reanalysis.Status.FAILED,
                                                    error=f"{type(error).__name__}: {error}"[:200])
        raise
    Reanalysis.objects.filter(pk=run.pk).update(status=Reanalysis.Status.DONE, done=run.total,
                                                finished_at=timezone.now())
    return analysed


# Themes: a marketer's edits ------------------------------------------------------------------------------

def theme_rename(*, theme: Theme, label_ko: str, label_en: str) -> Theme:
    """New labels; the analysis never overwrites them (it only adds themes it has not seen)."""
    theme.label_ko, theme.label_en = label_ko.strip()[:80], label_en.strip()[:80]
    theme.pinned = True
    theme.save(update_fields=["label_ko", "label_en", "pinned"])
    return theme


def theme_set_hidden(*, theme: Theme, hidden: bool) -> Theme:
    """A hidden theme is still found (so showing it again loses nothing) but no report shows it; a theme
    shown by hand stays shown whatever the discovery says."""
    theme.hidden = hidden
    theme.pinned = theme.pinned or not hidden
    theme.save(update_fields=["hidden", "pinned"])
    return theme


@transaction.atomic
def theme_merge(*, theme: Theme, into: Theme) -> Theme:
    """Count `theme` as `into` from now on: its mentions move over (a comment naming both keeps one), the
    themes merged into it follow, and new feedback that names it is linked to `into`."""
    if into.pk == theme.pk or into.workspace_id != theme.workspace_id or into.merged_into_id is not None:
        raise ValueError("a theme merges into another shown theme of its workspace")
    workspace = theme.workspace
    links = FeedbackTheme.objects.for_workspace(workspace).filter(theme=theme)
    FeedbackTheme.objects.bulk_create(
        [FeedbackTheme(workspace=workspace, theme=into, **row) for row in
         links.values("item_id", "sentiment_label", "sentiment_score", "unmet_need").iterator(chunk_size=2000)],
        ignore_conflicts=True, batch_size=2000)
    links.delete()
    Theme.objects.for_workspace(workspace).filter(merged_into=theme).update(merged_into=into)
    theme.merged_into = into
    theme.save(update_fields=["merged_into"])
    Theme.objects.for_workspace(workspace).filter(pk=into.pk).update(pinned=True)
    return theme


def themes_discover(*, workspace: Workspace) -> int:
    """Mark which of the workspace's themes are found in the data (theme_discovery); returns how many."""
    kept = theme_discovery.workspace_themes(workspace)
    themes = Theme.objects.for_workspace(workspace)
    with transaction.atomic():
        themes.filter(key__in=kept).update(found=True)
        themes.exclude(key__in=kept).update(found=False)
    return len(kept)


def theme_split(*, theme: Theme, by=None) -> Theme:
    """Undo a merge: the theme stands on its own again, and the feedback is re-analysed so its mentions
    come back to it."""
    if theme.merged_into_id is None:
        return theme
    theme.merged_into = None
    theme.save(update_fields=["merged_into"])
    reanalysis_start(workspace=theme.workspace, reason=Reanalysis.Reason.THEMES, requested_by=by)
    return theme
