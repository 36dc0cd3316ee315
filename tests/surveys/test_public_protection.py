"""What keeps the public survey form safe without cookies: the signed form token, the submission key,
the honeypot, the rate limit, and framing only by the workspace's own sites."""

import time

import pytest
from django.conf import settings
from django.core import signing
from django.utils.http import parse_http_date

from apps.surveys.form_tokens import form_token_make
from apps.surveys.models import Response
from tests.csp import frame_ancestors
from tests.factories import SurveyFactory

from .helpers import choice_id, field, open_form, promoter_answers

pytestmark = pytest.mark.django_db


def url(survey):
    return f"/s/{survey.token}/"


class TestNoCookies:
    def test_a_visitor_with_no_cookies_and_csrf_checks_on_can_answer(self, visitor, survey):
        assert not visitor.cookies
        page = visitor.get(url(survey))
        assert not page.cookies, "the survey page must not set cookies (session, csrftoken)"
        form = open_form(visitor, url(survey))
        answer = visitor.post(url(survey), {**form, **promoter_answers(survey)})
        assert answer.status_code == 200
        assert not answer.cookies
        assert Response.objects.count() == 1

    def test_no_session_is_created(self, visitor, survey):
        from django.contrib.sessions.models import Session

        form = open_form(visitor, url(survey))
        visitor.post(url(survey), {**form, **promoter_answers(survey)})
        assert Session.objects.count() == 0

    def test_pages_are_not_cached(self, visitor, survey):
        assert "no-store" in visitor.get(url(survey))["Cache-Control"]

    @pytest.mark.parametrize("own", [{}, {"Cache-Control": "no-transform"}, {"Expires": "0"}])
    def test_the_caching_headers_are_those_of_djangos_never_cache(self, rf, own):
        """public_views.never_cache sets its headers without parsing: they must stay Django's, also when
        the view set some of its own."""
        from django.http import HttpResponse
        from django.views.decorators.cache import never_cache as djangos

        from apps.surveys.public_views import never_cache as ours

        def view(request):
            return HttpResponse("page", headers=own)

        theirs, mine = djangos(view)(rf.get("/")), ours(view)(rf.get("/"))
        assert mine["Cache-Control"] == theirs["Cache-Control"]
        assert set(mine.headers) == set(theirs.headers)
        if "Expires" in own:
            assert mine["Expires"] == theirs["Expires"] == own["Expires"]
        else:  # now (the clock may tick between the two)
            assert abs(parse_http_date(mine["Expires"]) - parse_http_date(theirs["Expires"])) <= 1


class TestFormToken:
    def test_a_missing_token_is_a_friendly_400(self, visitor, survey):
        page = visitor.post(url(survey), promoter_answers(survey))
        assert page.status_code == 400
        assert "This form could not be sent" in page.content.decode()
        assert Response.objects.count() == 0

    def test_a_forged_token_is_refused(self, visitor, survey):
        forged = signing.dumps([survey.token, "my-own-key"], salt="something else")
        page = visitor.post(url(survey), {"form_token": forged, **promoter_answers(survey)})
        assert page.status_code == 400
        tampered = form_token_make(link_token=survey.token, submission_key="abc")[:-3] + "xyz"
        assert visitor.post(url(survey), {"form_token": tampered, **promoter_answers(survey)}).status_code == 400
        assert Response.objects.count() == 0

    def test_a_token_for_another_survey_is_refused(self, visitor, survey):
        other = SurveyFactory(workspace=survey.workspace, status="live")
        token = form_token_make(link_token=other.token, submission_key="k" * 20)
        assert visitor.post(url(survey), {"form_token": token, **promoter_answers(survey)}).status_code == 400
        assert Response.objects.count() == 0

    def test_an_expired_token_keeps_the_answers_and_asks_again(self, visitor, survey, monkeypatch):
        now = time.time()
        monkeypatch.setattr(signing.time, "time", lambda: now - 2 * 24 * 60 * 60)
        old = form_token_make(link_token=survey.token, submission_key="old-key")
        monkeypatch.undo()
        nps = field(survey, "How likely are you to recommend us?")
        page = visitor.post(url(survey), {"form_token": old, **promoter_answers(survey)})
        html = page.content.decode()
        assert page.status_code == 400
        assert "This page was open for a long time" in html
        assert f'name="{nps}" value="10" id="id_{nps}_10" checked' in html
        assert old not in html
        assert Response.objects.count() == 0


