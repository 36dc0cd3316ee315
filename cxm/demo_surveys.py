"""Demo surveys and a year of responses for a demo brand.

seed_surveys(workspace) gives every active touchpoint of the brand's journeys (made by
cxm/demo_journeys.seed_journeys) a transactional survey, plus a relationship NPS survey in Korean and one
in English: NPS with the brand's name, a follow-up for detractors (0–6) asking what to improve first,
CSAT (CES for the call centre and chat), and a comment. It then writes `responses` responses over the last
12 months with their answers and denormalised scores:

- volume follows the weekday (stores busy at weekends, the call centre on weekdays) and the season
  (the brand's busy months), and grows a little over the year;
- each touchpoint has its own NPS and its own drift: some improve over the year, some get worse
  (the story the journey map and the ERRC board should tell);
- most comments are Korean, written for the touchpoint's pains and delights (delivery delay, call-centre
  waiting, app errors, price, staff kindness, product quality): complaints from detractors, praise from
  promoters; the English survey has English ones;
- the ERRC board has a real case for each of its four actions: a step customers only put up with (a
  confirmation call that costs effort, push notices nobody wants: Eliminate), complaints about one thing
  rising lately at a step (an app update, crushed parcels: Reduce), and unmet needs in the customers' words
  ("화상 상담이 있었으면…", "I wish…") about things no touchpoint offers (Create);
- about three responses in four are linked to a demo customer (cxm/demo_customers).

Rows are written in bulk: COPY on PostgreSQL, executemany on SQLite, a response id range reserved up front
so the answers can point at their responses without reading them back.

A second run adds nothing: the surveys are found by title and, once the brand has demo responses (their
submission keys start with "demo-"), the responses are skipped. replace=True deletes them (and what hangs
off them) and writes them again.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from apps.customers.models import Customer
from apps.surveys.models import Answer, Choice, Question, Response, Survey
from apps.touchpoints.models import Touchpoint

DEMO_KEY_PREFIX = "demo-"
DAYS = 365
BATCH = 20_000

# The follow-up's options, in order; PAIN_* below index into them.
IMPROVE_KO = ["배송 지연", "상담 대기 시간", "앱·웹 오류", "가격", "직원 응대", "상품 품질", "기타"]
IMPROVE_EN = ["Delivery delay", "Waiting time on the phone", "App or website errors", "Price", "Staff attitude",
              "Product quality", "Something else"]
DELIVERY, WAITING, APP, PRICE, STAFF, QUALITY, OTHER = range(7)

COMPLAINTS_KO = {
    DELIVERY: ["배송이 예정일보다 사흘이나 늦었어요.", "택배가 연락도 없이 문 앞에 놓여 있었어요.",
               "유심 배송이 늦어서 개통을 며칠이나 못 했습니다.", "배송 조회가 며칠째 그대로예요.",
               "설치 기사님 방문 시간이 두 번이나 바뀌었어요.", "주문한 지 일주일이 지나서야 받았습니다."],
    WAITING: ["고객센터 연결까지 20분 넘게 기다렸어요.", "ARS 안내만 계속 돌고 상담원 연결이 안 됩니다.",
              "전화를 세 번이나 다시 걸어야 했어요.", "채팅 상담 답변이 너무 늦게 와요.",
              "상담원마다 말이 달라서 같은 설명을 반복했어요."],
    APP: ["앱이 자꾸 튕겨서 결제를 세 번이나 다시 했어요.", "업데이트 후 로그인이 안 됩니다.",
          "결제 단계에서 오류가 나서 포기했어요.", "앱에서 사용량 조회가 계속 로딩만 돼요.",
          "본인 인증 화면에서 넘어가지 않아요."],
    PRICE: ["요금이 다른 곳보다 비싼 것 같아요.", "기존 고객에게는 할인 혜택이 거의 없네요.",
            "청구서에 모르는 부가서비스 요금이 있었어요.", "배송비가 너무 비싸요.", "가격 대비 만족스럽지 않아요."],
    STAFF: ["매장 직원이 불친절했어요.", "직원분이 설명을 제대로 안 해 주셨어요.",
            "기사님이 약속 시간보다 늦게 오시고 사과도 없었어요.", "직원이 가입만 권유하고 질문에는 답을 안 했어요."],
    QUALITY: ["한 달 만에 밑창이 떨어졌어요.", "사진과 색상이 많이 달라요.", "인터넷이 저녁마다 끊겨요.",
              "사이즈가 표기와 달라서 교환해야 했어요.", "통화 품질이 자주 나빠져요."],
    OTHER: ["전반적으로 기대에 못 미쳤어요.", "처리 과정이 너무 복잡해요.", "안내 문자가 너무 많이 와요."],
}
PRAISE_KO = {
    DELIVERY: ["주문 다음 날 바로 도착해서 좋았어요.", "포장이 꼼꼼하고 배송이 빨랐습니다.",
               "설치 기사님이 시간 맞춰 오셔서 깔끔하게 설치해 주셨어요."],
    WAITING: ["상담원분이 친절하게 끝까지 해결해 주셨어요.", "바로 연결돼서 금방 해결했어요.",
              "챗봇 안내가 생각보다 정확했어요."],
    APP: ["앱이 빠르고 사용하기 편해요.", "결제가 간편해서 좋았어요.", "사용량 조회가 한눈에 보여서 편해요."],
    PRICE: ["가격 대비 만족스러워요.", "할인 혜택이 좋아서 잘 샀어요.", "결합 할인으로 요금이 많이 줄었어요."],
    STAFF: ["매장 직원분이 발 사이즈를 꼼꼼히 재 주셔서 감동했어요.", "직원분들이 정말 친절해요.",
            "궁금한 점을 하나하나 친절하게 설명해 주셨어요."],
    QUALITY: ["쿠션감이 좋아서 오래 달려도 편해요.", "인터넷 속도가 빠르고 안정적이에요.", "품질이 기대 이상이에요."],
    OTHER: ["늘 만족하며 이용하고 있어요.", "주변에도 추천하고 싶어요.", "전반적으로 좋았습니다."],
}
NEUTRAL_KO = ["무난했어요.", "보통이었어요. 조금만 더 빨랐으면 좋겠어요.", "나쁘지 않았어요.",
              "괜찮았지만 특별한 점은 없었어요."]
COMPLAINTS_EN = {
    DELIVERY: ["The delivery was three days late.", "The parcel was left at the door without a call."],
    WAITING: ["I waited over 20 minutes to reach someone.", "The phone menu kept looping and never connected me."],
    APP: ["The app crashed twice during payment.", "I could not log in after the update."],
    PRICE: ["Too expensive compared with other providers.", "Loyal customers get no discounts."],
    STAFF: ["The staff were not helpful at all.", "Nobody explained the contract properly."],
    QUALITY: ["The sole came off after a month.", "The connection drops every evening."],
    OTHER: ["Overall it did not meet my expectations.", "Too many steps to get anything done."],
}
PRAISE_EN = {
    DELIVERY: ["Arrived the next day, well packed.", "Quick and careful delivery."],
    WAITING: ["The agent was kind and solved everything.", "Got through right away."],
    APP: ["The app is fast and easy to use.", "Paying in the app was simple."],
    PRICE: ["Great value for money.", "The bundle discount really helps."],
    STAFF: ["The staff were very friendly and patient.", "Helpful, kind people in the store."],
    QUALITY: ["Very comfortable, even on long runs.", "Stable, fast internet."],
    OTHER: ["Always a good experience.", "I recommend it to my friends."],
}
NEUTRAL_EN = ["It was fine.", "OK, nothing special.", "Decent, could be a bit faster."]
SUFFIX_KO = ["", "", "", " 개선해 주시면 좋겠어요.", " 다음에도 이용할게요.", " 참고해 주세요."]

# The pains each channel brings: weights over the follow-up's options.
PAINS = {
    "delivery": [60, 5, 5, 8, 12, 5, 5], "call_centre": [3, 60, 4, 10, 18, 2, 3], "chat": [3, 45, 25, 8, 12, 2, 5],
    "mobile_app": [4, 6, 62, 10, 3, 8, 7], "web": [6, 6, 52, 18, 2, 8, 8], "store": [3, 12, 2, 20, 45, 13, 5],
    "email": [8, 10, 10, 42, 4, 6, 20], "social": [10, 10, 15, 25, 10, 20, 10], "other": [10, 10, 10, 25, 10, 25, 10],
}
HOURS = {"call_centre": (9, 18), "store": (10, 21), "delivery": (9, 21), "chat": (8, 23)}
# Monday..Sunday
WEEKDAYS = {"store": [0.8, 0.8, 0.85, 0.9, 1.1, 1.7, 1.5], "call_centre": [1.35, 1.2, 1.15, 1.1, 1.1, 0.55, 0.3],
            "delivery": [1.2, 1.15, 1.1, 1.05, 1.0, 0.8, 0.5]}
WEEKDAY_DEFAULT = [1.05, 1.0, 1.0, 1.0, 1.0, 0.95, 0.9]
# January..December
SEASONS = {
    "hanbit-telecom": [1.0, 1.25, 1.35, 1.05, 0.95, 0.9, 0.95, 1.0, 1.3, 1.25, 1.0, 1.1],
    "georeum-shoes": [0.8, 0.8, 1.1, 1.35, 1.3, 1.0, 0.9, 0.9, 1.0, 1.1, 1.45, 1.25],
}

# The story per touchpoint name: (promoter share, detractor share, drift of the promoter share over the
# year, volume weight). A positive drift improves the touchpoint, a negative one makes it worse.
STORIES = {
    "유심 배송": (0.30, 0.38, -0.16, 1.6), "기사 방문 설치": (0.52, 0.18, 0.12, 1.2),
    "고객센터 상담": (0.26, 0.42, 0.20, 2.0), "앱 데이터 사용량 조회": (0.50, 0.18, -0.20, 1.8),
    "온라인 가입 결제": (0.38, 0.28, 0.18, 1.4), "매장 상담": (0.60, 0.12, 0.02, 1.5),
    "해지 상담": (0.14, 0.62, -0.05, 0.6), "장애 신고 챗봇": (0.22, 0.45, 0.15, 0.9),
    "택배 배송": (0.45, 0.22, -0.18, 1.8), "모바일 앱 결제": (0.35, 0.30, 0.22, 1.6),
    "매장 계산대": (0.66, 0.08, 0.0, 1.3), "발 사이즈 측정": (0.74, 0.06, 0.03, 0.8),
    "고객센터": (0.30, 0.36, -0.14, 1.0), "택배 회수": (0.28, 0.40, 0.10, 0.8),
    "반품 접수 챗봇": (0.30, 0.35, 0.16, 0.8),
    "개통 확인 전화": (0.08, 0.52, -0.02, 1.0), "멤버십 앱 푸시": (0.08, 0.56, -0.02, 1.0),
}
CES_CHANNELS = ("call_centre", "chat")
# Steps that cost effort beyond what their score says: the CES answer moves this much (1–7 scale).
EFFORT = {"개통 확인 전화": -1.4}
# What detractors of a step mostly say about it, instead of the channel's usual pains.
OWN_COMPLAINTS = {
    "개통 확인 전화": ["개통하려면 확인 전화를 꼭 받아야 해서 너무 번거로웠어요.",
                  "확인 전화를 세 번이나 놓쳐서 개통이 늦어졌어요.",
                  "확인 전화 때문에 하루를 기다렸어요. 이 단계는 필요 없어요.",
                  "온라인으로 다 했는데 또 확인 전화라니 정말 불편해요."],
    "멤버십 앱 푸시": ["멤버십 앱 푸시가 하루에도 몇 번씩 와서 짜증나요.", "광고 푸시가 너무 많아서 불편해요.",
                  "필요 없는 광고 알림이 너무 자주 와요.", "밤늦게 광고 푸시가 와서 정말 짜증나요."],
}
OWN_COMPLAINT_SHARE = 0.75
# A complaint that started RISING_DAYS days ago and grows to PEAK of a step's detractor comments by today.
RISING = {
    "앱 데이터 사용량 조회": ["업데이트 후 로그인이 안 됩니다.", "업데이트하고 나서 로그인할 때마다 오류가 나요.",
                    "최근 업데이트 후 앱이 계속 멈춰요."],
    "택배 배송": ["박스가 파손된 채로 배송됐어요.", "포장이 찢어져서 상품이 파손됐어요.",
              "상자가 찌그러져서 신발이 파손됐어요."],
}
RISING_DAYS, RISING_PEAK = 40, 0.6
# Steps the brand fixed FIX_DAYS_AGO days ago (the done item on the demo ERRC board, cxm/demo_errc): from that
# day on, this many more promoters (and half as many fewer detractors).
FIX_DAYS_AGO = 21
FIXED = {"온라인 가입 결제": 0.12, "모바일 앱 결제": 0.12}
# Needs customers voice that no touchpoint of the brand serves, per brand and language.
WISHES = {
    "hanbit-telecom": {
        "ko": ["주말에도 화상 상담이 있었으면 좋겠어요.", "매장에 가지 않고 화상으로 상담받을 수 있었으면 해요.",
               "화상 상담 창구가 없어서 결국 매장까지 갔어요.", "해외 로밍을 앱에서 바로 켤 수 있었으면 좋겠어요.",
               "출국 전에 로밍 안내가 없어서 요금 폭탄을 맞았어요.", "로밍 요금제를 미리 예약할 수 있었으면 해요.",
               "가족 결합 회원을 한 번에 관리하는 메뉴가 있었으면 좋겠어요.",
               "가족 요금을 한눈에 볼 수 있는 화면이 없어서 불편해요.",
               "가족끼리 데이터를 나눠 쓸 수 있었으면 좋겠어요."],
        "en": ["I wish I could talk to someone on a video call.", "I wish roaming could be switched on in the app.",
               "I wish the family plan was easier to manage."],
    },
    "georeum-shoes": {
        "ko": ["밑창 수선 서비스가 있었으면 좋겠어요.", "수선을 맡길 곳이 없어서 그냥 버렸어요.",
               "오래 신은 러닝화를 수선받을 수 있었으면 해요.", "온라인으로 주문하고 매장에서 픽업할 수 있었으면 해요.",
               "매장 픽업이 없어서 택배만 기다려야 해요.", "퇴근길에 픽업할 수 있는 곳이 있었으면 좋겠어요.",
               "러닝 자세를 봐 주는 코칭이 있었으면 좋겠어요.", "초보자를 위한 러닝 코칭이 없어서 아쉬워요.",
               "신발을 사면 코칭 수업을 들을 수 있었으면 해요."],
        "en": ["I wish you offered sole repairs.", "I wish I could order online and pickup in the store.",
               "I wish there was coaching for beginners."],
    },
}
# Of the passives' and detractors' comments, the share that is a wish: more in the relationship survey, which
# asks about the brand as a whole.
WISH_SHARE = {"relationship": 0.2, "touchpoint": 0.015}


@dataclass
class Profile:
    survey: Survey
    touchpoint_id: int | None
    channel: str
    language: str
    promoters: float
    detractors: float
    drift: float
    weight: float
    pains: list[int]
    effort: float = 0.0
    own_complaints: list[str] = field(default_factory=list)
    rising: list[str] = field(default_factory=list)
    wishes: list[str] = field(default_factory=list)
    wish_share: float = 0.0
    fix: float = 0.0
    nps: Question = None
    follow_up: Question = None
    score: Question = None
    comment: Question = None
    choices: list[int] = field(default_factory=list)


def _brand_short(name: str) -> str:
    first = name.split()[0] if name.split() else name
    return first if any("가" <= char <= "힣" for char in first) else name


def _questions(survey: Survey, *, brand: str, score_kind: str, english: bool) -> None:
    workspace = survey.workspace
    if english:
        texts = [f"How likely are you to recommend {brand} to a friend or colleague?",
                 "What should we improve first?",
                 {"csat": "Overall, how satisfied are you?", "ces": "How easy was it to get what you needed?"},
                 "Tell us why (optional)."]
        options = IMPROVE_EN
    else:
        texts = [f"{brand}을(를) 친구나 동료에게 추천할 가능성은 얼마나 되나요?",
                 "가장 먼저 개선해야 할 점은 무엇인가요?",
                 {"csat": "이번 경험에 전반적으로 얼마나 만족하셨나요?",
                  "ces": "원하시는 일을 처리하기가 얼마나 쉬웠나요?"},
                 "그렇게 평가하신 이유를 자유롭게 알려 주세요."]
        options = IMPROVE_KO
    nps = Question.objects.create(workspace=workspace, survey=survey, position=1, kind="nps", text=texts[0])
    follow_up = Question.objects.create(workspace=workspace, survey=survey, position=2, kind="single_choice",
                                        text=texts[1], required=False, condition_question=nps,
                                        condition_operator="score_between", condition_min=0, condition_max=6)
    Choice.objects.bulk_create([Choice(workspace=workspace, question=follow_up, position=n, text=text)
                                for n, text in enumerate(options, start=1)])
    Question.objects.create(workspace=workspace, survey=survey, position=3, kind=score_kind,
                            text=texts[2][score_kind])
    Question.objects.create(workspace=workspace, survey=survey, position=4, kind="long_text", text=texts[3],
                            required=False)


def _survey(workspace, *, title: str, touchpoint: Touchpoint | None, language: str, score_kind: str,
            brand: str) -> Survey:
    survey = Survey.objects.for_workspace(workspace).filter(title=title).first()
    if survey is not None:
        return survey
    english = language == "en"
    survey = Survey.objects.create(
        workspace=workspace, title=title, language=language, touchpoint=touchpoint, status=Survey.Status.LIVE,
        template=Survey.Template.TOUCHPOINT if touchpoint else Survey.Template.NPS,
        intro=("It takes one minute. Thank you!" if english else "1분이면 끝나요. 소중한 의견 감사합니다!"),
        thank_you_message=("Thank you! Your answers help us do better." if english
                           else "감사합니다! 보내 주신 의견으로 더 나은 서비스를 만들겠습니다."),
        allowed_hidden_fields=["channel", "order"])
    _questions(survey, brand=brand, score_kind=score_kind, english=english)
    return survey


def ensure_surveys(workspace) -> list[Profile]:
    """The demo surveys of the brand (created on the first run), each with the profile its responses follow."""
    brand = _brand_short(workspace.name)
    rng = random.Random(f"cxm-demo-survey-profiles-{workspace.slug}")
    wishes = WISHES.get(workspace.slug, {})
    profiles = []
    touchpoints = list(Touchpoint.objects.for_workspace(workspace).active().select_related("stage")
                       .order_by("journey_id", "stage__position", "pk"))
    for touchpoint in touchpoints:
        kind = "ces" if touchpoint.channel in CES_CHANNELS else "csat"
        survey = _survey(workspace, title=f"{touchpoint.name} 경험 조사", touchpoint=touchpoint, language="ko",
                         score_kind=kind, brand=brand)
        story = STORIES.get(touchpoint.name)
        if story is None:
            promoters = rng.uniform(0.35, 0.6)
            story = (promoters, rng.uniform(0.08, 0.3), rng.choice([-0.1, -0.05, 0, 0.05, 0.1]),
                     rng.uniform(0.4, 1.0))
        profiles.append(Profile(survey, touchpoint.pk, touchpoint.channel, "ko", *story,
                                pains=PAINS.get(touchpoint.channel, PAINS["other"]),
                                effort=EFFORT.get(touchpoint.name, 0.0),
                                own_complaints=OWN_COMPLAINTS.get(touchpoint.name, []),
                                rising=RISING.get(touchpoint.name, []), wishes=wishes.get("ko", []),
                                wish_share=WISH_SHARE["touchpoint"], fix=FIXED.get(touchpoint.name, 0.0)))
    relationship = ((f"{brand} 고객 관계 NPS 조사", "ko"), (f"{workspace.name} relationship NPS (English)", "en"))
    for title, language in relationship:
        survey = _survey(workspace, title=title, touchpoint=None, language=language, score_kind="csat", brand=brand)
        profiles.append(Profile(survey, None, "", language, 0.42, 0.22, 0.04, 1.6 if language == "ko" else 0.35,
                                pains=PAINS["other"], wishes=wishes.get(language, []),
                                wish_share=WISH_SHARE["relationship"]))
    questions = Question.objects.for_workspace(workspace).filter(survey__in=[p.survey for p in profiles])
    by_survey: dict[int, list[Question]] = {}
    for question in questions.order_by("position").prefetch_related("choices"):
        by_survey.setdefault(question.survey_id, []).append(question)
    for profile in profiles:
        mine = by_survey.get(profile.survey.pk, [])
        profile.nps = next((q for q in mine if q.kind == "nps"), None)
        profile.follow_up = next((q for q in mine if q.kind == "single_choice"), None)
        profile.score = next((q for q in mine if q.kind in ("csat", "ces")), None)
        profile.comment = next((q for q in mine if q.kind == "long_text"), None)
        if profile.follow_up is not None:
            profile.choices = [choice.pk for choice in profile.follow_up.choices.all()]
    return profiles


def _day_weights(slug: str, channel: str, start: datetime) -> list[float]:
    weekday = WEEKDAYS.get(channel, WEEKDAY_DEFAULT)
    season = SEASONS.get(slug, [1.0] * 12)
    weights = []
    for day in range(DAYS):
        moment = start + timedelta(days=day)
        # A brand that is growing: a quarter more answers at the end of the year than at its start.
        weights.append(weekday[moment.weekday()] * season[moment.month - 1] * (1 + 0.25 * day / DAYS))
    return weights


def _nps_score(rng: random.Random, promoters: float, detractors: float) -> int:
    draw = rng.random()
    if draw < promoters:
        return 10 if rng.random() < 0.55 else 9
    if draw < promoters + detractors:
        return rng.choices(range(7), weights=[4, 2, 3, 4, 6, 10, 14])[0]
    return 8 if rng.random() < 0.55 else 7


def _score(rng: random.Random, kind: str, nps: int, effort: float = 0.0) -> int:
    # CSAT (1–5) and CES (1–7) move with the NPS answer, with some noise.
    if kind == "csat":
        centre = 1 + nps * 0.42
        return max(1, min(5, round(rng.gauss(centre, 0.7))))
    centre = 1.5 + nps * 0.52 + effort
    return max(1, min(7, round(rng.gauss(centre, 0.9))))


def _comment(rng: random.Random, profile: Profile, nps: int, pain: int | None, day: int) -> str:
    english = profile.language == "en"
    if nps >= 9:
        if rng.random() > 0.3:
            return ""
        topic = rng.choices(range(7), weights=profile.pains)[0]
        return rng.choice((PRAISE_EN if english else PRAISE_KO)[topic])
    if nps >= 7:
        if rng.random() > 0.18:
            return ""
        if profile.wishes and rng.random() < profile.wish_share * 2:
            return rng.choice(profile.wishes)
        return rng.choice(NEUTRAL_EN if english else NEUTRAL_KO)
    if rng.random() > 0.55:
        return ""
    if profile.wishes and rng.random() < profile.wish_share:
        return rng.choice(profile.wishes)
    since = day - (DAYS - RISING_DAYS)
    if profile.rising and since >= 0 and rng.random() < RISING_PEAK * since / RISING_DAYS:
        return rng.choice(profile.rising)
    if profile.own_complaints and rng.random() < OWN_COMPLAINT_SHARE:
        return rng.choice(profile.own_complaints)
    topic = pain if pain is not None else rng.choices(range(7), weights=profile.pains)[0]
    text = rng.choice((COMPLAINTS_EN if english else COMPLAINTS_KO)[topic])
    return text if english else text + rng.choice(SUFFIX_KO)


def _reserve_response_ids(count: int) -> list[int]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [Response._meta.db_table, count])
            return [row[0] for row in cursor.fetchall()]
    # SQLite: one writer at a time, and this runs inside the transaction that inserts them.
    start = (Response.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    return list(range(start, start + count))


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)  # noqa: S608


def _column_defaults(model, given: list[str]) -> tuple[list[str], list]:
    """Columns a later migration may have added (not in `given`), with their defaults, so the raw insert
    keeps working when a model grows a field."""
    extra, values = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.column in given or model_field.primary_key:
            continue
        if model_field.null and not model_field.has_default():
            continue
        default = model_field.get_default()
        extra.append(model_field.column)
        values.append(model_field.get_db_prep_save(default, connection))
    return extra, values


def _timestamp(moment: datetime):
    # SQLite stores naive UTC text; psycopg takes the aware datetime as it is.
    return moment if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(moment)


def delete_demo_responses(workspace) -> int:
    responses = Response.objects.for_workspace(workspace).filter(submission_key__startswith=DEMO_KEY_PREFIX)
    deleted, _ = responses.delete()
    return deleted


def seed_surveys(workspace, responses: int = 200_000, rng_seed: int | str | None = None, *,
                 replace: bool = False, now: datetime | None = None) -> dict:
    """Create the brand's demo surveys and `responses` demo responses over the last year. Returns what was
    done: {"surveys": n, "responses": written (0 when skipped), "answers": written, "skipped": bool}."""
    with transaction.atomic():
        profiles = ensure_surveys(workspace)
        existing = Response.objects.for_workspace(workspace).filter(submission_key__startswith=DEMO_KEY_PREFIX)
        if existing.exists():
            if not replace:
                return {"surveys": len(profiles), "responses": 0, "answers": 0, "skipped": True}
            delete_demo_responses(workspace)
        written, answers = generate_responses(workspace, profiles, responses, rng_seed, now or timezone.now())
    return {"surveys": len(profiles), "responses": written, "answers": answers, "skipped": False}


def generate_responses(workspace, profiles: list[Profile], total: int, rng_seed, now: datetime) -> tuple[int, int]:
    """Write `total` responses spread over `profiles` (by their weights), with answers; returns (responses,
    answers). Call inside a transaction."""
    rng = random.Random(rng_seed if rng_seed is not None else f"cxm-demo-responses-{workspace.slug}")
    customers = list(Customer.objects.for_workspace(workspace).values_list("pk", flat=True))
    start = (now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    ids = iter(_reserve_response_ids(total))
    weights = [profile.weight for profile in profiles]
    counts = [0] * len(profiles)
    for index in rng.choices(range(len(profiles)), weights=weights, k=total):
        counts[index] += 1

    response_columns = ["id", "workspace_id", "survey_id", "touchpoint_id", "customer_id", "channel", "language",
                        "submitted_at", "nps_score", "csat_score", "ces_score", "comment", "hidden_fields",
                        "submission_key"]
    answer_columns = ["workspace_id", "response_id", "question_id", "number", "text", "choice_id"]
    extra_response, extra_response_values = _column_defaults(Response, response_columns)
    extra_answer, extra_answer_values = _column_defaults(Answer, answer_columns)
    response_rows, answer_rows = [], []
    written = answered = 0
    empty_json = json.dumps({})
    relationship_channels = (["web", "email", "mobile_app"], [45, 35, 20])

    for profile, count in zip(profiles, counts, strict=True):
        if not count or profile.nps is None:
            continue
        days = rng.choices(range(DAYS), weights=_day_weights(workspace.slug, profile.channel, start), k=count)
        days.sort()
        low, high = HOURS.get(profile.channel, (7, 24))
        score_kind = profile.score.kind if profile.score is not None else None
        for day in days:
            moment = start + timedelta(days=day, seconds=rng.randrange(low * 3600, high * 3600))
            if moment > now:
                moment = now - timedelta(seconds=rng.randrange(1, 3600))
            progress = day / DAYS
            gain = profile.drift * progress + (profile.fix if day >= DAYS - FIX_DAYS_AGO else 0.0)
            promoters = min(0.95, max(0.02, profile.promoters + gain))
            # Half of what promoters win or lose comes from the detractors, half from the passives.
            detractors = min(0.95 - promoters, max(0.02, profile.detractors - gain * 0.5))
            nps = _nps_score(rng, promoters, detractors)
            score = _score(rng, score_kind, nps, profile.effort) if score_kind else None
            pain = None
            response_id = next(ids)
            answer_rows.append((workspace.pk, response_id, profile.nps.pk, nps, "", None))
            if score is not None:
                answer_rows.append((workspace.pk, response_id, profile.score.pk, score, "", None))
            if nps <= 6 and profile.choices and rng.random() < 0.85:
                pain = rng.choices(range(len(profile.choices)), weights=profile.pains[:len(profile.choices)])[0]
                answer_rows.append((workspace.pk, response_id, profile.follow_up.pk, None, "",
                                    profile.choices[pain]))
            comment = _comment(rng, profile, nps, pain, day)
            if comment and profile.comment is not None:
                answer_rows.append((workspace.pk, response_id, profile.comment.pk, None, comment, None))
            channel, hidden = profile.channel, empty_json
            if profile.touchpoint_id is None:
                channel = rng.choices(*relationship_channels)[0]
                hidden = json.dumps({"channel": channel})
            customer = rng.choice(customers) if customers and rng.random() < 0.75 else None
            response_rows.append((
                response_id, workspace.pk, profile.survey.pk, profile.touchpoint_id, customer, channel,
                profile.language, _timestamp(moment), nps, score if score_kind == "csat" else None,
                score if score_kind == "ces" else None, comment, hidden, f"{DEMO_KEY_PREFIX}{response_id}",
                *extra_response_values))
            if len(response_rows) >= BATCH:
                written, answered = _flush(response_columns + extra_response, response_rows,
                                           answer_columns + extra_answer, answer_rows, extra_answer_values,
                                           written, answered)
                response_rows, answer_rows = [], []
    written, answered = _flush(response_columns + extra_response, response_rows, answer_columns + extra_answer,
                               answer_rows, extra_answer_values, written, answered)
    return written, answered


def _flush(response_columns, response_rows, answer_columns, answer_rows, extra_answer_values, written, answered):
    _insert(Response, response_columns, response_rows)
    if extra_answer_values:
        answer_rows = [row + tuple(extra_answer_values) for row in answer_rows]
    _insert(Answer, answer_columns, answer_rows)
    return written + len(response_rows), answered + len(answer_rows)
