"""Demo customers: realistic Korean (and some English) profiles, generated from a fixed seed so a
second run upserts the same rows instead of adding new ones."""

import random

from apps.customers.models import Customer

SURNAMES = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황", "안",
            "송", "류", "전", "홍", "고", "문", "양", "손", "배", "백", "허", "유", "남"]
GIVEN_NAMES = ["민준", "서연", "지우", "하준", "도윤", "서윤", "지민", "예준", "시우", "하은", "수아", "지호",
               "주원", "지유", "은우", "채원", "건우", "다은", "현우", "지아", "우진", "수빈", "선우", "예린",
               "연우", "민서", "유준", "소윤", "정우", "윤서", "승현", "혜원", "태윤", "가은", "동현", "나연"]
ROMANIZED = {"김": "kim", "이": "lee", "박": "park", "최": "choi", "정": "jung", "강": "kang", "조": "cho",
             "윤": "yoon", "장": "jang", "임": "lim", "한": "han", "오": "oh", "서": "seo", "신": "shin",
             "권": "kwon", "황": "hwang", "안": "ahn", "송": "song", "류": "ryu", "전": "jeon", "홍": "hong",
             "고": "ko", "문": "moon", "양": "yang", "손": "son", "배": "bae", "백": "baek", "허": "heo",
             "유": "yoo", "남": "nam"}
ENGLISH_FIRST = ["James", "Olivia", "Daniel", "Emma", "Michael", "Sophia", "David", "Grace", "Ryan", "Chloe",
                 "Ethan", "Hannah", "Lucas", "Mia", "Noah", "Emily"]
ENGLISH_LAST = ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Martin", "Anderson", "Thomas", "Clark",
                "Walker", "Young", "Wright"]
REGIONS = ["서울", "경기", "인천", "부산", "대구", "대전", "광주", "울산", "강원", "충북", "충남", "전북", "전남",
           "경북", "경남", "제주"]
REGION_WEIGHTS = [30, 26, 6, 7, 5, 3, 3, 2, 3, 3, 4, 3, 3, 4, 5, 2]
TIERS = ["bronze", "silver", "gold", "platinum"]

BRAND_ATTRIBUTES = {
    "hanbit-telecom": {
        "segment": (["consumer", "family", "business", "youth"], [50, 25, 15, 10]),
        "plan": (["5G 프리미엄", "5G 스탠다드", "LTE 베이직", "인터넷+TV 결합"], [25, 35, 25, 15]),
    },
    "georeum-shoes": {
        "segment": (["runner", "commuter", "outdoor", "kids"], [30, 35, 20, 15]),
        "favourite_category": (["러닝화", "스니커즈", "등산화", "구두", "샌들"], [30, 30, 15, 15, 10]),
    },
}


def demo_customers(slug: str, count: int) -> list[dict]:
    rng = random.Random(f"cxm-demo-{slug}")
    prefix = "HT" if slug == "hanbit-telecom" else "GS"
    extra = BRAND_ATTRIBUTES.get(slug, {})
    rows = []
    for n in range(1, count + 1):
        english = rng.random() < 0.12
        if english:
            first, last = rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)
            name, local = f"{first} {last}", f"{first}.{last}".lower()
        else:
            surname, given = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
            name, local = f"{surname}{given}", f"{ROMANIZED[surname]}{n}"
        attributes = {
            "tier": rng.choices(TIERS, [45, 30, 18, 7])[0],
            "region": rng.choices(REGIONS, REGION_WEIGHTS)[0],
            **{key: rng.choices(values, weights)[0] for key, (values, weights) in extra.items()},
        }
        rows.append({
            "external_id": f"{prefix}{n:06d}",
            "name": name,
            "email": f"{local}{n}@{'example.com' if english else 'example.kr'}",
            "phone": f"010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
            "language": "en" if english else "ko",
            "attributes": attributes,
            "consent": rng.random() < 0.86,
        })
    return rows


def seed_customers(workspace, count: int = 5000) -> int:
    rows = demo_customers(workspace.slug, count)
    Customer.objects.bulk_create(
        [Customer(workspace=workspace, **row) for row in rows],
        batch_size=1000, update_conflicts=True, unique_fields=["workspace", "external_id"],
        update_fields=["name", "email", "phone", "language", "attributes", "consent"])
    return len(rows)
