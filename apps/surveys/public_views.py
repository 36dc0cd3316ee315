"""The pages customers answer on: /s/<token>/ (the survey's public link, also embedded and behind
QR codes) and /r/<token>/ (a personal link from an invitation e-mail).

They are anonymous and cookie-free: no session, no CSRF cookie (see form_tokens.py for why and what
replaces it), so they work inside an iframe on the brand's site where third-party cookies are
blocked. A one-language survey renders in its language, whatever the visitor's browser or cookie says;
a bilingual one picks the language from the link, the invited customer or the browser (languages.py).
A survey with page breaks keeps its answers page by page (partials.py) and the server evaluates the
survey's logic between pages (logic.py).
"""

import re
from functools import wraps
from urllib.parse import urlencode

from django.core import signing
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import languages, link_lookup, logic, page_cache, partials, quotas, selectors, services
from .form_tokens import form_token_make, form_token_read
from .forms import HIDDEN_FIELD_PREFIX, HONEYPOT_FIELD, SurveyForm, hidden_fields_from
from .models import PartialResponse, Response, Survey, SurveyInvitation, new_submission_key
from .ratelimit import submission_allowed

# Each language named in itself, so a customer finds theirs whatever the page is shown in.
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}
# What django.views.decorators.cache.never_cache leaves on a response that had no caching headers.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
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


def never_cache(view):
    """Django's never_cache, with its headers set as they are when the view set none: its decorator parses
    and rebuilds Cache-Control twice per response, and every survey answer pays that (about 3% of one)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if "Cache-Control" in response:  # the view set its own: merged with it, as Django does
            add_never_cache_headers(response)
        else:
            response.headers["Cache-Control"] = NEVER_CACHE
            if "Expires" not in response:
                response.headers["Expires"] = http_date()
        return response

    return wrapper


def _unreadable_body(request) -> Exception | None:
    """The error of a POST body over DATA_UPLOAD_MAX_MEMORY_SIZE or with more fields than
    DATA_UPLOAD_MAX_NUMBER_FIELDS, which Django would answer with its generic 400 page."""
    if request.method != "POST":
        return None
    try:
        request.POST  # noqa: B018 (parsing it is the point)
    except (RequestDataTooBig, TooManyFieldsSent) as error:
        return error
    return None


def _in_page_language(view):
    """Render in the language languages.page_language() picks for this visit (a one-language survey: its
    own), and let the brand's sites frame the page."""

    def wrapper(request: HttpRequest, survey: Survey, **kwargs) -> HttpResponse:
        # Parsed before page_language() reads it: a body Django refuses must still get a page of the survey.
        unreadable = _unreadable_body(request)
        language = languages.page_language(request, survey, kwargs.get("invitation"))
        with translation.override(language):
            if unreadable is not None:
                response = _notice(request, survey, heading=_("This form could not be sent"), text=_(
                    "The answers are too long to be sent. Please shorten them and send them again."),
                    status=413 if isinstance(unreadable, RequestDataTooBig) else 400)
            else:
                response = view(request, survey, language=language, **kwargs)
        response["Content-Language"] = language
        return allow_framing(response, survey)

    return wrapper


def _texts(survey: Survey | None) -> dict:
    return languages.survey_texts(survey, translation.get_language()) if survey is not None else {}


def _notice(request, survey: Survey | None, *, heading: str, text: str, status: int = 200) -> HttpResponse:
    return render(request, "surveys/public/notice.html", {"survey": survey, "texts": _texts(survey),
                                                          "heading": heading, "text": text}, status=status)


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
    content = page_cache.page(survey, "thanks", (translation.get_language(),), lambda: render(
        request, "surveys/public/thanks.html", {"survey": survey, "texts": _texts(survey)}).content)
    return HttpResponse(content)


def _quota_full(request, survey: Survey) -> HttpResponse:
    return _notice(request, survey, heading=_("Thank you for stopping by"),
                   text=_("We already have all the answers we need for this survey. Thank you for wanting to "
                          "help us do better."))


