"""Themes, aspect sentiment and unmet needs of a comment; the job upserts, records the model version, can
run again, and goes on past a text it cannot analyse. The sentiment models themselves are tested in
test_text_model.py; the wording of wishes in test_wishes.py."""

import pytest

from apps.feedback import analysis, services, wishes
from apps.feedback.models import FeedbackItem, FeedbackTheme, Theme

from .factories import FeedbackItemFactory


def mention(result, key):
    return next(found for found in result.mentions if found.key == key)


@pytest.mark.parametrize(("text", "positive_theme", "negative_theme"), [
    ("배송은 정말 최고였는데 품질은 최악이네요", "배송", "품질"),
    ("포장은 엉망이었지만 직원은 정말 친절하고 좋았어요", "직원", "포장"),
    ("The staff were lovely but the delivery was a disaster", "직원", "배송"),
])
def test_each_theme_takes_the_sentiment_of_its_own_clause(text, positive_theme, negative_theme):
    result = analysis.analyse(text)
    assert mention(result, positive_theme).sentiment_label == "positive", result
    assert mention(result, negative_theme).sentiment_label == "negative", result


def test_clauses_split_at_sentence_ends_and_contrast():
    text = "배송은 빨랐어요. 그런데 상담은 불친절했어요"
    tokens = analysis.kiwi().tokenize(text)
    spans = analysis.clauses(text, analysis.korean_clause_breaks(tokens))
    assert [text[start:end].strip() for start, end in spans] == ["배송은 빨랐어요.", "그런데 상담은 불친절했어요"]
    english = "Fast delivery, but the box was crushed. Support helped though"
    assert len(analysis.clauses(english, analysis.english_clause_breaks(english))) == 3


def test_the_same_theme_in_korean_and_english_is_one_theme():
    korean = analysis.analyse("배송이 늦었어요").themes
    english = analysis.analyse("Late delivery").themes
    assert ("배송", "배송", "delivery") in korean and ("배송", "배송", "delivery") in english


@pytest.mark.parametrize("word", ["하루", "저녁", "과정", "처리", "사람", "생각", "정도", "쓰레기", "최악"])
def test_generic_time_and_evaluative_nouns_are_never_themes(word):
    result = analysis.analyse(f"{word}만에 {word} 때문에 {word}이었어요 배송")
    assert word not in [found.key for found in result.mentions]
    assert "배송" in [found.key for found in result.mentions]


def test_a_theme_in_a_wish_is_an_unmet_need_and_satisfaction_is_not():
    wish = analysis.analyse("주말에도 상담 연결이 있었으면 좋겠어요")
    assert wish.unmet_need and mention(wish, "상담").unmet_need
    content = analysis.analyse("대기 시간이 없어서 좋았어요")
    assert not content.unmet_need and not any(found.unmet_need for found in content.mentions)


def test_the_language_is_detected():
    assert analysis.detect_language("배송이 늦었어요 app") == "ko"
    assert analysis.detect_language("Late delivery") == "en"
    assert analysis.detect_language("123", default="ko") == "ko"


def test_the_analyser_loads_once_per_process():
    assert analysis.kiwi() is analysis.kiwi()


@pytest.mark.parametrize("text", [
    "", "   ", "👍👍🔥", "!!!???", "x" * 10_000, "<div><br/></div>", "\u200b\u200c\u200d\ufeff", "\x00\x07\x1b[31m",
])
def test_text_without_words_is_neutral_with_no_confidence_and_no_theme(text):
    result = analysis.analyse(text)
    assert (result.sentiment_label, result.confidence, result.mentions, result.error) == ("neutral", 0.0, [], "")


@pytest.mark.parametrize("text", [
    "배송 " * 5_000, "앱이 <b>자꾸</b> 꺼져요 app crash", "배\u200b송이 늦었어요", "요금제 변경 OK 감사합니다 👍",
])
def test_odd_text_is_analysed_without_a_crash(text):
    result = analysis.analyse(text)
    assert result.sentiment_label in ("positive", "negative", "neutral") and not result.error
    assert -1 <= result.sentiment_score <= 1 and result.version


@pytest.mark.django_db
def test_the_job_upserts_converges_and_records_the_version(workspace):
    item = FeedbackItemFactory(workspace=workspace, text="배송은 정말 최고였는데 품질은 최악이네요", language="ko")
    for _ in range(2):
        assert services.feedback_analyse(workspace=workspace, batch_size=1) == 1
    item.refresh_from_db()
    assert item.analysed_at and item.sentiment_confidence is not None
    assert item.analysis_version.startswith("ko-nblr1-")
    links = {link.theme.key: link.sentiment_label
             for link in FeedbackTheme.objects.filter(item=item).select_related("theme")}
    assert links == {"배송": "positive", "품질": "negative"}
    assert Theme.objects.filter(key="배송").count() == 1


@pytest.mark.django_db
def test_the_batch_goes_on_past_a_text_it_cannot_analyse(workspace, monkeypatch):
    broken = FeedbackItemFactory(workspace=workspace, text="this one breaks the wish finder", language="en")
    fine = FeedbackItemFactory(workspace=workspace, text="Great service, thank you", language="en")
    real = wishes.unmet_need_spans

    def failing(text):
        if "breaks" in text:
            raise ValueError("unreadable")
        return real(text)

    monkeypatch.setattr(wishes, "unmet_need_spans", failing)
    assert services.feedback_analyse(workspace=workspace) == 2
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.analysed_at and broken.sentiment_label == "neutral" and "unreadable" in broken.analysis_error
    assert fine.sentiment_label == "positive" and not fine.analysis_error


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
