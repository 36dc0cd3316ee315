"""The NPS follow-up range (show_if_nps_min/max) becomes a display condition "score is between min and
max" on the survey's first NPS question (a visible one if there is one). The builder never let a
follow-up exist without an NPS question, so every follow-up finds its source."""

from django.db import migrations


def forwards(apps, schema_editor):
    Question = apps.get_model("surveys", "Question")
    follow_ups = (Question.objects.filter(show_if_nps_min__isnull=False) |
                  Question.objects.filter(show_if_nps_max__isnull=False))
    first_nps = {}
    for survey_id, question_id, is_hidden in (Question.objects.filter(kind="nps")
                                              .order_by("survey_id", "is_hidden", "position", "pk")
                                              .values_list("survey_id", "pk", "is_hidden")):
        first_nps.setdefault(survey_id, question_id)
    changed = []
    for question in follow_ups.exclude(kind="nps"):
        source = first_nps.get(question.survey_id)
        if source is None:
            continue
        question.condition_question_id = source
        question.condition_operator = "score_between"
        question.condition_min = question.show_if_nps_min if question.show_if_nps_min is not None else 0
        question.condition_max = question.show_if_nps_max if question.show_if_nps_max is not None else 10
        changed.append(question)
    Question.objects.bulk_update(changed, ["condition_question", "condition_operator", "condition_min",
                                           "condition_max"], batch_size=500)


def backwards(apps, schema_editor):
    Question = apps.get_model("surveys", "Question")
    changed = []
    for question in Question.objects.filter(condition_operator="score_between",
                                            condition_question__kind="nps"):
        question.show_if_nps_min, question.show_if_nps_max = question.condition_min, question.condition_max
        changed.append(question)
    Question.objects.bulk_update(changed, ["show_if_nps_min", "show_if_nps_max"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_survey_logic_languages_partials_quotas")]

    operations = [migrations.RunPython(forwards, backwards)]
