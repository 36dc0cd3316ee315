from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.workspaces.decorators import workspace_view
from apps.workspaces.models import Role

from . import selectors, services
from .forms import BoardForm, EvidenceForm, ItemEditForm, ItemForm, MoveForm
from .models import ErrcBoard, ErrcItem, ErrcProposal, ItemEvidence, Quadrant, Status
from .tasks import propose_items


def _board(request, board_id) -> ErrcBoard:
    return get_object_or_404(ErrcBoard.objects.for_workspace(request.workspace).select_related("journey"),
                             pk=board_id)


def _item(request, item_id) -> ErrcItem:
    return get_object_or_404(ErrcItem.objects.for_workspace(request.workspace).select_related("board", "owner"),
                             pk=item_id)


def _can_edit(request) -> bool:
    return request.membership.has_role(Role.ANALYST)


def _form_errors(error: ValidationError) -> str:
    return " ".join(error.messages)


@workspace_view
@require_http_methods(["GET", "POST"])
def board_list(request):
    form = BoardForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST":
        if not _can_edit(request):
            raise PermissionDenied
        if form.is_valid():
            try:
                board = services.board_create(workspace=request.workspace, created_by=request.user,
                                              **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, _form_errors(error))
            else:
                return redirect("errc:board_detail", workspace_slug=request.workspace.slug, board_id=board.pk)
    return render(request, "errc/board_list.html", {
        "boards": selectors.board_list(workspace=request.workspace), "form": form, "can_edit": _can_edit(request)},
        status=400 if form.errors else 200)


@workspace_view
@require_GET
def board_detail(request, board_id):
    board = _board(request, board_id)
    show_dismissed = request.GET.get("dismissed") == "1"
    context = {"board": board, "quadrants": selectors.board_quadrants(board=board, show_dismissed=show_dismissed),
               "show_dismissed": show_dismissed, "can_edit": _can_edit(request), "statuses": Status.choices,
               "quadrant_choices": Quadrant.choices,
               "item_form": ItemForm(workspace=request.workspace) if _can_edit(request) else None}
    if request.htmx:
        return render(request, "errc/partials/board_grid.html", context)
    return render(request, "errc/board_detail.html", context)