class TestSubmissionKey:
    def test_posting_the_same_form_twice_saves_one_response(self, visitor, survey):
        form = open_form(visitor, url(survey))
        first = visitor.post(url(survey), {**form, **promoter_answers(survey)})
        second = visitor.post(url(survey), {**form, **promoter_answers(survey)})
        assert first.status_code == second.status_code == 200
        assert "Thanks a lot!" in second.content.decode()
        assert Response.objects.count() == 1

    def test_a_repeated_detractor_post_leaves_one_of_everything_and_announces_once(
            self, visitor, survey, django_capture_on_commit_callbacks):
        from apps.feedback.models import CaseEvent, FeedbackItem, FollowUpCase
        from apps.surveys.models import Answer

        form = open_form(visitor, url(survey))
        detractor = {**form, field(survey, "How likely are you to recommend us?"): "2",
                     field(survey, "What went wrong?"): choice_id(survey, "What went wrong?", "Delivery"),
                     field(survey, "How satisfied are you?"): "1", field(survey, "Anything else?"): "Late again."}
        with django_capture_on_commit_callbacks() as first:
            visitor.post(url(survey), detractor)
        with django_capture_on_commit_callbacks() as second:
            again = visitor.post(url(survey), detractor)
        assert "Thanks a lot!" in again.content.decode()
        response = Response.objects.get()
        # The repeat's rows were written with its response and taken back with it.
        assert Answer.objects.count() == Answer.objects.filter(response_id=response.pk).count() == 4
        assert FeedbackItem.objects.get().response_id == response.pk
        assert FollowUpCase.objects.get().response_id == response.pk and CaseEvent.objects.count() == 1
        assert first and not second  # no job, e-mail or webhook for the repeat

    def test_two_page_loads_are_two_responses(self, visitor, survey):
        for _ in range(2):
            visitor.post(url(survey), {**open_form(visitor, url(survey)), **promoter_answers(survey)})
        assert Response.objects.count() == 2


def test_the_honeypot_pretends_success_and_saves_nothing(visitor, survey):
    form = open_form(visitor, url(survey))
    page = visitor.post(url(survey), {**form, **promoter_answers(survey), "website": "http://spam.example"})
    assert page.status_code == 200
    assert "Thanks a lot!" in page.content.decode()
    assert Response.objects.count() == 0


def test_the_honeypot_is_hidden_from_people(visitor, survey):
    html = visitor.get(url(survey)).content.decode()
    assert '<div class="hp" aria-hidden="true">' in html
    assert 'name="website" id="id_website" value="" tabindex="-1" autocomplete="off"' in html


