"""cxm.inserts.insert writes what save()/bulk_create() would, a Batch writes rows that refer to each other (in
one statement on PostgreSQL), and the submission path's statements are prepared on PostgreSQL."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import signals
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from apps.feedback.models import CaseEvent, FeedbackItem, FollowUpCase
from apps.kpis.models import DirtySlice
from apps.surveys import link_lookup
from apps.surveys.models import Answer, Question, Response, SubmissionKey
from cxm import inserts
from tests.factories import SurveyFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_rows_get_their_keys_in_order_and_read_back_as_saved():
    survey = SurveyFactory()
    workspace = survey.workspace
    questions = [Question.objects.create(workspace=workspace, survey=survey, position=n, kind="rating", text=f"Q{n}")
                 for n in (1, 2, 3)]
    response = Response(workspace=workspace, survey=survey, submitted_at=timezone.now(), nps_score=9,
                        hidden_fields={"order": "A-1"})
    assert inserts.insert([response]) == [response]
    assert response.pk is not None and not response._state.adding
    answers = [Answer(workspace=workspace, response=response, question=question, number=n)
               for n, question in enumerate(questions, start=1)]
    inserts.insert(answers)
    stored = Response.objects.get(pk=response.pk)
    assert (stored.survey_id, stored.nps_score, stored.hidden_fields) == (survey.pk, 9, {"order": "A-1"})
    assert stored.submission_key == response.submission_key  # a default computed on the instance is what is kept
    # Each instance got the key of its own row, not merely some key.
    assert {answer.pk: answer.number for answer in answers} == dict(
        Answer.objects.filter(response_id=response.pk).values_list("pk", "number"))


def test_a_conflicting_row_is_skipped_when_asked_and_nothing_is_written():
    workspace = WorkspaceFactory()
    first = SubmissionKey(workspace=workspace, key="k1", response_id=1, created_at=timezone.now())
    assert inserts.insert([first], ignore_conflicts=True) == [first]
    again = SubmissionKey(workspace=workspace, key="k1", response_id=2, created_at=timezone.now())
    assert inserts.insert([again], ignore_conflicts=True) == []
    assert again.pk is None
    assert list(SubmissionKey.objects.filter(workspace=workspace).values_list("response_id", flat=True)) == [1]
    with pytest.raises(ValueError):
        inserts.insert([again, again], ignore_conflicts=True)


def test_an_upsert_updates_the_row_already_there_and_fills_auto_now():
    workspace = WorkspaceFactory()
    day = date(2026, 12, 1)
    first = inserts.insert([DirtySlice(workspace=workspace, day=day)],
                           update_conflicts=(["workspace", "day"], ["marked_at"]))[0]
    assert first.marked_at is not None  # auto_now, as save() would set it
    long_ago = timezone.now() - timedelta(days=3)
    DirtySlice.objects.filter(pk=first.pk).update(marked_at=long_ago)
    second = inserts.insert([DirtySlice(workspace=workspace, day=day)],
                            update_conflicts=(["workspace", "day"], ["marked_at"]))[0]
    rows = list(DirtySlice.objects.filter(workspace=workspace).values_list("pk", "marked_at"))
    # One row, the same one, marked again now: not left as it was, not a second row.
    assert len(rows) == 1 and rows[0][0] == second.pk == first.pk and rows[0][1] > long_ago + timedelta(days=2)


def test_values_django_would_convert_are_converted_in_both_ways_of_writing():
    # A str, an int or None goes to the column as it is; anything else (a lazy translation, a number in a text
    # column, a str subclass) through the field's own conversion, as save() does.
    survey = SurveyFactory()
    lazy = Response(workspace=survey.workspace, survey=survey, submitted_at=timezone.now(),
                    comment=gettext_lazy("Thank you"), channel=SafeString("web"), nps_score=None)
    inserts.insert([lazy])
    batch = inserts.Batch()
    number = Response(workspace=survey.workspace, survey=survey, submitted_at=timezone.now(), comment=42,
                      nps_score=True)
    batch.add([number])
    batch.run()
    assert Response.objects.filter(pk=lazy.pk).values_list("comment", "channel", "nps_score").get() == (
        "Thank you", "web", None)
    assert Response.objects.filter(pk=number.pk).values_list("comment", "nps_score").get() == ("42", 1)


def test_nothing_to_insert_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert inserts.insert([]) == []


def _batch_of_a_response(survey, key: str):
    workspace = survey.workspace
    question = Question.objects.create(workspace=workspace, survey=survey, position=1, kind="long_text", text="Why?")
    batch = inserts.Batch()
    response = Response(workspace=workspace, survey=survey, submitted_at=timezone.now(), nps_score=2)
    batch.add([response])
    claim = batch.add([SubmissionKey(workspace=workspace, key=key, created_at=timezone.now())],
                      ignore_conflicts=True, keys_of={"response_id": response})
    answer = Answer(workspace=workspace, response=response, question=question, text="late")
    batch.add([answer])
    item = FeedbackItem(workspace=workspace, response=response, answer=answer, text="late", source="survey",
                        created_at=timezone.now())
    case = FollowUpCase(workspace=workspace, response=response, feedback_item=item, reason="detractor",
                        due_at=timezone.now())
    batch.add([item])
    batch.add([case])
    batch.add([CaseEvent(workspace=workspace, case=case, kind="opened", to_status="new")])
    return batch, claim, response, answer, item, case


def test_a_batch_gives_each_row_the_keys_of_the_rows_it_refers_to(django_assert_max_num_queries):
    survey = SurveyFactory()
    batch, claim, response, answer, item, case = _batch_of_a_response(survey, "k1")
    # One statement on PostgreSQL; elsewhere one per row (six here).
    with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 6):
        batch.run()
    assert claim.written == claim.instances
    assert SubmissionKey.objects.get(key="k1").response_id == response.pk
    assert Answer.objects.get(pk=answer.pk).response_id == response.pk == answer.response_id
    assert FeedbackItem.objects.filter(pk=item.pk, answer_id=answer.pk, response_id=response.pk).exists()
    assert FollowUpCase.objects.filter(pk=case.pk, feedback_item_id=item.pk, response_id=response.pk).exists()
    assert CaseEvent.objects.get().case_id == case.pk
    batch.run()  # nothing left to write
    assert Response.objects.count() == 1


def test_a_batch_skips_a_conflicting_row_and_writes_the_others():
    survey = SurveyFactory()
    _batch_of_a_response(survey, "k1")[0].run()
    batch, claim, response, *_rest = _batch_of_a_response(survey, "k1")
    batch.run()
    assert claim.written == []  # the caller learns that its claim lost
    assert response.pk is not None and Response.objects.count() == 2
    assert list(SubmissionKey.objects.values_list("response_id", flat=True)) != [response.pk]


@pytest.mark.postgresql  # elsewhere add() writes at once and the key is known
def test_a_row_cannot_refer_to_one_that_a_conflict_may_skip():
    workspace = WorkspaceFactory()
    batch = inserts.Batch()
    key = SubmissionKey(workspace=workspace, key="k", response_id=1, created_at=timezone.now())
    batch.add([key], ignore_conflicts=True)
    batch.add([DirtySlice(workspace=workspace, day=date(2026, 12, 1))], keys_of={"workspace_id": key})
    with pytest.raises(ValueError, match="cannot key"):
        batch.run()


@pytest.mark.postgresql
def test_the_submission_path_statements_are_prepared_on_postgresql(settings):
    settings.SURVEY_LINK_CACHE_SECONDS = 0  # every lookup goes to the database
    survey = SurveyFactory()
    for _ in range(3):
        assert link_lookup.survey_by_link(survey.token).pk == survey.pk
        inserts.insert([DirtySlice(workspace=survey.workspace, day=date(2026, 12, 1))],
                       update_conflicts=(["workspace", "day"], ["marked_at"]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "surveys_survey" s' in statement for statement in prepared), prepared
    assert any('INSERT INTO "kpis_dirtyslice"' in statement for statement in prepared), prepared


class TestRow:
    """inserts.row builds the instance Model(**values) would, for less: the rows of every submission."""

    @staticmethod
    def attributes(instance):
        return {name: value for name, value in vars(instance).items() if name != "_state"}

    def test_the_same_instance_as_the_model_builds(self, django_assert_num_queries):
        survey = SurveyFactory()
        values = {"workspace": survey.workspace, "survey": survey, "channel": "web", "nps_score": 3,
                  "submitted_at": timezone.now(), "submission_key": "k", "hidden_fields": {"store": "A"}}
        built, cheap = Response(**values), inserts.row(Response, **values)
        assert self.attributes(cheap) == self.attributes(built)
        assert cheap._state.adding and cheap._state.db is None
        with django_assert_num_queries(0):  # the related instances are kept, as the descriptor keeps them
            assert (cheap.workspace, cheap.survey) == (survey.workspace, survey)

    def test_computed_defaults_are_computed_for_each_instance(self):
        survey = SurveyFactory()
        first, second = (inserts.row(Response, workspace=survey.workspace, survey=survey) for _ in range(2))
        assert first.submission_key != second.submission_key
        first.hidden_fields["a"] = "1"
        assert second.hidden_fields == {}

    def test_an_unknown_name_or_a_wrong_instance_is_refused(self):
        survey = SurveyFactory()
        with pytest.raises(TypeError, match="nps"):
            inserts.row(Response, workspace=survey.workspace, nps=3)
        with pytest.raises(ValueError, match="workspace"):
            inserts.row(Response, workspace=survey)

    def test_pk_and_ids_are_taken_and_an_unsaved_instance_is_linked_by_a_batch(self):
        survey = SurveyFactory()
        assert inserts.row(SubmissionKey, pk=7, workspace_id=survey.workspace_id, key="k").id == 7
        question = Question.objects.create(workspace=survey.workspace, survey=survey, position=1, kind="rating",
                                           text="Q")
        batch = inserts.Batch()
        response = inserts.row(Response, workspace=survey.workspace, survey=survey, submitted_at=timezone.now())
        batch.add([response])
        answer = batch.add([inserts.row(Answer, workspace=survey.workspace, response=response, question=question,
                                        number=4)]).instances[0]
        batch.run()
        assert Answer.objects.get(pk=answer.pk).response_id == response.pk == answer.response_id

    def test_a_model_with_init_listeners_is_built_by_the_model(self):
        seen = []

        def listener(sender, instance, **kwargs):
            seen.append(instance)

        signals.post_init.connect(listener, sender=DirtySlice)
        try:
            row = inserts.row(DirtySlice, workspace_id=1, day=date(2026, 12, 1))
        finally:
            signals.post_init.disconnect(listener, sender=DirtySlice)
        assert seen == [row]
