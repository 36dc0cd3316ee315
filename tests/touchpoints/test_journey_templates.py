import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.touchpoints import services
from apps.touchpoints.journey_templates import TEMPLATES
from apps.touchpoints.models import Journey, Stage
from tests.factories import PersonaFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def stage_names(journey):
    return [(stage.position, stage.name_en, stage.name_ko) for stage in Stage.objects.of_journey(journey)]


def test_acass_makes_five_stages_in_order_in_english_and_korean(workspace):
    journey = services.journey_create_from_template(workspace=workspace, name="Sign-up", template="acass")
    assert stage_names(journey) == [
        (0, "Awareness", "인지"), (1, "Consideration", "고려"), (2, "Acquisition", "구매"),
        (3, "Service", "서비스"), (4, "Social network", "공유"),
    ]
    assert journey.template == "acass"
    assert all(stage.workspace_id == workspace.pk for stage in Stage.objects.of_journey(journey))


@pytest.mark.parametrize(("template", "english"), [
    ("before_on_after", ["Before", "On", "After"]),
    ("discover_explore_buy_engage", ["Discover", "Explore", "Buy", "Engage"]),
    ("stimulus_zmot_fmot_smot", ["Stimulus", "ZMOT · Research", "FMOT · Purchase", "SMOT · Experience"]),
])
def test_every_template_makes_its_stages_in_order(workspace, template, english):
    journey = services.journey_create_from_template(workspace=workspace, name="J", template=template)
    names = stage_names(journey)
    assert [name_en for _, name_en, _ in names] == english
    assert [position for position, _, _ in names] == list(range(len(english)))
    assert all(name_ko for _, _, name_ko in names)


def test_from_scratch_has_no_stages(workspace):
    journey = services.journey_create_from_template(workspace=workspace, name="J", template="scratch")
    assert stage_names(journey) == []


def test_every_template_has_korean_and_english_names():
    for template in TEMPLATES:
        for name_en, name_ko in template.stages:
            assert name_en and name_ko and name_en != name_ko


def test_stage_name_follows_the_active_language(journey):
    stage = Stage.objects.of_journey(journey).first()
    with translation.override("ko"):
        assert stage.name == "인지"
        assert stage.other_name == "Awareness"
    with translation.override("en"):
        assert stage.name == "Awareness"
        assert stage.other_name == "인지"


def test_unknown_template_is_refused(workspace):
    with pytest.raises(ValidationError):
        services.journey_create_from_template(workspace=workspace, name="J", template="nonsense")
    assert not Journey.objects.exists()


def test_persona_of_another_workspace_is_refused(workspace):
    with pytest.raises(ValidationError):
        services.journey_create_from_template(workspace=workspace, name="J", template="acass",
                                              persona=PersonaFactory(workspace=WorkspaceFactory()))
    assert not Journey.objects.exists()
