"""Themes and sentiment: Korean through Kiwi's morphemes, English through a tokenizer, both with a
lexicon and negation; the job upserts and can run again."""

import pytest

from apps.feedback import analysis, services
from apps.feedback.models import FeedbackItem, FeedbackTheme, Theme

from .factories import FeedbackItemFactory


@pytest.mark.parametrize(("text", "label", "theme"), [
    ("배송이 너무 늦어서 실망했어요", "negative", "배송"),
    ("직원분이 정말 친절했어요", "positive", "직원"),
    ("앱 오류가 자주 나서 안 좋아요", "negative", "앱"),
    ("요금이 비싸고 상담 연결이 없어서 불편했습니다", "negative", "요금"),
    ("매장 직원이 불친절했어요", "negative", "매장"),
    ("기사님이 친절하지 않았어요", "negative", "기사"),
    ("택배가 빨리 와서 좋았어요", "positive", "배송"),
    ("오류 없이 결제가 잘 됐어요", "positive", "결제"),
    ("The delivery was late and the app keeps crashing", "negative", "배송"),
    ("Staff were very friendly, great service", "positive", "직원"),
    ("The price is not good", "negative", "요금"),
])
def test_sentiment_and_themes(text, label, theme):
    result = analysis.analyse(text)
    assert result.sentiment_label == label, result
    assert -1 <= result.sentiment_score <= 1
    assert theme in [key for key, _ko, _en in result.themes]


@pytest.mark.parametrize("text", ["무난했어요", "보통이었어요", "It was OK", "Not bad at all", "나쁘지 않았어요"])
def test_lukewarm_text_is_neutral(text):
    assert analysis.analyse(text).sentiment_label == "neutral"


def test_the_same_theme_in_korean_and_english_is_one_theme():
    korean = analysis.analyse("배송이 늦었어요").themes
    english = analysis.analyse("Late delivery").themes
    assert ("배송", "배송", "delivery") in korean and ("배송", "배송", "delivery") in english


def test_the_language_is_detected():
    assert analysis.detect_language("배송이 늦었어요 app") == "ko"
    assert analysis.detect_language("Late delivery") == "en"
    assert analysis.detect_language("123", default="ko") == "ko"


def test_the_model_loads_once_per_process():
    assert analysis.kiwi() is analysis.kiwi()


@pytest.mark.django_db
def test_the_job_upserts_and_converges(workspace):
    item = FeedbackItemFactory(workspace=workspace, text="배송이 늦고 포장도 엉망이에요", language="ko")
    for _ in range(2):
        assert services.feedback_analyse(workspace=workspace, batch_size=1) == 1
    item.refresh_from_db()
    assert item.sentiment_label == "negative" and item.analysed_at
    keys = set(FeedbackTheme.objects.filter(item=item).values_list("theme__key", flat=True))
    assert {"배송", "포장"} <= keys
    assert Theme.objects.filter(key="배송").count() == 1
    assert FeedbackTheme.objects.filter(item=item).count() == len(keys)


@pytest.mark.django_db
def test_pending_only_and_limit_take_the_newest_first(workspace):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    items = [FeedbackItemFactory(workspace=workspace, text=f"good {n}", created_at=now - timedelta(days=n))
             for n in range(5)]
    assert services.feedback_analyse(workspace=workspace, pending_only=True, limit=2, batch_size=1) == 2
    analysed = set(FeedbackItem.objects.exclude(analysed_at=None).values_list("pk", flat=True))
    assert analysed == {items[0].pk, items[1].pk}
    assert services.feedback_analyse(workspace=workspace, pending_only=True) == 3
