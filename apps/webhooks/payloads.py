"""The `data` of each event: ids, the workspace, the touchpoint, scores and times. No e-mail address,
phone number, comment text or hidden field leaves cxm this way; a receiver that needs more asks the API."""

from django.conf import settings
from django.urls import reverse

from apps.feedback.models import ScoreGroup


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _link(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _touchpoint(touchpoint) -> dict | None:
    if touchpoint is None:
        return None
    return {"id": touchpoint.pk, "name": touchpoint.name, "channel": touchpoint.channel}


def _customer(customer) -> dict | None:
    # The brand's own identifier, so its CRM can find the person; never contact details.
    return None if customer is None else {"id": customer.pk, "external_id": customer.external_id}


def response_completed(response) -> dict:
    slug = response.workspace.slug
    return {"response": {
        "id": response.pk,
        "survey": {"id": response.survey_id, "title": response.survey.title},
        "touchpoint": _touchpoint(response.touchpoint),
        "channel": response.channel,
        "language": response.language,
        "nps_score": response.nps_score,
        "nps_group": ScoreGroup.of(response.nps_score) or None,
        "csat_score": response.csat_score,
        "ces_score": response.ces_score,
        "customer": _customer(response.customer),
        "submitted_at": _iso(response.submitted_at),
        "url": _link("surveys:response_detail", workspace_slug=slug, survey_id=response.survey_id,
                     response_id=response.pk),
    }}


def follow_up_case(case) -> dict:
    return {"follow_up_case": {
        "id": case.pk,
        "status": case.status,
        "reason": case.reason,
        "nps_score": case.nps_score,
        "nps_group": ScoreGroup.of(case.nps_score) or None,
        "touchpoint": _touchpoint(case.touchpoint),
        "survey_id": case.survey_id,
        "response_id": case.response_id,
        "customer": _customer(case.customer),
        "alert_rule_id": case.alert_rule_id,
        "opened_at": _iso(case.created_at),
        "due_at": _iso(case.due_at),
        "closed_at": _iso(case.closed_at),
        "time_to_close_seconds": round(case.time_to_close.total_seconds()) if case.time_to_close else None,
        "url": _link("feedback:case_detail", workspace_slug=case.workspace.slug, case_id=case.pk),
    }}


def alert_fired(alert) -> dict:
    rule = alert.rule
    return {"alert": {
        "id": alert.pk,
        "rule": {"id": rule.pk, "name": rule.name, "kind": rule.kind},
        "touchpoint": _touchpoint(alert.touchpoint),
        "value": alert.value,
        "threshold": alert.threshold,
        "sample_size": alert.sample_size,
        "fired_at": _iso(alert.fired_at),
        "url": _link("feedback:alert_list", workspace_slug=alert.workspace.slug),
    }}


def test_event(endpoint) -> dict:
    return {"message": "This is a test event from cxm. Your endpoint received and can verify it.",
            "endpoint": {"id": endpoint.pk, "name": endpoint.name}}
