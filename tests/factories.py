import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.workspaces.models import Invitation, Membership, Role, Workspace


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = factory.Faker("first_name")
    password = factory.django.Password("correct horse battery")


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    default_language = "en"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    workspace = factory.SubFactory(WorkspaceFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.ANALYST


class PersonaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "touchpoints.Persona"

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Persona {n}")


class JourneyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "touchpoints.Journey"

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Journey {n}")


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "touchpoints.Stage"

    journey = factory.SubFactory(JourneyFactory)
    workspace = factory.SelfAttribute("journey.workspace")
    position = factory.Sequence(lambda n: n)
    name_en = factory.Sequence(lambda n: f"Stage {n}")
    name_ko = factory.Sequence(lambda n: f"단계 {n}")


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "touchpoints.Touchpoint"

    stage = factory.SubFactory(StageFactory)
    journey = factory.SelfAttribute("stage.journey")
    workspace = factory.SelfAttribute("stage.workspace")
    name = factory.Sequence(lambda n: f"Touchpoint {n}")
    channel = "web"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.Customer"

    workspace = factory.SubFactory(WorkspaceFactory)
    external_id = factory.Sequence(lambda n: f"C{n:06d}")
    name = factory.Faker("name")
    email = factory.LazyAttribute(lambda customer: f"{customer.external_id.lower()}@example.com")
    consent = True


class CustomerImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.CustomerImport"

    workspace = factory.SubFactory(WorkspaceFactory)
    file_name = "customers.csv"
    content = b"external_id,email\nC1,c1@example.com\n"


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Survey"

    workspace = factory.SubFactory(WorkspaceFactory)
    title = factory.Sequence(lambda n: f"Survey {n}")


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Response"

    survey = factory.SubFactory(SurveyFactory)
    workspace = factory.SelfAttribute("survey.workspace")
    submitted_at = factory.LazyFunction(timezone.now)
    nps_score = 9


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.Segment"

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Segment {n}")
    rules = factory.LazyFunction(lambda: {"attributes": {"tier": "gold"}})
