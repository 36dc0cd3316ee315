"""A question or choice saved or deleted anywhere (the builder, the admin site, a shell) moves its
survey's revision on, so the public page's caches (page_cache.py) stop serving the old version. The
builder's bulk writes, which send no signals, call page_cache.survey_revise themselves."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Choice, Question
from .page_cache import survey_revise


@receiver([post_save, post_delete], sender=Question, dispatch_uid="surveys-question-revise")
def question_changed(sender, instance: Question, **kwargs) -> None:
    survey_revise(instance.survey_id)


@receiver([post_save, post_delete], sender=Choice, dispatch_uid="surveys-choice-revise")
def choice_changed(sender, instance: Choice, **kwargs) -> None:
    # A choice deleted with its question (a cascade) finds the question gone: look the survey up softly.
    survey_id = Question.objects.filter(pk=instance.question_id).values_list("survey_id", flat=True).first()
    survey_revise(survey_id)
