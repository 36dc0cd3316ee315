"""The pages customers answer on: /s/<token>/ (the survey's public link, also embedded and behind
QR codes) and /r/<token>/ (a personal link from an invitation e-mail).

They are anonymous and cookie-free: no session, no CSRF cookie (see form_tokens.py for why and what
replaces it), so they work inside an iframe on the brand's site where third-party cookies are
blocked. They render in the survey's language, whatever the visitor's browser or cookie says.
"""

import re

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import link_lookup, page_cache, selectors, services
from .form_tokens import form_token_make, form_token_read
from .forms import HIDDEN_FIELD_PREFIX, HONEYPOT_FIELD, SurveyForm, hidden_fields_from
from .models import Response, Survey, SurveyInvitation, new_submission_key
from .ratelimit import submission_allowed

# Only plain origins reach the header: a stray space or semicolon must not add a CSP directive.
ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?")


def allow_framing(response: HttpResponse, survey: Survey) -> HttpResponse:
    """Let the workspace's own sites (Workspace.embed_origins) frame this page, and nobody else.
    frame-ancestors replaces X-Frame-Options, which cannot name several origins; every other page of
    the site keeps X-Frame-Options: DENY."""
    origins = [origin for origin in survey.workspace.embed_origins if ORIGIN.fullmatch(origin)]
    response["Content-Security-Policy"] = "frame-ancestors " + " ".join(["'self'", *origins])
    response.xframe_options_exempt = True
    return response


def _in_survey_language(view):
    """Render in the survey's language and let the brand's sites frame the page."""

    def wrapper(request: HttpRequest, survey: Survey, **kwargs) -> HttpResponse:
        with translation.override(survey.language):
            response = view(request, survey, **kwargs)
        response["Content-Language"] = survey.language
        return allow_framing(response, survey)

    return wrapper


def _notice(request, survey: Survey | None, *, heading: str, text: str, status: int = 200) -> HttpResponse:
    return render(request, "surveys/public/notice.html", {"survey": survey, "heading": heading, "text": text},
                  status=status)


def _unavailable(request, survey: Survey, reason: str) -> HttpResponse:
    if reason == "draft":
        heading, text = _("This survey is not open yet"), _("Please come back later.")
    elif reason == "paused":
        heading, text = _("This survey is paused"), _("It is not taking answers at the moment. Please try again later.")
    else:  # closed, or the response limit is reached
        heading = _("This survey has closed")
        text = _("Thank you for your interest. It is not taking answers any more.")
    return _notice(request, survey, heading=heading, text=text)


def _already_answered(request, survey: Survey) -> HttpResponse:
    return _notice(request, survey, heading=_("You have already answered"),
                   text=_("Thank you: your answers were received. Each personal link can be used once."))


def _thanks(request, survey: Survey) -> HttpResponse:
    content = page_cache.page(survey, "thanks", (), lambda: render(
        request, "surveys/public/thanks.html", {"survey": survey}).content)
    return HttpResponse(content)


def _blank_form_page(request, survey: Survey, questions, *, link_token: str, personal: bool) -> HttpResponse:
    """The page of a new visit. On a public link it is the same for every visitor but for the form
    token, so it is rendered once per survey revision and hidden-field values and the token is put in;
    a personal link is visited by one customer, so caching it would only push others out."""
    hidden_fields = hidden_fields_from(request.GET, survey.allowed_hidden_fields)
    token = form_token_make(link_token=link_token, submission_key=new_submission_key())
    if personal:
        return _form_page(request, survey, form=SurveyForm(questions=questions), form_token=token,
                          hidden_fields=hidden_fields)
    content = page_cache.page(survey, "form", (request.path, *hidden_fields.items()), lambda: _form_page(
        request, survey, form=SurveyForm(questions=questions), form_token=page_cache.FORM_TOKEN_SLOT,
        hidden_fields=hidden_fields).content)
    return HttpResponse(content.replace(page_cache.FORM_TOKEN_SLOT.encode(), token.encode(), 1))