def _switch_links(request, survey: Survey, language: str, keep: dict[str, str]) -> list[dict]:
    """The language switch: the same page in each of the survey's languages, keeping the resume token
    and the link's hidden fields."""
    if len(survey.languages) == 1:
        return []
    return [{"code": code, "name": LANGUAGE_NAMES.get(code, code), "current": code == language,
             "url": f"{request.path}?{urlencode({**keep, 'lang': code})}"} for code in survey.languages]


def _form_page(request, survey: Survey, *, form: SurveyForm, form_token: str, hidden_fields: dict, language: str,
               pages: list, page: int = 0, resume: str = "", notice: str = "", status: int = 200) -> HttpResponse:
    first_number = 1 + sum(len(each) for each in pages[:page])
    questions = form.questions_for_display(first_number=first_number)
    keep = {**hidden_fields, **({"resume": resume} if resume else {})}
    return render(request, "surveys/public/survey_form.html", {
        "survey": survey,
        "texts": languages.survey_texts(survey, language),
        "questions": questions,
        "error_count": sum(1 for row in questions if row["errors"]),
        "form_token": form_token,
        "hidden_fields": [(HIDDEN_FIELD_PREFIX + key, value) for key, value in hidden_fields.items()],
        "honeypot": HONEYPOT_FIELD,
        "notice": notice,
        "language": language,
        "languages": _switch_links(request, survey, language, keep),
        "resume": resume,
        "page": page,
        "page_number": page + 1,
        "page_count": len(pages),
        # A later page may still turn out empty once this one is answered: the server then completes.
        "is_last_page": page + 1 >= len(pages),
    }, status=status)


def _is_repeat_of_answer(request, invitation: SurveyInvitation, link_token: str) -> bool:
    try:
        submission_key = form_token_read(request.POST.get("form_token", ""), link_token=link_token)
    except signing.BadSignature:
        return False
    return Response.objects.for_workspace(invitation.workspace_id).filter(
        invitation=invitation, submission_key=submission_key).exists()


def _posted_page(request, upto: int) -> int:
    # Only a page already reached may be sent again (the browser's back button); never one ahead.
    value = request.POST.get("page", "0")
    return min(int(value), upto) if value.isdigit() else 0


