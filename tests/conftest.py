import pytest

from apps.workspaces.models import Role
from cxm.celery import app as celery_app

from .factories import MembershipFactory, UserFactory, WorkspaceFactory


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Tasks run in-process unless a test needs the real worker (marker `services`): the suite must
    not leave jobs in a shared Redis that nobody consumes."""
    if request.node.get_closest_marker("services"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def english_by_default(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Hanbit Telecom", slug="hanbit")


@pytest.fixture
def alice(workspace):
    """Owns the workspace."""
    return MembershipFactory(workspace=workspace, user=UserFactory(username="alice"), role=Role.OWNER).user


@pytest.fixture
def bob(workspace):
    """An analyst in the workspace."""
    return MembershipFactory(workspace=workspace, user=UserFactory(username="bob"), role=Role.ANALYST).user


@pytest.fixture
def vera(workspace):
    """A viewer in the workspace."""
    return MembershipFactory(workspace=workspace, user=UserFactory(username="vera"), role=Role.VIEWER).user


@pytest.fixture
def charlie(db):
    """Signed-in, but a member of no workspace."""
    return UserFactory(username="charlie")


@pytest.fixture
def other_owner(db):
    """Owner of another brand's workspace."""
    return MembershipFactory(workspace=WorkspaceFactory(name="Other brand"), role=Role.OWNER).user
