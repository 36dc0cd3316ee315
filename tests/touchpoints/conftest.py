import pytest

from apps.touchpoints import services
from apps.touchpoints.models import Stage


def url(workspace, path: str) -> str:
    """/w/<slug>/<path>"""
    return f"/w/{workspace.slug}/{path}"


@pytest.fixture
def journey(workspace):
    """An ACASS journey of the workspace: five stages, no touchpoints."""
    return services.journey_create_from_template(workspace=workspace, name="Mobile sign-up", template="acass")


@pytest.fixture
def stages(journey):
    return list(Stage.objects.of_journey(journey))


HTMX = {"HX-Request": "true"}