@workspace_view(role=Role.ANALYST)
@require_http_methods(["GET", "POST"])
def board_edit(request, board_id):
    board = _board(request, board_id)
    initial = {"name": board.name, "description": board.description, "journey": board.journey_id}
    form = BoardForm(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.board_update(board=board, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _form_errors(error))
        else:
            messages.success(request, _("Board saved."))
            return redirect("errc:board_detail", workspace_slug=request.workspace.slug, board_id=board.pk)
    return render(request, "errc/board_edit.html", {"board": board, "form": form},
                  status=400 if form.errors else 200)


@workspace_view(role=Role.ANALYST)
@require_http_methods(["GET", "POST"])
def item_create(request, board_id):
    board = _board(request, board_id)
    initial = {"quadrant": request.GET.get("quadrant") or Quadrant.ELIMINATE}
    form = ItemForm(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(board=board, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _form_errors(error))
        else:
            messages.success(request, _("Item added."))
            return redirect("errc:item_detail", workspace_slug=request.workspace.slug, item_id=item.pk)
    return render(request, "errc/item_form.html", {"board": board, "form": form},
                  status=400 if form.errors else 200)


@workspace_view
@require_http_methods(["GET", "POST"])
def item_detail(request, item_id):
    item = _item(request, item_id)
    form = ItemEditForm(request.POST or None, workspace=request.workspace, initial=ItemEditForm.initial_for(item))
    if request.method == "POST":
        if not _can_edit(request):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.item_update(item=item, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, _form_errors(error))
            else:
                messages.success(request, _("Item saved."))
                return redirect("errc:item_detail", workspace_slug=request.workspace.slug, item_id=item.pk)
    return _item_page(request, item, form=form)


def _item_page(request, item, *, form=None, evidence_form=None, status=None):
    form = form or ItemEditForm(workspace=request.workspace, initial=ItemEditForm.initial_for(item))
    evidence_form = evidence_form or EvidenceForm(workspace=request.workspace)
    has_errors = bool(form.errors or evidence_form.errors)
    return render(request, "errc/item_detail.html", {
        "item": item, "board": item.board, "form": form, "evidence_form": evidence_form,
        "evidence": selectors.item_evidence(item=item), "impact": selectors.item_impact(item),
        "can_edit": _can_edit(request), "statuses": Status.choices, "quadrant_choices": Quadrant.choices,
    }, status=status or (400 if has_errors else 200))


@workspace_view(role=Role.ANALYST)
@require_POST
def item_move(request, item_id):
    """Move between quadrants or statuses. htmx swaps the board grid; without JS, back to the board."""
    item = _item(request, item_id)
    form = MoveForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.item_move(item=item, quadrant=form.cleaned_data["quadrant"] or None,
                               status=form.cleaned_data["status"] or None)
        except ValidationError as exc:
            error = _form_errors(exc)
    else:
        error = _("Choose a quadrant or a status.")
    if request.htmx:
        return _grid(request, item.board, error=error)
    if error:
        messages.error(request, error)
    target = request.POST.get("next")
    if target == "item":
        return redirect("errc:item_detail", workspace_slug=request.workspace.slug, item_id=item.pk)
    return redirect("errc:board_detail", workspace_slug=request.workspace.slug, board_id=item.board_id)


@workspace_view(role=Role.ANALYST)
@require_POST
def evidence_add(request, item_id):
    item = _item(request, item_id)
    form = EvidenceForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        try:
            services.evidence_add(item=item, created_by=request.user, feedback_item=form.cleaned_data["feedback_item"],
                                  note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, _form_errors(error))
    if form.errors:
        return _item_page(request, item, evidence_form=form)
    messages.success(request, _("Evidence added."))
    return redirect("errc:item_detail", workspace_slug=request.workspace.slug, item_id=item.pk)


@workspace_view(role=Role.ANALYST)
@require_POST
def evidence_delete(request, evidence_id):
    evidence = get_object_or_404(ItemEvidence.objects.for_workspace(request.workspace), pk=evidence_id)
    item_id = evidence.item_id
    services.evidence_delete(evidence=evidence)
    messages.success(request, _("Evidence removed."))
    return redirect("errc:item_detail", workspace_slug=request.workspace.slug, item_id=item_id)


def _grid(request, board, *, error: str = ""):
    return render(request, "errc/partials/board_grid.html", {
        "board": board, "quadrants": selectors.board_quadrants(board=board), "can_edit": True,
        "statuses": Status.choices, "quadrant_choices": Quadrant.choices, "error": error,
    }, status=400 if error else 200)


def _proposal(request, proposal_id) -> ErrcProposal:
    return get_object_or_404(ErrcProposal.objects.for_workspace(request.workspace).select_related("board"),
                             pk=proposal_id)


@workspace_view(role=Role.ANALYST)
@require_POST
def proposals_refresh(request, board_id):
    """Run the proposal rules for this board now (a Celery job; in-process without a broker)."""
    board = _board(request, board_id)
    propose_items.delay(board.pk)
    messages.info(request, _("Proposals are being refreshed from the latest data."))
    return redirect("errc:board_detail", workspace_slug=request.workspace.slug, board_id=board.pk)


@workspace_view(role=Role.ANALYST)
@require_POST
def proposal_accept(request, proposal_id):
    proposal = _proposal(request, proposal_id)
    item = services.proposal_accept(proposal=proposal, accepted_by=request.user)
    messages.success(request, _("Proposal accepted as a planned item."))
    return redirect("errc:item_detail", workspace_slug=request.workspace.slug, item_id=item.pk)


@workspace_view(role=Role.ANALYST)
@require_POST
def proposal_dismiss(request, proposal_id):
    proposal = _proposal(request, proposal_id)
    services.proposal_dismiss(proposal=proposal)
    if request.htmx:
        return _grid(request, proposal.board)
    return redirect("errc:board_detail", workspace_slug=request.workspace.slug, board_id=proposal.board_id)
