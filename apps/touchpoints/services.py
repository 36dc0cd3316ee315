"""Writes on personas, journeys, stages and touchpoints. Views call these; nothing else writes.

A rule runs through this module: survey responses are the source of truth behind every score, so a
touchpoint that has responses is archived, never deleted, and a stage or journey holding one is not
removed."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from apps.surveys.models import Response, Survey
from apps.workspaces.models import Membership, Workspace

from .journey_templates import get_template
from .models import Journey, Persona, Stage, Touchpoint


def _check_saved_segment(workspace: Workspace, saved_segment) -> None:
    if saved_segment is not None and saved_segment.workspace_id != workspace.pk:
        raise ValidationError({"saved_segment": _("Choose a segment of this workspace.")})


def persona_create(*, workspace: Workspace, name: str, description: str = "",
                   segment_rule: dict | None = None, saved_segment=None) -> Persona:
    _check_saved_segment(workspace, saved_segment)
    persona = Persona(workspace=workspace, name=name, description=description, segment_rule=segment_rule or {},
                      saved_segment=saved_segment)
    persona.full_clean()
    persona.save()
    return persona


def persona_update(*, persona: Persona, name: str, description: str = "", segment_rule: dict | None = None,
                   saved_segment=None) -> Persona:
    _check_saved_segment(persona.workspace, saved_segment)
    persona.name, persona.description, persona.segment_rule = name, description, segment_rule or {}
    persona.saved_segment = saved_segment
    persona.full_clean()
    persona.save()
    return persona


def persona_delete(*, persona: Persona) -> None:
    """Journeys mapped for the persona stay; they just lose it (Journey.persona is SET_NULL)."""
    persona.delete()


def _check_persona(workspace: Workspace, persona: Persona | None) -> None:
    if persona is not None and persona.workspace_id != workspace.pk:
        raise ValidationError({"persona": _("Choose a persona of this workspace.")})


@transaction.atomic
def journey_create_from_template(*, workspace: Workspace, name: str, template: str,
                                 persona: Persona | None = None, description: str = "") -> Journey:
    """A journey with the template's stages in order, in English and Korean ("scratch": none)."""
    journey_template = get_template(template)
    if journey_template is None:
        raise ValidationError({"template": _("Choose one of the templates.")})
    _check_persona(workspace, persona)
    journey = Journey(workspace=workspace, name=name, template=journey_template.key, persona=persona,
                      description=description)
    journey.full_clean()
    journey.save()
    Stage.objects.bulk_create([
        Stage(workspace=workspace, journey=journey, position=position, name_en=name_en, name_ko=name_ko)
        for position, (name_en, name_ko) in enumerate(journey_template.stages)
    ])
    return journey


def journey_update(*, journey: Journey, name: str, persona: Persona | None = None, description: str = "") -> Journey:
    _check_persona(journey.workspace, persona)
    journey.name, journey.persona, journey.description = name, persona, description
    journey.full_clean()
    journey.save()
    return journey


def _removal_blocker(workspace_id: int, touchpoints) -> str | None:
    """Why these touchpoints cannot be deleted ("responses", "surveys"), or None when they can."""
    # Both foreign keys to Touchpoint are PROTECT; checking first turns an IntegrityError into a message.
    if Response.objects.for_workspace(workspace_id).filter(touchpoint__in=touchpoints).exists():
        return "responses"
    if Survey.objects.for_workspace(workspace_id).filter(touchpoint__in=touchpoints).exists():
        return "surveys"
    return None


def journey_delete_blocker(*, journey: Journey) -> str | None:
    """A sentence saying why the journey cannot be deleted, or None."""
    blocker = _removal_blocker(journey.workspace_id,
                               Touchpoint.objects.for_workspace(journey.workspace_id).filter(journey=journey))
    if blocker == "responses":
        return _("This journey cannot be deleted: its touchpoints have survey responses, which must keep their "
                 "place. Archive the touchpoints you no longer use instead.")
    if blocker == "surveys":
        return _("This journey cannot be deleted: surveys are linked to its touchpoints. Link the surveys "
                 "elsewhere first.")
    return None


@transaction.atomic
def journey_delete(*, journey: Journey) -> None:
    blocker = journey_delete_blocker(journey=journey)
    if blocker:
        raise ValidationError(blocker)
    # Touchpoint.stage is PROTECT: touchpoints go first, then stages, then the journey.
    Touchpoint.objects.for_workspace(journey.workspace_id).filter(journey=journey).delete()
    Stage.objects.for_workspace(journey.workspace_id).filter(journey=journey).delete()
    journey.delete()


def _locked_stages(journey_id: int, workspace_id: int) -> list[Stage]:
    # Two people reordering at once must not end with two stages at the same position.
    return list(Stage.objects.for_workspace(workspace_id).filter(journey_id=journey_id)
                .order_by("position", "pk").select_for_update())


def _renumber(stages: list[Stage]) -> None:
    changed = []
    for position, stage in enumerate(stages):
        if stage.position != position:
            stage.position = position
            changed.append(stage)
    Stage.objects.bulk_update(changed, ["position"])


@transaction.atomic
def stage_create(*, journey: Journey, name_en: str = "", name_ko: str = "") -> Stage:
    """A new stage at the end of the journey."""
    stages = _locked_stages(journey.pk, journey.workspace_id)
    stage = Stage(workspace_id=journey.workspace_id, journey=journey, position=len(stages),
                  name_en=name_en, name_ko=name_ko)
    if not (name_en or name_ko):
        raise ValidationError(_("Give the stage a name, in English, Korean or both."))
    stage.full_clean()
    _renumber(stages)
    stage.save()
    return stage


