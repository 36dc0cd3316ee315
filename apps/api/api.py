"""/api/v1/: responses and feedback in, KPIs and touchpoints out. Every request carries a workspace's API
key (Authorization: Bearer cxm_…), and the key's workspace is the only one the request can reach."""

import json
from datetime import date, timedelta
from pathlib import Path

import ninja
from django.core.exceptions import RequestDataTooBig
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger

from apps.nps import selectors as nps_selectors
from apps.nps.scores import ScoreSummary
from apps.touchpoints.models import Channel, Touchpoint

from . import idempotency, services
from .auth import ApiKeyAuth, ApiKeyThrottle
from .errors import ApiConflict, ApiInputError, pydantic_errors, validation_body
from .schemas import (
    Error,
    FeedbackIn,
    FeedbackOut,
    KpiQuery,
    KpisOut,
    ResponseIn,
    ResponseOut,
    TouchpointOut,
    ValidationErrors,
)

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
DOCS_ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript",
               "swagger-ui-init.js": "text/javascript", "favicon.png": "image/png"}


class OfflineSwagger(Swagger):
    """Ninja's Swagger UI with its files served by this API (docs/assets/…) instead of a CDN, so the docs
    work on a machine without internet access and without "ninja" among the installed apps."""

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        assets = reverse(f"{api.urls_namespace}:docs_asset", kwargs={"name": "x"})[:-1]
        return render(request, "api/docs.html", {"api": api, "assets": assets,
                                                 "swagger_settings": json.dumps(self.settings)})


