"""The journey frameworks a new journey can start from. Stage names are data (stored on Stage in both
languages, editable afterwards), so they are written here in English and Korean rather than translated."""

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

SCRATCH = "scratch"


@dataclass(frozen=True)
class JourneyTemplate:
    key: str
    name: str
    description: str
    # (English, Korean) per stage, in journey order.
    stages: tuple[tuple[str, str], ...]

    @property
    def stage_names(self) -> list[str]:
        """The stage names in the active language, for previews."""
        korean = (get_language() or "en").startswith("ko")
        return [name_ko if korean else name_en for name_en, name_ko in self.stages]


TEMPLATES: tuple[JourneyTemplate, ...] = (
    JourneyTemplate(
        "acass", _("ACASS"),
        _("From first hearing of the brand to recommending it: the classic five-stage path."),
        (("Awareness", "인지"), ("Consideration", "고려"), ("Acquisition", "구매"), ("Service", "서비스"),
         ("Social network", "공유")),
    ),
    JourneyTemplate(
        "before_on_after", _("Before / On / After"),
        _("What happens before, during and after the customer uses the service."),
        (("Before", "이용 전"), ("On", "이용 중"), ("After", "이용 후")),
    ),
    JourneyTemplate(
        "discover_explore_buy_engage", _("Discover → Explore → Buy → Engage"),
        _("A retail path from discovering a product to staying engaged with the brand."),
        (("Discover", "발견"), ("Explore", "탐색"), ("Buy", "구매"), ("Engage", "관계 유지")),
    ),
    JourneyTemplate(
        "stimulus_zmot_fmot_smot", _("Stimulus → ZMOT → FMOT → SMOT"),
        _("Google's moments of truth: the trigger, the research, the purchase moment and the experience."),
        (("Stimulus", "자극"), ("ZMOT · Research", "ZMOT · 사전 탐색"), ("FMOT · Purchase", "FMOT · 구매 순간"),
         ("SMOT · Experience", "SMOT · 사용 경험")),
    ),
    JourneyTemplate(
        SCRATCH, _("From scratch"),
        _("No stages yet: add your own."),
        (),
    ),
)

BY_KEY: dict[str, JourneyTemplate] = {template.key: template for template in TEMPLATES}


def template_choices() -> list[tuple[str, str]]:
    return [(template.key, template.name) for template in TEMPLATES]


def get_template(key: str) -> JourneyTemplate | None:
    return BY_KEY.get(key)