class TestRateLimit:
    def test_it_answers_429_after_the_limit(self, visitor, survey, settings):
        settings.SURVEY_SUBMISSIONS_PER_MINUTE = 3
        for _ in range(3):
            assert visitor.post(url(survey), {**open_form(visitor, url(survey)), **promoter_answers(survey)}
                                ).status_code == 200
        page = visitor.post(url(survey), {**open_form(visitor, url(survey)), **promoter_answers(survey)})
        assert page.status_code == 429
        assert "Too many answers at once" in page.content.decode()
        assert Response.objects.count() == 3

    def test_the_default_is_twenty_a_minute(self, visitor, survey):
        form = open_form(visitor, url(survey))
        statuses = [visitor.post(url(survey), form).status_code for _ in range(21)]
        assert statuses[:20] == [400] * 20 and statuses[20] == 429

    def test_the_429_page_is_in_the_survey_language(self, visitor, survey, settings):
        from django.utils import translation

        settings.SURVEY_SUBMISSIONS_PER_MINUTE = 0
        survey.language = "ko"
        survey.save()
        html = visitor.post(url(survey), {}).content.decode()
        with translation.override("ko"):
            assert translation.gettext("Too many answers at once") in html
        assert '<html lang="ko"' in html

    def test_it_counts_per_address(self, survey, settings):
        from tests.client import Client

        settings.SURVEY_SUBMISSIONS_PER_MINUTE = 1
        first, second = Client(REMOTE_ADDR="203.0.113.1"), Client(REMOTE_ADDR="203.0.113.2")
        assert first.post(url(survey), {}).status_code == 400
        assert first.post(url(survey), {}).status_code == 429
        assert second.post(url(survey), {}).status_code == 400

    @pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis counter (CI's second pass sets REDIS_URL)")
    def test_a_count_left_without_its_window_gets_one_when_it_blocks(self, visitor, survey, settings):
        import redis

        from apps.surveys import ratelimit

        settings.SURVEY_SUBMISSIONS_PER_MINUTE = 1
        assert visitor.post(url(survey), {}).status_code == 400
        key, counters = f"surveys:submissions:{survey.pk}:127.0.0.1", redis.Redis.from_url(settings.REDIS_URL)
        assert 0 < counters.ttl(key) <= ratelimit.WINDOW_SECONDS
        counters.persist(key)  # as if the process had died between INCR and EXPIRE
        assert visitor.post(url(survey), {}).status_code == 429
        assert 0 < counters.ttl(key) <= ratelimit.WINDOW_SECONDS

    def test_forwarded_for_is_ignored_without_a_proxy(self, visitor, survey, settings):
        settings.SURVEY_SUBMISSIONS_PER_MINUTE = 1
        settings.SECURE_PROXY_SSL_HEADER = None
        assert visitor.post(url(survey), {}, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 400
        assert visitor.post(url(survey), {}, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429

    def test_behind_a_proxy_the_address_it_appended_counts(self, visitor, survey, settings):
        settings.SURVEY_SUBMISSIONS_PER_MINUTE = 1
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        assert visitor.post(url(survey), {}, HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.1").status_code == 400
        # A client cannot dodge the limit by making up the first entries.
        assert visitor.post(url(survey), {}, HTTP_X_FORWARDED_FOR="2.2.2.2, 198.51.100.1").status_code == 429
        assert visitor.post(url(survey), {}, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 400


class TestFraming:
    def test_survey_pages_may_be_framed_by_the_workspace_origins(self, visitor, survey):
        survey.workspace.embed_allowed_origins = "https://www.hanbit.example\nhttps://shop.hanbit.example:8443"
        survey.workspace.save()
        for page in (visitor.get(url(survey)), visitor.post(url(survey), {})):
            assert frame_ancestors(page) == "'self' https://www.hanbit.example https://shop.hanbit.example:8443"
            assert "X-Frame-Options" not in page

    def test_without_origins_only_the_site_itself_may_frame(self, visitor, survey):
        page = visitor.get(url(survey))
        assert frame_ancestors(page) == "'self'"
        assert "X-Frame-Options" not in page

    def test_a_malformed_origin_never_reaches_the_header(self, visitor, survey):
        survey.workspace.embed_allowed_origins = "https://ok.example\nhttps://x.example; script-src *"
        survey.workspace.save()
        page = visitor.get(url(survey))
        assert frame_ancestors(page) == "'self' https://ok.example"
        assert "script-src *" not in page["Content-Security-Policy"]

    def test_closed_and_thank_you_pages_follow_the_same_rule(self, visitor, survey):
        survey.workspace.embed_allowed_origins = "https://www.hanbit.example"
        survey.workspace.save()
        form = open_form(visitor, url(survey))
        thanks = visitor.post(url(survey), {**form, **promoter_answers(survey)})
        survey.status = "closed"
        survey.save()
        for page in (thanks, visitor.get(url(survey))):
            assert "https://www.hanbit.example" in page["Content-Security-Policy"]
            assert "X-Frame-Options" not in page

    def test_other_pages_keep_deny(self, client, survey, alice):
        assert client.get("/accounts/login/")["X-Frame-Options"] == "DENY"
        client.force_login(alice)
        share = client.get(f"/w/{survey.workspace.slug}/surveys/{survey.pk}/share/")
        assert share["X-Frame-Options"] == "DENY"
        assert client.get("/s/unknown-token/")["X-Frame-Options"] == "DENY"
