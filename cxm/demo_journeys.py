"""Demo journeys: two per brand, about 16 touchpoints each brand, built through the same services
the journey pages use. A journey that already exists (by name) is left as it is."""

from apps.touchpoints import services
from apps.touchpoints.models import Journey, Persona, Stage
from apps.workspaces.models import Membership

# slug -> personas (name, description, segment rule), journeys (name, template, persona index,
# touchpoints per stage as (name, channel, owner username or None))
DEMO = {
    "hanbit-telecom": {
        "personas": [
            ("골드 가족 요금제 고객", "4인 가족 결합 요금제를 쓰는 골드 등급 고객",
             {"tier": "gold", "segment": "family"}),
            ("신규 가입 청년", "첫 휴대폰 요금제를 직접 고르는 20대", {"segment": "youth"}),
        ],
        "journeys": [
            ("모바일 요금제 가입", "acass", 0, [
                [("TV 광고", "other", None), ("인스타그램 광고", "social", "minji")],
                [("요금제 비교 페이지", "web", "minji"), ("매장 상담", "store", "junho")],
                [("온라인 가입 결제", "web", "minji"), ("개통 확인 전화", "call_centre", "junho"),
                 ("유심 배송", "delivery", "junho")],
                [("고객센터 상담", "call_centre", "junho"), ("앱 데이터 사용량 조회", "mobile_app", None)],
                [("앱스토어 리뷰", "social", None)],
            ]),
            ("인터넷·TV 설치", "before_on_after", 0, [
                [("설치 예약", "web", "minji"), ("예약 안내 메일", "email", None)],
                [("기사 방문 설치", "delivery", "junho"), ("공유기 설정", "other", None)],
                [("첫 요금 청구서", "email", None), ("장애 신고 챗봇", "chat", "junho"),
                 ("해지 상담", "call_centre", "junho")],
            ]),
        ],
    },
    "georeum-shoes": {
        "personas": [
            ("주말 러너", "주말마다 10km를 달리는 러닝 크루 회원", {"segment": "runner"}),
            ("출퇴근 직장인", "편한 출퇴근 신발을 찾는 30대 직장인", {"segment": "commuter"}),
        ],
        "journeys": [
            ("러닝화 구매", "discover_explore_buy_engage", 0, [
                [("유튜브 리뷰", "social", None), ("러닝 크루 행사", "store", "seoyeon")],
                [("발 사이즈 측정", "store", "seoyeon"), ("상품 상세 페이지", "web", "minji")],
                [("모바일 앱 결제", "mobile_app", "minji"), ("매장 계산대", "store", "seoyeon")],
                [("택배 배송", "delivery", None), ("멤버십 앱 푸시", "mobile_app", "minji")],
            ]),
            ("교환·반품", "before_on_after", 1, [
                [("반품 정책 안내", "web", "minji")],
                [("반품 접수 챗봇", "chat", "minji"), ("택배 회수", "delivery", None),
                 ("매장 교환", "store", "seoyeon")],
                [("환불 완료 메일", "email", None), ("고객센터", "call_centre", "seoyeon")],
            ]),
        ],
    },
}


def seed_journeys(workspace) -> None:
    demo = DEMO.get(workspace.slug)
    if demo is None:
        return
    personas = []
    for name, description, rule in demo["personas"]:
        persona = Persona.objects.for_workspace(workspace).filter(name=name).first()
        personas.append(persona or services.persona_create(workspace=workspace, name=name, description=description,
                                                           segment_rule=rule))
    members = {membership.user.username: membership.user for membership in
               Membership.objects.for_workspace(workspace).select_related("user")}
    for name, template, persona_index, stages in demo["journeys"]:
        if Journey.objects.for_workspace(workspace).filter(name=name).exists():
            continue
        journey = services.journey_create_from_template(workspace=workspace, name=name, template=template,
                                                        persona=personas[persona_index])
        for stage, touchpoints in zip(Stage.objects.for_workspace(workspace).of_journey(journey), stages,
                                      strict=True):
            for touchpoint_name, channel, owner in touchpoints:
                services.touchpoint_create(stage=stage, name=touchpoint_name, channel=channel,
                                           owner=members.get(owner))