api = NinjaAPI(
    title="cxm API",
    version="1",
    description=gettext_lazy(
        "Send survey responses and feedback, read NPS, CSAT and CES. Authenticate with a workspace API key: "
        "`Authorization: Bearer cxm_…` (create one on the workspace's API keys page). POST requests accept an "
        "`Idempotency-Key` header: a retry with the same key and body returns the first answer."),
    urls_namespace="api_v1",
    auth=ApiKeyAuth(),
    throttle=[ApiKeyThrottle()],
    docs=OfflineSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


# Errors ----------------------------------------------------------------------------------------

@api.exception_handler(ValidationError)
def invalid_input(request, exc: ValidationError):
    return api.create_response(request, validation_body(pydantic_errors(exc.errors)), status=422)


@api.exception_handler(ApiInputError)
def refused_input(request, exc: ApiInputError):
    return api.create_response(request, validation_body(exc.errors), status=422)


@api.exception_handler(ApiConflict)
def conflict(request, exc: ApiConflict):
    return api.create_response(request, {"detail": exc.detail}, status=409)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    response = api.create_response(request, {"detail": _(
        "Send a valid API key: Authorization: Bearer cxm_… (the key may have been revoked).")}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="cxm"'
    return response


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("The request body is not valid JSON.")
    elif exc.status_code == 429:
        detail = _("Too many requests for this API key. Wait for the time in Retry-After and try again.")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    return api.create_response(request, {"detail": _("The request body is too large.")}, status=413)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


def _reply(request, status: int, body: dict, replayed: bool = False):
    response = api.create_response(request, body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


# Past this the end of the period (the day after `end`) is still a date Python can hold, with room to spare.
LATEST_DAY = date(2999, 12, 31)
ERRORS = {400: Error, 401: Error, 409: Error, 413: Error, 422: ValidationErrors, 429: Error}


# Endpoints -------------------------------------------------------------------------------------

@api.post("/responses", response={201: ResponseOut, **ERRORS}, url_name="responses", tags=["responses"],
          summary="Record a survey response")
def create_response(request, payload: ResponseIn):
    """Validated like an answer on the survey's public page (scales, choices, required and follow-up
    questions); the detractor follow-up and the feedback happen as for any response."""

    def handler():
        response = services.response_submit(workspace=request.workspace, **payload.dict())
        return 201, ResponseOut.from_orm(response).model_dump(mode="json")

    return _reply(request, *idempotency.run(request, endpoint="responses", handler=handler))


@api.post("/feedback", response={201: FeedbackOut, **ERRORS}, url_name="feedback", tags=["feedback"],
          summary="Record feedback from any channel")
def create_feedback(request, payload: FeedbackIn):
    def handler():
        item = services.feedback_submit(workspace=request.workspace, **payload.dict())
        return 201, FeedbackOut.from_orm(item).model_dump(mode="json")

    return _reply(request, *idempotency.run(request, endpoint="feedback", handler=handler))


def _round(value, digits=1):
    return None if value is None else round(value, digits)


def _scores(scores: ScoreSummary) -> dict:
    return {
        "responses": scores.responses,
        "nps": {"score": _round(scores.nps), "margin": _round(scores.nps_margin), "n": scores.nps_answers,
                "promoters": scores.promoters, "passives": scores.passives, "detractors": scores.detractors},
        "csat": {"score": _round(scores.csat), "margin": _round(scores.csat_margin), "n": scores.csat_answers},
        "ces": {"score": _round(scores.ces, 2), "margin": _round(scores.ces_margin, 2), "n": scores.ces_answers},
    }


@api.get("/kpis", response={200: KpisOut, **ERRORS}, url_name="kpis", tags=["kpis"],
         summary="NPS, CSAT and CES for a period")
def kpis(request, query: Query[KpiQuery]):
    """Scores with their 95% margins and sample sizes, optionally per touchpoint."""
    workspace = request.workspace
    errors = [(name, _("Give a day from 2000-01-01 to 2999-12-31.")) for name in ("start", "end")
              if getattr(query, name) is not None
              and not services.EARLIEST_MOMENT.date() <= getattr(query, name) <= LATEST_DAY]
    if errors:
        raise ApiInputError(errors)
    if (query.start is None) != (query.end is None):
        errors.append(("start" if query.start is None else "end", _("Give both start and end, or neither.")))
    elif query.start is not None and query.end < query.start:
        errors.append(("end", _("The end date must not be before the start date.")))
    if query.channel and query.channel not in Channel.values:
        errors.append(("channel", _("Use one of: %(values)s.") % {"values": ", ".join(Channel.values)}))
    if query.touchpoint_id is not None and not Touchpoint.objects.for_workspace(workspace).filter(
            pk=query.touchpoint_id).exists():
        errors.append(("touchpoint_id", _("No touchpoint with this id in the workspace.")))
    if errors:
        raise ApiInputError(errors)
    if query.start is not None:
        start = nps_selectors.day_start(workspace, query.start)
        end = nps_selectors.day_start(workspace, query.end + timedelta(days=1))
    else:
        end = timezone.now()
        start = end - timedelta(days=query.days)
    filters = nps_selectors.Filters(touchpoint_id=query.touchpoint_id, channel=query.channel,
                                    survey_id=query.survey_id)
    body = {"period": {"start": start, "end": end},
            **_scores(nps_selectors.summary(workspace, start, end, filters))}
    if query.by_touchpoint:
        by_touchpoint = nps_selectors.summary_by_touchpoint(workspace, start, end, filters)
        names = dict(Touchpoint.objects.for_workspace(workspace).filter(
            pk__in=[pk for pk in by_touchpoint if pk is not None]).values_list("pk", "name"))
        body["touchpoints"] = sorted(
            ({"touchpoint_id": pk, "name": names.get(pk, "") if pk else _("No touchpoint"), **_scores(scores)}
             for pk, scores in by_touchpoint.items()),
            key=lambda row: (row["touchpoint_id"] is None, -row["nps"]["n"], row["name"]))
    return body


@api.get("/touchpoints", response={200: list[TouchpointOut], **ERRORS}, url_name="touchpoints", tags=["touchpoints"],
         summary="The workspace's touchpoints")
def touchpoints(request, include_archived: bool = False):
    """Ordered by journey and position, with their stage and journey."""
    queryset = (Touchpoint.objects.for_workspace(request.workspace).select_related("journey", "stage")
                .order_by("journey__name", "stage__position", "position", "pk"))
    if not include_archived:
        queryset = queryset.active()
    return [{"id": touchpoint.pk, "name": touchpoint.name, "channel": touchpoint.channel,
             "journey": {"id": touchpoint.journey_id, "name": touchpoint.journey.name},
             "stage": {"id": touchpoint.stage_id, "name": touchpoint.stage.name},
             "archived": touchpoint.is_archived}
            for touchpoint in queryset]


@api.get("/docs/assets/{name}", auth=None, include_in_schema=False, url_name="docs_asset")
def docs_asset(request, name: str):
    """The Swagger UI files, from the installed django-ninja package."""
    if name not in DOCS_ASSETS:
        raise Http404
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=DOCS_ASSETS[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response
