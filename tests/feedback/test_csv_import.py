"""Feedback from other channels by CSV: encodings, header aliases, bad rows reported by line."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.feedback import services
from apps.feedback.models import FeedbackImport, FeedbackItem
from tests.factories import CustomerFactory, TouchpointFactory

from .factories import FeedbackImportFactory, TagRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_import(workspace):
    def run(content, *, encoding: str = "utf-8") -> FeedbackImport:
        if isinstance(content, str):
            content = content.encode(encoding)
        feedback_import = FeedbackImportFactory(workspace=workspace, content=content)
        return services.feedback_import_run(feedback_import_id=feedback_import.pk)

    return run


def test_a_korean_excel_file_in_cp949_is_imported(workspace, run_import):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace, name="고객센터")
    customer = CustomerFactory(workspace=workspace, external_id="K001")
    result = run_import("내용,출처,날짜,터치포인트,고객번호,점수\n"
                        "상담 연결이 너무 오래 걸려요,콜센터,2026-03-02 14:05,고객센터,K001,3\n"
                        "앱이 편해요,앱리뷰,2026/03/03,,,\n", encoding="cp949")
    assert (result.status, result.encoding, result.created_count, result.error_count) == ("done", "cp949", 2, 0)
    first = FeedbackItem.objects.get(text="상담 연결이 너무 오래 걸려요")
    assert (first.source, first.touchpoint, first.customer, first.score, first.score_group) == (
        "call_centre", touchpoint, customer, 3, "detractor")
    assert first.created_at.isoformat().startswith("2026-03-02T05:05")  # 14:05 in Seoul is 05:05 UTC
    assert FeedbackItem.objects.get(text="앱이 편해요").source == "app_review"
    assert first.language == "ko" and first.feedback_import_id == result.pk


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf"])
def test_utf8_with_or_without_bom(workspace, run_import, prefix):
    result = run_import(prefix + b"comment,source,language\nThe delivery was late,app review,en\n")
    assert result.status == "done" and result.created_count == 1
    assert FeedbackItem.objects.get().source == "app_review"


def test_bad_rows_are_reported_by_line_and_the_good_ones_kept(workspace, run_import):
    TouchpointFactory(stage__journey__workspace=workspace, name="Store")
    result = run_import(
        "text,source,date,touchpoint,customer,score,language\n"
        "Fine,csv,2026-01-05,Store,,9,en\n"
        ",csv,,,,,\n"
        "Bad source,fax,,,,,\n"
        "Bad date,csv,yesterday,,,,\n"
        "Bad score,csv,,,,11,\n"
        "Unknown touchpoint,csv,,Nowhere,,,\n"
        "Unknown customer,csv,,,X9,,\n"
        "Bad language,csv,,,,,fr\n")
    assert (result.status, result.created_count, result.error_count) == ("done", 1, 7)
    lines = {entry["line"]: entry["reason"] for entry in result.error_messages()}
    assert set(lines) == {3, 4, 5, 6, 7, 8, 9}
    assert "empty" in lines[3] and "fax" in lines[4] and "yesterday" in lines[5] and "11" in lines[6]
    assert "Nowhere" in lines[7] and "X9" in lines[8] and "fr" in lines[9]


def test_feedback_ids_are_not_imported_twice(workspace, run_import):
    first = run_import("review_id,review\nR1,Nice app\nR1,Nice app again\n")
    assert (first.created_count, first.error_count) == (1, 1)
    second = run_import("review_id,review\nR1,Nice app\n")
    assert (second.created_count, second.error_count) == (0, 1)
    assert FeedbackItem.objects.count() == 1


def test_running_an_import_again_replaces_its_items(workspace):
    feedback_import = FeedbackImportFactory(workspace=workspace, content=b"text\nOne\nTwo\n")
    for _ in range(2):
        services.feedback_import_run(feedback_import_id=feedback_import.pk)
    assert FeedbackItem.objects.count() == 2


def test_a_file_without_a_text_column_fails_with_a_message(workspace, run_import):
    result = run_import("name,email\nKim,kim@example.com\n")
    assert result.status == "failed" and result.failure_code == "no_text_column"
    assert "text, comment" in result.failure_message


def test_an_undecodable_file_fails(workspace, run_import):
    result = run_import(b"text\n\xff\xfe\xfa\x00bad")
    assert result.status == "failed"


def test_tag_rules_apply_to_imported_feedback(workspace, run_import):
    rule = TagRuleFactory(tag__workspace=workspace, keywords="배송")
    run_import("내용\n배송이 빨라요\n좋아요\n")
    assert list(FeedbackItem.objects.filter(tags=rule.tag).values_list("text", flat=True)) == ["배송이 빨라요"]


def test_the_upload_page_runs_the_job_and_shows_the_result(client, workspace, bob,
                                                           django_capture_on_commit_callbacks):
    client.force_login(bob)
    content = "리뷰,평점\n앱이 자꾸 튕겨서 짜증나요 최악,2\n,\n좋아요,x\n"
    upload = SimpleUploadedFile("reviews.csv", content.encode("utf-8-sig"), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/w/{workspace.slug}/feedback/import/", {"file": upload})
    assert response.status_code == 302
    detail = client.get(response["Location"])
    assert detail.context["feedback_import"].created_count == 1
    assert b"Score" in detail.content or "점수".encode() in detail.content
    item = FeedbackItem.objects.get()
    assert item.analysed_at is not None and item.sentiment_label == "negative" and item.analysis_version


def test_viewers_cannot_import(client, workspace, vera):
    client.force_login(vera)
    assert client.get(f"/w/{workspace.slug}/feedback/import/").status_code == 403
