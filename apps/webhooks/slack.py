"""The Slack-compatible body, {"text": "…"}: one readable line per event in the workspace's language,
with a link back to cxm. Slack, Mattermost, Rocket.Chat and Teams' incoming webhooks all read it."""

from datetime import UTC, datetime, timedelta

from django.utils import translation
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from .models import Event

# timesince() wants two moments; a case's time to close arrives as seconds.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _escape(text) -> str:
    # Slack's mrkdwn treats these three as markup.
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _scores(data: dict) -> str:
    parts = []
    if data.get("nps_score") is not None:
        group = {"promoter": _("promoter"), "passive": _("passive"), "detractor": _("detractor")}.get(
            data.get("nps_group") or "", "")
        parts.append(_("NPS %(score)s (%(group)s)") % {"score": data["nps_score"], "group": group})
    if data.get("csat_score") is not None:
        parts.append(_("CSAT %(score)s/5") % {"score": data["csat_score"]})
    if data.get("ces_score") is not None:
        parts.append(_("CES %(score)s/7") % {"score": data["ces_score"]})
    return " · ".join(parts)


def _where(data: dict) -> str:
    touchpoint = data.get("touchpoint")
    return _escape(touchpoint["name"]) if touchpoint else _("no touchpoint")


def _joined(text: str, scores: str, url: str, label: str) -> str:
    return f"{text}: {scores} <{url}|{label}>" if scores else f"{text} <{url}|{label}>"


def _line(event: str, data: dict) -> str:
    if event == Event.RESPONSE_COMPLETED:
        response = data["response"]
        text = _("New response at %(touchpoint)s") % {"touchpoint": _where(response)}
        return _joined(text, _scores(response), response["url"], _("Open the response"))
    if event == Event.FOLLOW_UP_CASE_OPENED:
        case = data["follow_up_case"]
        text = _("Follow-up case #%(id)s opened at %(touchpoint)s") % {"id": case["id"], "touchpoint": _where(case)}
        return _joined(text, _scores(case), case["url"], _("Open the case"))
    if event == Event.FOLLOW_UP_CASE_CLOSED:
        case = data["follow_up_case"]
        seconds = case.get("time_to_close_seconds")
        if seconds is not None:
            text = _("Follow-up case #%(id)s at %(touchpoint)s closed after %(duration)s") % {
                "id": case["id"], "touchpoint": _where(case),
                "duration": timesince(EPOCH, EPOCH + timedelta(seconds=seconds))}
        else:
            text = _("Follow-up case #%(id)s at %(touchpoint)s closed") % {"id": case["id"],
                                                                             "touchpoint": _where(case)}
        return _joined(text, "", case["url"], _("Open the case"))
    if event == Event.ALERT_FIRED:
        alert = data["alert"]
        unit = "%" if alert["rule"]["kind"] == "detractor_share_above" else ""
        text = _("Alert “%(rule)s” fired at %(touchpoint)s: %(value)s%(unit)s (threshold %(threshold)s%(unit)s, "
                 "%(count)s responses)") % {
            "rule": _escape(alert["rule"]["name"]),
            "touchpoint": _where(alert) if alert.get("touchpoint") else _("all touchpoints"),
            "value": f"{alert['value']:.1f}", "threshold": f"{alert['threshold']:.1f}", "unit": unit,
            "count": alert["sample_size"]}
        return _joined(text, "", alert["url"], _("See the alerts"))
    return _("Test event from cxm: this endpoint is connected.")


def slack_body(envelope: dict, *, language: str) -> dict:
    with translation.override(language):
        workspace = _escape(envelope["workspace"]["name"])
        return {"text": f"*{workspace}* · {_line(envelope['type'], envelope['data'])}"}
