"""Writes for ERRC boards: <entity>_<action>, keyword-only, full_clean() before saving."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.feedback.models import FeedbackItem
from apps.workspaces.models import Membership, Workspace

from . import selectors
from .models import ErrcBoard, ErrcItem, ErrcProposal, ItemEvidence, Status


def _check_same_workspace(workspace: Workspace, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.workspace_id != workspace.pk:
            raise ValidationError(_("That belongs to another workspace."))


def _check_member(workspace: Workspace, user) -> None:
    if user is not None and not Membership.objects.for_workspace(workspace).filter(user=user).exists():
        raise ValidationError(_("The owner must be a member of this workspace."))


def board_create(*, workspace: Workspace, name: str, description: str = "", journey=None,
                 created_by=None) -> ErrcBoard:
    _check_same_workspace(workspace, journey)
    board = ErrcBoard(workspace=workspace, name=name, description=description, journey=journey,
                      created_by=created_by)
    board.full_clean()
    board.save()
    return board


def board_update(*, board: ErrcBoard, name: str, description: str = "", journey=None) -> ErrcBoard:
    _check_same_workspace(board.workspace, journey)
    board.name, board.description, board.journey = name, description, journey
    board.full_clean()
    board.save()
    return board


def _next_position(board: ErrcBoard, quadrant: str) -> int:
    top = ErrcItem.objects.filter(board=board, quadrant=quadrant).aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def item_create(*, board: ErrcBoard, quadrant: str, title: str, description: str = "", touchpoints=(),
                owner=None, status: str = Status.PROPOSED, expected_impact: str = "",
                due_date: date | None = None, done_at: datetime | None = None) -> ErrcItem:
    workspace = board.workspace
    touchpoints = list(touchpoints)
    _check_same_workspace(workspace, *touchpoints)
    _check_member(workspace, owner)
    if status == Status.DONE and done_at is None:
        done_at = timezone.now()
    item = ErrcItem(workspace=workspace, board=board, quadrant=quadrant, title=title, description=description,
                    owner=owner, status=status, expected_impact=expected_impact, due_date=due_date,
                    done_at=done_at if status == Status.DONE else None,
                    position=_next_position(board, quadrant))
    item.full_clean()
    item.save()
    item.touchpoints.set(touchpoints, through_defaults={"workspace": item.workspace})
    return item


@transaction.atomic
def item_update(*, item: ErrcItem, title: str, description: str = "", touchpoints=(), owner=None,
                expected_impact: str = "", due_date: date | None = None) -> ErrcItem:
    touchpoints = list(touchpoints)
    _check_same_workspace(item.workspace, *touchpoints)
    _check_member(item.workspace, owner)
    item.title, item.description, item.owner = title, description, owner
    item.expected_impact, item.due_date = expected_impact, due_date
    item.full_clean()
    item.save()
    item.touchpoints.set(touchpoints, through_defaults={"workspace": item.workspace})
    return item


def item_move(*, item: ErrcItem, quadrant: str | None = None, status: str | None = None,
              now: datetime | None = None) -> ErrcItem:
    """Move an item to another quadrant (to the end of it) and/or status. Becoming done stamps done_at
    (the start of impact tracking); leaving done clears it."""
    if quadrant and quadrant != item.quadrant:
        item.quadrant = quadrant
        item.position = _next_position(item.board, quadrant)
    if status and status != item.status:
        if status == Status.DONE:
            item.done_at = now or timezone.now()
        elif item.status == Status.DONE:
            item.done_at = None
        item.status = status
    item.full_clean()
    item.save()
    return item


def evidence_add(*, item: ErrcItem, created_by=None, feedback_item=None, note: str = "",
                 today: date | None = None) -> ItemEvidence:
    """Link a feedback item and/or a note to the item, with the KPI figures of its touchpoints over the
    last 90 days as the team saw them at linking time."""
    _check_same_workspace(item.workspace, feedback_item)
    if feedback_item is None and not note.strip():
        raise ValidationError(_("Pick a feedback item or write a note."))
    if feedback_item is not None and ItemEvidence.objects.filter(item=item, feedback_item=feedback_item).exists():
        raise ValidationError(_("That feedback is already linked to this item."))
    evidence = ItemEvidence(workspace=item.workspace, item=item, feedback_item=feedback_item, note=note.strip(),
                            created_by=created_by, kpi_snapshot=selectors.item_kpi_snapshot(item, today=today))
    evidence.full_clean()
    evidence.save()
    return evidence


def evidence_delete(*, evidence: ItemEvidence) -> None:
    evidence.delete()


@transaction.atomic
def proposal_accept(*, proposal: ErrcProposal, accepted_by=None) -> ErrcItem:
    """The proposal becomes a planned item, with its figures and example comments as evidence."""
    if proposal.state == ErrcProposal.State.ACCEPTED and proposal.item_id:
        return proposal.item
    # Worded in the accepting user's language: the item is theirs to edit from here on.
    title, reason = proposal.headline, proposal.reason
    item = item_create(board=proposal.board, quadrant=proposal.quadrant, title=title[:200],
                       description=reason, status=Status.PLANNED,
                       touchpoints=[proposal.touchpoint] if proposal.touchpoint_id else ())
    summary = ", ".join(f"{label}: {value}" for label, value in proposal.figure_rows)
    themes = ", ".join(f"{row['label']} ({row['share_before']}% → {row['share']}%)" for row in proposal.rising_themes)
    if themes:
        summary = f"{summary}; {themes}"
    evidence_add(item=item, created_by=accepted_by, note=_("Proposed from the data: %(rule)s (%(figures)s)")
                 % {"rule": reason, "figures": summary})
    linked = FeedbackItem.objects.for_workspace(item.workspace).filter(
        pk__in=[example["id"] for example in proposal.evidence.get("examples", [])])
    for feedback in linked:
        evidence_add(item=item, created_by=accepted_by, feedback_item=feedback)
    proposal.state, proposal.item = ErrcProposal.State.ACCEPTED, item
    proposal.save(update_fields=["state", "item", "updated_at"])
    return item


def proposal_dismiss(*, proposal: ErrcProposal) -> ErrcProposal:
    """Hide the proposal until its evidence changes materially (its fingerprint differs)."""
    proposal.state = ErrcProposal.State.DISMISSED
    proposal.dismissed_fingerprint = proposal.fingerprint
    proposal.save(update_fields=["state", "dismissed_fingerprint", "updated_at"])
    return proposal
