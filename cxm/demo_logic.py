"""Demo survey logic: a bilingual (Korean and English) NPS survey on three pages, whose follow-up is asked
only of detractors and which ends early for customers who did not book in the app; completed and
unfinished responses in both languages, and a quota for gold-tier customers. Bulk inserts from a fixed
seed; skipped when the survey is already there."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.surveys import quotas
from apps.surveys.models import Answer, Choice, PartialResponse, Question, Response, Survey
from apps.touchpoints.models import Touchpoint

TITLE = "설치 기사 방문 경험 조사"
COMPLETE, UNFINISHED = 420, 90
GOLD_QUOTA = 150


def _question(workspace, survey, position: int, kind: str, ko: str, en: str, **fields) -> Question:
    return Question.objects.create(workspace=workspace, survey=survey, position=position, kind=kind, text=ko,
                                   translations={"en": {"text": en}}, **fields)


def _choices(workspace, question: Question, options: list[tuple[str, str]]) -> list[Choice]:
    return Choice.objects.bulk_create([
        Choice(workspace=workspace, question=question, position=n, text=ko, translations={"en": {"text": en}})
        for n, (ko, en) in enumerate(options, start=1)])


def _build_survey(workspace) -> tuple[Survey, dict]:
    touchpoint = (Touchpoint.objects.for_workspace(workspace).filter(archived_at__isnull=True)
                  .order_by("pk").first())
    brand = workspace.name.split(" ")[0]
    survey = Survey.objects.create(
        workspace=workspace, title=TITLE, language="ko", status=Survey.Status.LIVE, template=Survey.Template.NPS,
        touchpoint=touchpoint, bilingual=True, allowed_hidden_fields=["tier", "order"], partial_valid_days=7,
        intro="세 페이지, 1분이면 충분합니다. 중간에 나가셔도 같은 링크로 이어서 답하실 수 있어요.",
        thank_you_message="소중한 의견 감사합니다. 더 나은 설치 서비스로 보답하겠습니다.",
        translations={"en": {"title": "Your installation visit",
                             "intro": "Three short pages, about a minute. If you leave, the same link lets you "
                                      "continue where you stopped.",
                             "thank_you_message": "Thank you for your feedback. We will use it to make every "
                                                  "installation better."}})
    nps = _question(workspace, survey, 1, "nps", f"{brand}을(를) 친구나 동료에게 추천할 가능성은 얼마나 되나요?",
                    f"How likely are you to recommend {brand} to a friend or colleague?")
    disappointed = _question(workspace, survey, 2, "single_choice", "가장 실망스러웠던 점은 무엇인가요?",
                             "What disappointed you most?", required=True, condition_question=nps,
                             condition_operator=Question.Operator.SCORE_BETWEEN, condition_min=0, condition_max=6)
    reasons = _choices(workspace, disappointed, [("방문 시간 지연", "The visit was late"),
                                                 ("설치 품질", "Installation quality"),
                                                 ("기사님 응대", "The technician's manner"),
                                                 ("기타", "Something else")])
    csat = _question(workspace, survey, 3, "csat", "설치 결과에 얼마나 만족하시나요?",
                     "How satisfied are you with the installation?", page_break=True)
    booked = _question(workspace, survey, 4, "single_choice", "방문 예약을 앱으로 하셨나요?",
                       "Did you book the visit in our app?")
    yes_no = _choices(workspace, booked, [("예", "Yes"), ("아니요", "No")])
    booked.end_operator, booked.end_choice = Question.Operator.CHOICE_IS, yes_no[1]
    booked.save(update_fields=["end_operator", "end_choice"])
    ces = _question(workspace, survey, 5, "ces", "앱으로 예약하기가 얼마나 쉬웠나요?",
                    "How easy was booking in the app?", page_break=True)
    comment = _question(workspace, survey, 6, "long_text", "더 하고 싶은 말씀이 있으면 적어 주세요.",
                        "Anything else you would like to tell us?", required=False)
    return survey, {"nps": nps, "disappointed": disappointed, "reasons": reasons, "csat": csat, "booked": booked,
                    "yes_no": yes_no, "ces": ces, "comment": comment}


@transaction.atomic
def seed_logic(workspace, *, complete: int = COMPLETE, unfinished: int = UNFINISHED) -> int:
    """Create the survey and its responses; returns the number of responses written (0 when present)."""
    if Survey.objects.for_workspace(workspace).filter(title=TITLE).exists():
        return 0
    rng = random.Random(f"cxm-demo-logic-{workspace.slug}")
    survey, q = _build_survey(workspace)
    now = timezone.now()
    channel = survey.touchpoint.channel if survey.touchpoint_id else ""
    responses, plans = [], []
    for _n in range(complete):
        score = rng.choices(range(11), weights=[1, 1, 1, 2, 2, 3, 4, 8, 10, 12, 9])[0]
        app = rng.random() < 0.6
        tier = rng.choice(["gold", "silver", "silver", "bronze"])
        submitted = now - timedelta(days=rng.uniform(0, 60))
        responses.append(Response(
            workspace=workspace, survey=survey, touchpoint_id=survey.touchpoint_id, channel=channel,
            language="en" if rng.random() < 0.25 else "ko", submitted_at=submitted, nps_score=score,
            csat_score=rng.choice([2, 3, 4, 4, 5, 5]), ces_score=rng.randint(3, 7) if app else None,
            hidden_fields={"tier": tier}))
        plans.append((score, app))
    Response.objects.bulk_create(responses, batch_size=1000)
    answers = []
    for response, (score, app) in zip(responses, plans, strict=True):
        row = {"workspace": workspace, "response": response}
        answers.append(Answer(**row, question=q["nps"], number=score))
        if score <= 6:
            answers.append(Answer(**row, question=q["disappointed"], choice=rng.choice(q["reasons"])))
        answers.append(Answer(**row, question=q["csat"], number=response.csat_score))
        answers.append(Answer(**row, question=q["booked"], choice=q["yes_no"][0 if app else 1]))
        if app:
            answers.append(Answer(**row, question=q["ces"], number=response.ces_score))
    Answer.objects.bulk_create(answers, batch_size=2000)

    partials = []
    for _n in range(unfinished):
        score = rng.randint(0, 10)
        started = now - timedelta(days=rng.uniform(0, 20))
        expired = started < now - timedelta(days=survey.partial_valid_days)
        stored = {str(q["nps"].pk): score}
        if score <= 6:
            stored[str(q["disappointed"].pk)] = rng.choice(q["reasons"]).pk
        partials.append(PartialResponse(
            workspace=workspace, survey=survey, language="en" if rng.random() < 0.3 else "ko",
            status=PartialResponse.Status.EXPIRED if expired else PartialResponse.Status.IN_PROGRESS,
            answers={} if expired else stored, page=1, reached_position=q["booked"].position, nps_score=score,
            hidden_fields={"tier": rng.choice(["gold", "silver", "bronze"])}, created_at=started, updated_at=started,
            expires_at=started + timedelta(days=survey.partial_valid_days)))
    PartialResponse.objects.bulk_create(partials, batch_size=1000)
    # The gold cell starts from the gold responses already in; the whole survey stops at 2,000.
    quotas.quota_create(survey=survey, field="tier", value="gold", limit=max(GOLD_QUOTA, complete // 3))
    quotas.quota_create(survey=survey, field="", value="", limit=2000)
    return len(responses)
