"""The permission matrix: every URL pattern of the project × every kind of visitor × the status each
should get. Routes come from the URL resolver (the walk of tests/workspaces/test_tenancy.py), so a new
pattern without a line in MATRIX (or, for the admin site, a new model without a line in ADMIN_MODELS)
fails here. GETs are tried for every role; POSTs (the writes) for every role that must be refused, then
for the least powerful role that may write."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import get_resolver

from apps.workspaces.models import Role
from tests.factories import InvitationFactory, MembershipFactory, SurveyFactory, UserFactory, WorkspaceFactory
from tests.surveys.factories import SurveyInvitationFactory
from tests.workspaces.test_tenancy import fill as fill_route
from tests.workspaces.test_tenancy import iter_named_routes

pytestmark = pytest.mark.django_db

MEMBERS = {"viewer": Role.VIEWER, "analyst": Role.ANALYST, "admin": Role.ADMIN, "owner": Role.OWNER}
ROLES = ["anonymous", *MEMBERS, "outsider", "staff", "superuser"]
LOGIN = "login"  # a redirect to a sign-in page
OK = "ok"  # a write that is not refused: done (2xx, 3xx) or explained (400, 409, 410)
NOT_MEMBERS = ("outsider", "staff", "superuser")
PROJECT_APPS = ["workspaces", "accounts", "touchpoints", "customers", "surveys", "feedback", "kpis", "errc",
                "webhooks", "outbox", "api"]


def workspace_route(get: str | None = Role.VIEWER, post: str | None = None, get_status: int = 200) -> dict:
    """A /w/<slug>/ page: `get` and `post` are the least roles allowed each method (None: not served).
    Anonymous visitors are sent to sign in; people outside the workspace — including staff operators and
    superusers, who work in the admin site — get 404; members below the role 403."""

    def expected(method_role, other_role, allowed):
        gate = method_role or other_role
        table = {"anonymous": LOGIN, **dict.fromkeys(NOT_MEMBERS, 404)}
        for name, role in MEMBERS.items():
            table[name] = 403 if Role.rank(role) < Role.rank(gate) else (allowed if method_role else 405)
        return table

    return {"GET": expected(get, post, get_status), "POST": expected(post, get, OK), "_post_role": post}


def everyone(get=200, post=None) -> dict:
    line = {"GET": dict.fromkeys(ROLES, get)}
    if post is not None:
        line["POST"] = dict.fromkeys(ROLES, post)
    return line


def signed_in(get=200, post=None, anonymous_get=LOGIN) -> dict:
    line = {"GET": {**dict.fromkeys(ROLES, get), "anonymous": anonymous_get}}
    if post is not None:
        line["POST"] = {**dict.fromkeys(ROLES, post), "anonymous": LOGIN}
    return line


def signed_out(get=200, signed_in_get=302, post=None) -> dict:
    line = {"GET": {**dict.fromkeys(ROLES, signed_in_get), "anonymous": get}}
    if post is not None:
        line["POST"] = dict.fromkeys(ROLES, post)
    return line


V, AN, AD, OW = Role.VIEWER, Role.ANALYST, Role.ADMIN, Role.OWNER

MATRIX: dict[str, dict] = {
    # Outside workspaces
    "home": {"GET": {**dict.fromkeys(ROLES, 302), "anonymous": LOGIN}},
    "healthz": everyone(get=200),
    "accounts:login": {"GET": {**dict.fromkeys(ROLES, 302), "anonymous": 200},
                       "POST": {**dict.fromkeys(ROLES, 302), "anonymous": 200}},
    "accounts:logout": everyone(get=405, post=LOGIN),
    "accounts:profile": signed_in(post=OK),
    "accounts:password_change": signed_in(post=OK),
    "accounts:password_reset": everyone(get=200, post=200),
    "accounts:password_reset_done": everyone(),
    "accounts:password_reset_confirm": everyone(),
    "accounts:password_reset_complete": everyone(),
    "accounts:set_language": everyone(get=405, post=302),
    "workspace_create": signed_in(post=OK),
    "accept_invitation": {"GET": dict.fromkeys(ROLES, 200), "POST": dict.fromkeys(ROLES, OK)},
    # Survey pages for customers: anonymous, cookie-free, the same for everyone.
    "public_survey": everyone(get=200, post=OK),
    "personal_survey": everyone(get=200, post=OK),
    # The API authenticates with workspace keys, never with a browser session.
    "api_v1:openapi-json": everyone(),
    "api_v1:openapi-view": everyone(),
    "api_v1:docs_asset": everyone(),
    "api_v1:api-root": everyone(get=404),
    "api_v1:responses": everyone(get=405, post=401),
    "api_v1:feedback": everyone(get=405, post=401),
    "api_v1:kpis": everyone(get=401),
    "api_v1:touchpoints": everyone(get=401),
    # /w/<slug>/: dashboard, members, settings
    "kpis:dashboard": workspace_route(V),
    "kpis:dashboard_activity": workspace_route(V),
    "workspaces:settings": workspace_route(AD, AD),
    "workspaces:data": workspace_route(OW),
    "workspaces:export_create": workspace_route(None, OW),
    "workspaces:export_status": workspace_route(OW),
    "workspaces:export_download": workspace_route(OW, get_status=410),
    "workspaces:delete": workspace_route(None, OW),
    "workspaces:restore": workspace_route(None, OW),
    "workspaces:members": workspace_route(V),
    "workspaces:audit": workspace_route(OW),
    "workspaces:invite": workspace_route(None, AD),
    "workspaces:member_role": workspace_route(None, AD),
    "workspaces:member_remove": workspace_route(AD, AD),
    "workspaces:invitation_resend": workspace_route(None, AD),
    "workspaces:invitation_revoke": workspace_route(None, AD),
    # Journeys and touchpoints
    "touchpoints:journey_list": workspace_route(V),
    "touchpoints:journey_create": workspace_route(AD, AD, get_status=302),
    "touchpoints:journey_map": workspace_route(V),
    "touchpoints:journey_edit": workspace_route(AD, AD),
    "touchpoints:journey_delete": workspace_route(AD, AD),
    "touchpoints:stage_create": workspace_route(AD, AD),
    "touchpoints:stage_edit": workspace_route(AD, AD),
    "touchpoints:stage_move": workspace_route(None, AD),
    "touchpoints:stage_delete": workspace_route(AD, AD),
    "touchpoints:touchpoint_create": workspace_route(AD, AD),
    "touchpoints:touchpoint_edit": workspace_route(AD, AD),
    "touchpoints:touchpoint_move": workspace_route(AD, AD),
    "touchpoints:touchpoint_archive": workspace_route(AD, AD),
    "touchpoints:touchpoint_restore": workspace_route(None, AD),
    "touchpoints:touchpoint_delete": workspace_route(AD, AD),
    "touchpoints:persona_list": workspace_route(V),
    "touchpoints:persona_create": workspace_route(AD, AD, get_status=302),
    "touchpoints:persona_edit": workspace_route(AD, AD),
    "touchpoints:persona_delete": workspace_route(AD, AD),
    # Customers and segments
    "customers:customer_list": workspace_route(V),
    "customers:customer_export": workspace_route(AN),
    "customers:customer_import": workspace_route(AN, AN),
    "customers:import_detail": workspace_route(V),
    "customers:import_retry": workspace_route(None, AN),
    "customers:import_error_rows": workspace_route(AN),
    "customers:segment_list": workspace_route(V),
    "customers:segment_create": workspace_route(AD, AD),
    "customers:segment_count": workspace_route(V),
    "customers:segment_edit": workspace_route(AD, AD),
    "customers:segment_delete": workspace_route(AD, AD),
    "customers:customer_detail": workspace_route(V),
    "customers:customer_edit": workspace_route(AD, AD),
    "customers:customer_erase": workspace_route(AD, AD),
    # Surveys
    "surveys:survey_list": workspace_route(V),
    "surveys:survey_create": workspace_route(None, AD),
    "surveys:survey_status": workspace_route(None, AD),
    "surveys:survey_share": workspace_route(V),
    "surveys:survey_qr_svg": workspace_route(V),
    "surveys:survey_qr_png": workspace_route(V),
    "surveys:survey_builder": workspace_route(AD, AD),
    "surveys:survey_preview": workspace_route(V),
    "surveys:survey_duplicate": workspace_route(None, AD),
    "surveys:question_create": workspace_route(AD, AD, get_status=302),
    "surveys:question_edit": workspace_route(AD, AD, get_status=302),
    "surveys:question_move": workspace_route(None, AD),
    "surveys:question_delete": workspace_route(None, AD),
    "surveys:question_restore": workspace_route(None, AD),
    "surveys:choice_create": workspace_route(None, AD),
    "surveys:choice_edit": workspace_route(None, AD),
    "surveys:choice_delete": workspace_route(None, AD),
    "surveys:survey_results": workspace_route(V),
    "surveys:response_list": workspace_route(V),
    "surveys:response_detail": workspace_route(V),
    "surveys:responses_export_csv": workspace_route(AN),
    "surveys:responses_export_xlsx": workspace_route(AN),
    "surveys:distribution_list": workspace_route(V),
    "surveys:distribution_create": workspace_route(AN, AN),
    "surveys:distribution_detail": workspace_route(V, get_status=302),
    "surveys:quota_create": workspace_route(None, AD),
    "surveys:quota_delete": workspace_route(None, AD),
    "surveys:survey_dropoff": workspace_route(V),
    "surveys:unfinished_list": workspace_route(V),
    "surveys:wave_schedule_list": workspace_route(V),
    "surveys:wave_schedule_create": workspace_route(AD, AD),
    "surveys:wave_schedule_edit": workspace_route(AD, AD),
    "surveys:wave_schedule_status": workspace_route(None, AD),
    # Feedback, follow-up cases, alerts
    "feedback:inbox": workspace_route(V),
    "feedback:bulk_tag": workspace_route(None, AN),
    "feedback:themes": workspace_route(V),
    "feedback:theme_manage": workspace_route(V),
    "feedback:theme_edit": workspace_route(None, AN),
    "feedback:text_analysis": workspace_route(V, AD),
    "feedback:text_analysis_progress": workspace_route(V),
    "feedback:import": workspace_route(AN, AN),
    "feedback:import_detail": workspace_route(V),
    "feedback:tag_list": workspace_route(AD, AD),
    "feedback:tag_rule": workspace_route(None, AD),
    "feedback:tag_delete": workspace_route(None, AD),
    "feedback:case_list": workspace_route(V),
    "feedback:my_cases": workspace_route(V),
    "feedback:case_detail": workspace_route(V),
    "feedback:case_status": workspace_route(None, AN),
    "feedback:case_note": workspace_route(None, AN),
    "feedback:case_assign": workspace_route(None, AD),
    "feedback:alert_list": workspace_route(V),
    "feedback:alert_acknowledge": workspace_route(None, AN),
    "feedback:alert_rule_create": workspace_route(AD, AD),
    "feedback:alert_rule_edit": workspace_route(AD, AD),
    "feedback:alert_rule_delete": workspace_route(None, AD),
    "nps:report": workspace_route(V),
    # API keys and webhooks: admins
    "api:key_list": workspace_route(AD),
    "api:key_create": workspace_route(None, AD),
    "api:key_created": workspace_route(AD, get_status=302),
    "api:key_revoke": workspace_route(AD, AD),
    "outbox:email_list": workspace_route(AD),
    "outbox:email_resend": workspace_route(None, AD),
    "webhooks:endpoint_list": workspace_route(AD),
    "webhooks:endpoint_create": workspace_route(AD, AD),
    "webhooks:endpoint_detail": workspace_route(AD),
    "webhooks:endpoint_edit": workspace_route(AD, AD),
    "webhooks:endpoint_secret": workspace_route(AD, get_status=302),
    "webhooks:endpoint_rotate": workspace_route(AD, AD),
    "webhooks:endpoint_test": workspace_route(None, AD),
    "webhooks:endpoint_status": workspace_route(None, AD),
    "webhooks:endpoint_delete": workspace_route(AD, AD),
    "webhooks:delivery_detail": workspace_route(AD),
    "webhooks:delivery_redeliver": workspace_route(None, AD),
    # ERRC boards: analysts work them
    "errc:board_list": workspace_route(V, AN),
    "errc:board_detail": workspace_route(V),
    "errc:board_edit": workspace_route(AN, AN),
    "errc:item_create": workspace_route(AN, AN),
    "errc:proposals_refresh": workspace_route(None, AN),
    "errc:proposal_accept": workspace_route(None, AN),
    "errc:proposal_dismiss": workspace_route(None, AN),
    "errc:item_detail": workspace_route(V, AN),
    "errc:item_move": workspace_route(None, AN),
    "errc:evidence_add": workspace_route(None, AN),
    "errc:evidence_delete": workspace_route(None, AN),
}

# The admin site: staff only. Anonymous and non-staff people are sent to the admin sign-in; staff
# operators reach what their permissions allow, and only rows of workspaces they belong to (the
# operator here belongs to another workspace, so the victim's objects "do not exist" for them: 302 to
# the admin index); superusers see everything.
ADMIN_SITE: dict[str, dict] = {
    "admin:index": {"GET": {**dict.fromkeys(ROLES, LOGIN), "staff": 200, "superuser": 200}},
    "admin:login": {"GET": {**dict.fromkeys(ROLES, 200), "staff": 302, "superuser": 302}},
    "admin:logout": {"GET": {**dict.fromkeys(ROLES, 302), "staff": 405, "superuser": 405}},
    "admin:password_change": {"GET": {**dict.fromkeys(ROLES, LOGIN), "staff": 200, "superuser": 200}},
    "admin:password_change_done": {"GET": {**dict.fromkeys(ROLES, LOGIN), "staff": 200, "superuser": 200}},
    "admin:autocomplete": {"GET": {**dict.fromkeys(ROLES, LOGIN), "staff": 403, "superuser": 403}},
    "admin:jsi18n": {"GET": {**dict.fromkeys(ROLES, LOGIN), "staff": 200, "superuser": 200}},
    "admin:view_on_site": {"GET": {**dict.fromkeys(ROLES, LOGIN), "staff": 404, "superuser": 404}},
    "admin:app_list": {"GET": {**dict.fromkeys(ROLES, LOGIN), "staff": 200, "superuser": 200}},
    "admin/(?P<url>.*)$": {"GET": {**dict.fromkeys(ROLES, LOGIN), "staff": 404, "superuser": 404}},
}


def admin_model(add=True, delete=True, staff=True) -> dict:
    """add/delete: whether the admin allows them at all; staff: whether operators get permissions on it."""
    return {"add": add, "delete": delete, "staff": staff}


# One line per model registered in the admin site.
ADMIN_MODELS: dict[str, dict] = {
    "auth.group": admin_model(staff=False),
    "accounts.user": admin_model(),
    "workspaces.workspace": admin_model(add=False, delete=False),  # staff: no add/delete; superuser: see below
    "workspaces.membership": admin_model(),
    "workspaces.invitation": admin_model(),
    "workspaces.auditentry": admin_model(add=False, delete=False),
    "workspaces.apikey": admin_model(add=False),
    "webhooks.webhookendpoint": admin_model(add=False),
    "webhooks.webhookdelivery": admin_model(add=False),
    "outbox.outboundemail": admin_model(),
    "workspaces.workspaceexport": admin_model(add=False),
    "feedback.workspacetextmodel": admin_model(add=False),
    "feedback.reanalysis": admin_model(add=False),
    **{label: admin_model() for label in [
        "touchpoints.persona", "touchpoints.journey", "touchpoints.stage", "touchpoints.touchpoint",
        "customers.customer", "customers.customerimport", "surveys.survey", "surveys.question", "surveys.choice",
        "surveys.response", "surveys.answer", "surveys.distribution", "surveys.surveyinvitation",
        "surveys.quota", "surveys.partialresponse",
        "feedback.feedbackitem", "feedback.tag", "feedback.tagrule", "feedback.feedbacktag", "feedback.theme",
        "feedback.feedbacktheme", "feedback.feedbackimport", "feedback.followupcase", "feedback.caseevent",
        "feedback.alertrule", "feedback.alertstate", "feedback.alert", "errc.errcboard", "errc.errcitem",
        "errc.itemevidence", "errc.errcproposal"]},
    # Rollups are derived data, rebuilt by the jobs: never added by hand, may be cleared.
    **{label: admin_model(add=False) for label in [
        "kpis.dailyrollup", "kpis.segmentrollup", "kpis.invitationrollup", "kpis.dirtyslice"]},
}
# The workspace admin refuses add/delete to staff but allows them to superusers.
SUPERUSER_OVERRIDES = {"workspaces.workspace": {"add": True, "delete": True}}
ADMIN_MODEL_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/(?P<rest>.*)$")


def admin_model_expectations(label: str, rest: str) -> dict:
    line = ADMIN_MODELS[label]
    view = {"": "changelist", "add/": "add", "<path:object_id>/history/": "history",
            "<path:object_id>/delete/": "delete", "<path:object_id>/change/": "change",
            "<path:object_id>/": "redirect", "<id>/password/": "password"}[rest]
    base = dict.fromkeys(ROLES, LOGIN)
    if view == "redirect":  # the old object URL, sent on to its change page
        return {"GET": {**base, "staff": 302, "superuser": 302}}
    superuser_line = {**line, **SUPERUSER_OVERRIDES.get(label, {})}

    def status(who_line, is_superuser):
        if not is_superuser and not who_line["staff"]:
            return 403
        if view == "add":
            return 200 if who_line["add"] else 403
        if view == "delete" and not who_line["delete"]:
            return 403
        if view == "password" and not is_superuser:
            return 404  # the operator's own workspaces do not include this person
        if view in ("change", "history", "delete") and not is_superuser:
            return 302  # not in the operator's workspaces: "does not exist"
        return 200

    expected = {"GET": {**base, "staff": status(line, False), "superuser": status(superuser_line, True)}}
    if view in ("add", "change", "delete"):
        expected["POST"] = {**base, "staff": None, "superuser": None}  # admin writes: covered by tests/*/test_admin.py
    return expected


def all_routes() -> list[tuple[str, str]]:
    return sorted({(route, name) for route, name, _ in iter_named_routes(get_resolver().url_patterns)
                   if not route.startswith("^media/")})


def expectations(route: str, name: str) -> dict:
    match = ADMIN_MODEL_ROUTE.match(route)
    if match and f"{match['app']}.{match['model']}" in ADMIN_MODELS:
        return admin_model_expectations(f"{match['app']}.{match['model']}", match["rest"])
    if match and re.fullmatch(r"admin:\w+_(changelist|add|change|delete|history)", name or "-"):
        pytest.fail(f"/{route}: admin model {match['app']}.{match['model']} has no line in ADMIN_MODELS")
    key = name or route
    line = MATRIX.get(key) or ADMIN_SITE.get(key)
    if line is None:
        pytest.fail(f"/{route} ({key}) has no line in MATRIX in {__file__}: say who may GET and POST it")
    return line


def the_cast(victim) -> dict:
    users = {"anonymous": None}
    for name, role in MEMBERS.items():
        users[name] = MembershipFactory(workspace=victim, role=role, user=UserFactory(username=name)).user
    elsewhere = WorkspaceFactory(name="Elsewhere")
    users["outsider"] = MembershipFactory(workspace=elsewhere, role=Role.OWNER, user=UserFactory(username="out")).user
    staff = UserFactory(username="operator", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label__in=PROJECT_APPS))
    MembershipFactory(workspace=elsewhere, user=staff, role=Role.ADMIN)
    users["staff"] = staff
    users["superuser"] = UserFactory(username="root", is_staff=True, is_superuser=True)
    return users


def admin_object(route: str, victim, users):
    from django.apps import apps

    match = ADMIN_MODEL_ROUTE.match(route)
    model = apps.get_model(match["app"], match["model"])
    if model._meta.label_lower == "workspaces.workspace":
        return victim.pk
    if model._meta.label_lower == "accounts.user":
        return users["owner"].pk
    if model._meta.label_lower == "auth.group":
        from django.contrib.auth.models import Group

        return Group.objects.create(name="Operators").pk
    from tests.workspaces.world import populate

    if not model.objects.filter(workspace=victim).exists():
        populate(victim)
    instance = model.objects.filter(workspace=victim).first()
    if instance is None:
        pytest.skip(f"the test world has no {model._meta.label} row")
    return instance.pk


def url_for(route: str, name: str, victim, users) -> str:
    if name == "admin:app_list":
        return "/admin/workspaces/"
    if route == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    factories = {
        "uidb64": lambda workspace: "MQ",
        "token": {
            "accept_invitation": lambda workspace: InvitationFactory(workspace=workspace).token,
            "public_survey": lambda workspace: SurveyFactory(workspace=workspace, status="live").token,
            "personal_survey": lambda workspace: SurveyInvitationFactory(
                distribution__survey__workspace=workspace, distribution__survey__status="live").token,
        }.get(name, lambda workspace: "not-a-valid-token"),
        "name": lambda workspace: "swagger-ui.css",
        "object_id": lambda workspace: admin_object(route, victim, users) if name != "admin:view_on_site" else "1",
        "content_type_id": lambda workspace: "1",
        "id": lambda workspace: users["owner"].pk,
    }
    return fill_route(route, victim, factories)


def outcome(response):
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(("/accounts/login/", "/admin/login/")):
        return LOGIN
    return response.status_code


def refused(result) -> bool:
    return result == LOGIN or result in (401, 403, 404, 405) or (isinstance(result, int) and result >= 500)


def test_the_matrix_has_no_stale_lines():
    names = {name or route for route, name in all_routes()}
    assert not (set(MATRIX) | set(ADMIN_SITE)) - names, "lines for routes that no longer exist"
    from django.contrib import admin

    assert set(ADMIN_MODELS) == {model._meta.label_lower for model in admin.site._registry}


@pytest.mark.parametrize(("route", "name"), all_routes(), ids=[name or route for route, name in all_routes()])
def test_permission_matrix(client, route, name):
    line = expectations(route, name)
    victim = WorkspaceFactory(slug="victim")
    users = the_cast(victim)
    url = url_for(route, name, victim, users)
    problems = []

    def visit(role, method):
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        return outcome(getattr(client, method.lower())(url, REMOTE_ADDR=f"198.51.100.{ROLES.index(role) + 1}"))

    for role in ROLES:
        expected = line["GET"][role]
        got = visit(role, "GET")
        if got != expected:
            problems.append(f"GET as {role}: expected {expected}, got {got}")
    if "POST" in line:
        post = line["POST"]
        allowed = [role for role in ROLES if post[role] == OK]
        for role in ROLES:
            expected = post[role]
            if expected is None or expected == OK:
                continue
            got = visit(role, "POST")
            if got != expected:
                problems.append(f"POST as {role}: expected {expected}, got {got}")
        if allowed:
            # The least powerful role that may write (the others would find the object gone or changed).
            role = allowed[0]
            got = visit(role, "POST")
            if refused(got):
                problems.append(f"POST as {role}: expected a write, got {got}")
    assert not problems, f"{url}\n" + "\n".join(problems)
