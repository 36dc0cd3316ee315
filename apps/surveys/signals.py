"""A question or choice saved or deleted anywhere (the builder, the admin site, a shell) moves its
survey's revision on, so the public page's caches (page_cache.py) stop serving the old version. The
builder's bulk writes, which send no signals, call page_cache.survey_revise themselves.
A survey, workspace or touchpoint saved in this process drops the surveys it keeps by link (link_lookup.py)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.touchpoints.models import Touchpoint
from apps.workspaces.models import Workspace

from . import link_lookup
from .models import Choice, Question, Survey
from .page_cache import survey_revise


@receiver([post_save, post_delete], sender=Survey, dispatch_uid="surveys-survey-forget")
@receiver([post_save, post_delete], sender=Workspace, dispatch_uid="surveys-workspace-forget")
@receiver([post_save, post_delete], sender=Touchpoint, dispatch_uid="surveys-touchpoint-forget")
def link_target_changed(sender, **kwargs) -> None:
    link_lookup.forget()


@receiver([post_save, post_delete], sender=Question, dispatch_uid="surveys-question-revise")
def question_changed(sender, instance: Question, **kwargs) -> None:
    survey_revise(instance.survey_id)


@receiver([post_save, post_delete], sender=Choice, dispatch_uid="surveys-choice-revise")
def choice_changed(sender, instance: Choice, **kwargs) -> None:
    # A choice deleted with its question (a cascade) finds the question gone: look the survey up softly.
    survey_id = Question.objects.filter(pk=instance.question_id).values_list("survey_id", flat=True).first()
    survey_revise(survey_id)