def stage_update(*, stage: Stage, name_en: str = "", name_ko: str = "") -> Stage:
    if not (name_en or name_ko):
        raise ValidationError(_("Give the stage a name, in English, Korean or both."))
    stage.name_en, stage.name_ko = name_en, name_ko
    stage.full_clean()
    stage.save(update_fields=["name_en", "name_ko"])
    return stage


@transaction.atomic
def stage_move(*, stage: Stage, direction: str) -> Stage:
    """Swap the stage with its neighbour: "up" moves it earlier in the journey, "down" later. At either
    end it stays where it is."""
    if direction not in ("up", "down"):
        raise ValueError(direction)
    stages = _locked_stages(stage.journey_id, stage.workspace_id)
    index = next(i for i, item in enumerate(stages) if item.pk == stage.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(stages):
        stages[index], stages[other] = stages[other], stages[index]
    _renumber(stages)
    stage.position = next(item.position for item in stages if item.pk == stage.pk)
    return stage


def stage_delete_blocker(*, stage: Stage) -> str | None:
    """A sentence saying why the stage cannot be removed, or None."""
    blocker = _removal_blocker(stage.workspace_id,
                               Touchpoint.objects.for_workspace(stage.workspace_id).filter(stage=stage))
    if blocker == "responses":
        return _("“%(stage)s” cannot be removed: its touchpoints have survey responses, which must keep their "
                 "place in the journey. Move those touchpoints to another stage first.") % {"stage": stage.name}
    if blocker == "surveys":
        return _("“%(stage)s” cannot be removed: surveys are linked to its touchpoints. Move those touchpoints "
                 "to another stage first.") % {"stage": stage.name}
    return None


@transaction.atomic
def stage_delete(*, stage: Stage) -> None:
    """Remove the stage with its touchpoints, unless one of them has responses or surveys."""
    blocker = stage_delete_blocker(stage=stage)
    if blocker:
        raise ValidationError(blocker)
    Touchpoint.objects.for_workspace(stage.workspace_id).filter(stage=stage).delete()
    stage.delete()
    _renumber(_locked_stages(stage.journey_id, stage.workspace_id))


def _check_owner(workspace_id: int, owner) -> None:
    if owner is not None and not Membership.objects.filter(workspace_id=workspace_id, user=owner).exists():
        raise ValidationError({"owner": _("Choose a member of this workspace as the owner.")})


def _next_position(stage: Stage) -> int:
    last = (Touchpoint.objects.for_workspace(stage.workspace_id).filter(stage=stage)
            .aggregate(last=Max("position"))["last"])
    return 0 if last is None else last + 1


def touchpoint_create(*, stage: Stage, name: str, channel: str, description: str = "", owner=None,
                      is_active: bool = True) -> Touchpoint:
    """A new touchpoint at the end of the stage."""
    _check_owner(stage.workspace_id, owner)
    touchpoint = Touchpoint(workspace_id=stage.workspace_id, journey_id=stage.journey_id, stage=stage, name=name,
                            channel=channel, description=description, owner=owner, is_active=is_active,
                            position=_next_position(stage))
    touchpoint.full_clean()
    touchpoint.save()
    return touchpoint


@transaction.atomic
def touchpoint_update(*, touchpoint: Touchpoint, name: str, channel: str, description: str = "", owner=None,
                      is_active: bool = True, stage: Stage | None = None) -> Touchpoint:
    _check_owner(touchpoint.workspace_id, owner)
    if stage is not None and stage.pk != touchpoint.stage_id:
        touchpoint_move(touchpoint=touchpoint, stage=stage)
    touchpoint.name, touchpoint.channel, touchpoint.description = name, channel, description
    touchpoint.owner, touchpoint.is_active = owner, is_active
    touchpoint.full_clean()
    touchpoint.save()
    return touchpoint


def touchpoint_move(*, touchpoint: Touchpoint, stage: Stage) -> Touchpoint:
    """Move the touchpoint to the end of another stage of the same journey. Its responses follow it."""
    if stage.journey_id != touchpoint.journey_id or stage.workspace_id != touchpoint.workspace_id:
        raise ValidationError({"stage": _("Choose a stage of the same journey.")})
    if stage.pk == touchpoint.stage_id:
        return touchpoint
    touchpoint.stage, touchpoint.position = stage, _next_position(stage)
    touchpoint.save(update_fields=["stage", "position"])
    return touchpoint


def touchpoint_has_responses(*, touchpoint: Touchpoint) -> bool:
    return Response.objects.for_workspace(touchpoint.workspace_id).filter(touchpoint=touchpoint).exists()


def touchpoint_archive(*, touchpoint: Touchpoint) -> Touchpoint:
    """Hide the touchpoint from the map; its responses keep counting in reports. Restore undoes it."""
    if not touchpoint.is_archived:
        touchpoint.archive()
        touchpoint.save(update_fields=["archived_at", "is_active"])
    return touchpoint


def touchpoint_restore(*, touchpoint: Touchpoint) -> Touchpoint:
    if touchpoint.is_archived:
        touchpoint.restore()
        touchpoint.position = _next_position(touchpoint.stage)
        touchpoint.save(update_fields=["archived_at", "is_active", "position"])
    return touchpoint


@transaction.atomic
def touchpoint_delete(*, touchpoint: Touchpoint) -> bool:
    """Delete the touchpoint, or archive it when responses or surveys point at it. True if deleted."""
    if _removal_blocker(touchpoint.workspace_id, [touchpoint.pk]):
        touchpoint_archive(touchpoint=touchpoint)
        return False
    touchpoint.delete()
    return True