@_in_page_language
def _answer_page(request, survey: Survey, *, link_token: str, language: str,
                 invitation: SurveyInvitation | None = None):
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
    pages = logic.split_pages(questions)
    data = request.POST if request.method == "POST" else request.GET

    # A survey of several pages keeps its answers page by page (partials.py); one page needs nothing kept.
    partial, notice = None, ""
    if len(pages) > 1:
        resume = "" if invitation is not None else data.get("resume", "")
        partial = partials.partial_find(survey, resume_token=resume, invitation=invitation)
        if partial is not None and partial.status == PartialResponse.Status.COMPLETED:
            return _thanks(request, survey)
        if partial is not None and partial.status != PartialResponse.Status.IN_PROGRESS:
            partial = None
        if resume and partial is None:
            notice = _("Your earlier answers were kept for a limited time and have expired. Please start again.")
    if partial is not None:
        hidden_fields = partial.hidden_fields
    else:
        hidden_fields = hidden_fields_from(data, survey.allowed_hidden_fields,
                                           prefix=HIDDEN_FIELD_PREFIX if request.method == "POST" else "")
    customer = invitation.customer if invitation is not None and survey.has_quotas else None
    if quotas.full_quota(survey, hidden_fields=hidden_fields, channel=services.response_channel(survey, hidden_fields),
                         customer=customer):
        return _quota_full(request, survey)
    earlier = partials.stored_answers(partial)
    reached = min(partial.page, len(pages) - 1) if partial is not None else 0
    resume_token = partial.resume_token if partial is not None and invitation is None else ""

    def page_form(index: int, *args) -> SurveyForm:
        return SurveyForm(*args, questions=logic.page_questions(pages, index, earlier) if pages else [],
                          all_questions=questions, earlier_answers=earlier, language=language,
                          survey_language=survey.language)

    def show(form: SurveyForm, index: int, form_token: str, status: int = 200, message: str = "") -> HttpResponse:
        return _form_page(request, survey, form=form, form_token=form_token, hidden_fields=hidden_fields,
                          language=language, pages=pages, page=index, resume=resume_token,
                          notice=message or notice, status=status)

    if request.method == "GET":
        if invitation is not None:
            services.invitation_mark_opened(invitation=invitation)
        key = partial.submission_key if partial is not None else new_submission_key()
        form_token = form_token_make(link_token=link_token, submission_key=key)
        if invitation is not None or partial is not None or notice:
            return show(page_form(reached), reached, form_token)
        # A new visit of a public link: the same first page for every visitor but for the form token, so it
        # is rendered once per survey revision, language and hidden-field values (page_cache.py). A personal
        # link or a resumed visit is one customer's page: caching it would only push others out.
        content = page_cache.page(survey, "form", (request.path, language, *hidden_fields.items()),
                                  lambda: show(page_form(0), 0, page_cache.FORM_TOKEN_SLOT).content)
        return HttpResponse(content.replace(page_cache.FORM_TOKEN_SLOT.encode(), form_token.encode(), 1))

    if not submission_allowed(request, scope=str(survey.pk)):
        return _notice(request, survey, heading=_("Too many answers at once"),
                       text=_("Please wait a minute and try again."), status=429)
    if request.POST.get(HONEYPOT_FIELD):
        # A bot filled the field people cannot see: thank it and keep nothing.
        return _thanks(request, survey)
    index = _posted_page(request, reached)
    form = page_form(index, request.POST)
    form_token = request.POST.get("form_token", "")
    try:
        submission_key = form_token_read(form_token, link_token=link_token)
    except signing.SignatureExpired:
        # The page stayed open for more than a day: keep the answers, give a fresh token, ask again.
        form.is_valid()
        return show(form, index, form_token_make(link_token=link_token, submission_key=new_submission_key()),
                    status=400, message=_("This page was open for a long time. Please check your answers and send "
                                          "them again."))
    except signing.BadSignature:
        return _notice(request, survey, heading=_("This form could not be sent"),
                       text=_("Please open the survey link again and answer from there."), status=400)
    if partial is None and index == 0 and len(pages) > 1:
        # A double click on the first page: the first click's partial response carries this key.
        partial = partials.partial_find(survey, submission_key=submission_key)
    if not form.is_valid():
        return show(form, index, form_token, status=400)
    page_ids = {question.pk for question in pages[index]} if pages else set()
    answers = {**{key: value for key, value in earlier.items() if key not in page_ids}, **form.plain_answers}
    following = logic.next_page(pages, index, answers)
    if following is None:
        try:
            partials.partial_complete(survey=survey, partial=partial, questions=questions, answers=answers,
                                      submission_key=submission_key, language=language, hidden_fields=hidden_fields,
                                      invitation=invitation)
        except services.ResponseAlreadyRecorded:
            return _already_answered(request, survey)
        except quotas.QuotaFull:
            return _quota_full(request, survey)
        return _thanks(request, survey)
    shown_next = logic.page_questions(pages, following, answers)
    partial = partials.partial_save_page(
        survey=survey, partial=partial, questions=questions, answers=answers, next_page=following,
        reached_position=max(question.position for question in shown_next), submission_key=submission_key,
        language=language, hidden_fields=hidden_fields, invitation=invitation)
    # Post/redirect/get: a reload shows the next page instead of sending this one again.
    query = {"lang": language} if len(survey.languages) > 1 else {}
    if invitation is None:
        query["resume"] = partial.resume_token
    return redirect(request.path + ("?" + urlencode(query) if query else ""), permanent=False)


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
