import factory

from apps.errc.models import ErrcBoard, ErrcItem, ErrcProposal, ItemEvidence
from tests.factories import WorkspaceFactory


class ErrcBoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ErrcBoard

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Board {n}")


class ErrcItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ErrcItem

    board = factory.SubFactory(ErrcBoardFactory)
    workspace = factory.SelfAttribute("board.workspace")
    quadrant = "reduce"
    title = factory.Sequence(lambda n: f"Item {n}")


class ItemEvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemEvidence

    item = factory.SubFactory(ErrcItemFactory)
    workspace = factory.SelfAttribute("item.workspace")
    note = "Customers complain about this."


class ErrcProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ErrcProposal

    board = factory.SubFactory(ErrcBoardFactory)
    workspace = factory.SelfAttribute("board.workspace")
    quadrant = "reduce"
    key = factory.Sequence(lambda n: f"tp:{n}")
    title = factory.Sequence(lambda n: f"Proposal {n}")
    fingerprint = "abc"