def _form_page(request, survey: Survey, *, form: SurveyForm, form_token: str, hidden_fields: dict,
               notice: str = "", status: int = 200) -> HttpResponse:
    questions = form.questions_for_display()
    return render(request, "surveys/public/survey_form.html", {
        "survey": survey,
        "questions": questions,
        "error_count": sum(1 for row in questions if row["errors"]),
        "form_token": form_token,
        "hidden_fields": [(HIDDEN_FIELD_PREFIX + key, value) for key, value in hidden_fields.items()],
        "honeypot": HONEYPOT_FIELD,
        "notice": notice,
    }, status=status)


def _is_repeat_of_answer(request, invitation: SurveyInvitation, link_token: str) -> bool:
    try:
        submission_key = form_token_read(request.POST.get("form_token", ""), link_token=link_token)
    except signing.BadSignature:
        return False
    return Response.objects.for_workspace(invitation.workspace_id).filter(
        invitation=invitation, submission_key=submission_key).exists()


@_in_survey_language
def _answer_page(request, survey: Survey, *, link_token: str, invitation: SurveyInvitation | None = None):
    reason = selectors.survey_unavailable_reason(survey)
    if reason is not None:
        return _unavailable(request, survey, reason)
    if invitation is not None:
        if invitation.answered_at is not None:
            if request.method == "POST" and _is_repeat_of_answer(request, invitation, link_token):
                return _thanks(request, survey)  # a double click or a reload of the answer just sent
            return _already_answered(request, survey)
        if invitation.is_expired:
            return _notice(request, survey, heading=_("This link has expired"),
                           text=_("The survey link was valid for a limited time. Thank you all the same."), status=410)
    questions = page_cache.questions(survey, lambda: selectors.survey_questions(survey))

    if request.method == "GET":
        if invitation is not None:
            services.invitation_mark_opened(invitation=invitation)
        return _blank_form_page(request, survey, questions, link_token=link_token, personal=invitation is not None)

    if not submission_allowed(request, scope=str(survey.pk)):
        return _notice(request, survey, heading=_("Too many answers at once"),
                       text=_("Please wait a minute and try again."), status=429)
    if request.POST.get(HONEYPOT_FIELD):
        # A bot filled the field people cannot see: thank it and keep nothing.
        return _thanks(request, survey)
    form = SurveyForm(request.POST, questions=questions)
    hidden_fields = hidden_fields_from(request.POST, survey.allowed_hidden_fields, prefix=HIDDEN_FIELD_PREFIX)
    form_token = request.POST.get("form_token", "")
    try:
        submission_key = form_token_read(form_token, link_token=link_token)
    except signing.SignatureExpired:
        # The page stayed open for more than a day: keep the answers, give a fresh token, ask again.
        form.is_valid()
        return _form_page(request, survey, form=form, hidden_fields=hidden_fields, status=400,
                          form_token=form_token_make(link_token=link_token, submission_key=new_submission_key()),
                          notice=_("This page was open for a long time. Please check your answers and send them "
                                   "again."))
    except signing.BadSignature:
        return _notice(request, survey, heading=_("This form could not be sent"),
                       text=_("Please open the survey link again and answer from there."), status=400)
    if not form.is_valid():
        return _form_page(request, survey, form=form, form_token=form_token, hidden_fields=hidden_fields,
                          status=400)
    try:
        services.response_record(survey=survey, questions=questions, answers=form.answers,
                                 submission_key=submission_key, hidden_fields=hidden_fields, invitation=invitation)
    except services.ResponseAlreadyRecorded:
        return _already_answered(request, survey)
    return _thanks(request, survey)


def _not_found(request) -> HttpResponse:
    return _notice(request, None, heading=_("We could not find this survey"),
                   text=_("Please check the link you were given."), status=404)


@csrf_exempt  # a signed form token replaces the CSRF cookie: see form_tokens.py
@never_cache
@require_http_methods(["GET", "POST"])
def public_survey(request, token: str):
    survey = link_lookup.survey_by_link(token)
    if survey is None:
        return _not_found(request)
    return _answer_page(request, survey, link_token=token)


@csrf_exempt  # a signed form token replaces the CSRF cookie: see form_tokens.py
@never_cache
@require_http_methods(["GET", "POST"])
def personal_survey(request, token: str):
    invitation = link_lookup.invitation_by_link(token)
    if invitation is None:
        return _not_found(request)
    return _answer_page(request, invitation.survey, link_token=token, invitation=invitation)
