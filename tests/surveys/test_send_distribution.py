"""The send_distribution job: invitations set-based with skip reasons, e-mails in the customer's
language, counts, and a re-run that neither duplicates nor re-sends."""

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.utils import timezone, translation

from apps.outbox import services as outbox_services
from apps.surveys import selectors, services
from apps.surveys.models import Distribution, SurveyInvitation
from apps.surveys.tasks import send_distribution
from tests.factories import CustomerFactory, SurveyFactory, WorkspaceFactory

from .factories import DistributionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(workspace):
    return SurveyFactory(workspace=workspace, status="live", language="en", title="Delivery check")


@pytest.fixture
def customers(workspace):
    """One customer for each rule, keyed by what should happen to them."""
    now = timezone.now()
    return {
        "sent": CustomerFactory(workspace=workspace, email="yes@example.com", attributes={"segment": "vip"}),
        "sent_after_window": CustomerFactory(workspace=workspace, last_surveyed_at=now - timedelta(days=31),
                                             attributes={"segment": "vip"}),
        "no_consent": CustomerFactory(workspace=workspace, consent=False, attributes={"segment": "vip"}),
        "no_email": CustomerFactory(workspace=workspace, email="", attributes={"segment": "vip"}),
        "fatigue": CustomerFactory(workspace=workspace, last_surveyed_at=now - timedelta(days=5),
                                   attributes={"segment": "vip"}),
        "other_segment": CustomerFactory(workspace=workspace, attributes={"segment": "mass"}),
    }


def status_of(distribution, customer):
    invitation = SurveyInvitation.objects.get(distribution=distribution, customer=customer)
    return invitation.status, invitation.skip_reason


def test_it_invites_the_selection_and_skips_with_reasons(survey, customers):
    distribution = DistributionFactory(survey=survey, filters={"segment": "vip"})
    send_distribution(distribution.pk)
    assert status_of(distribution, customers["sent"]) == ("sent", "")
    assert status_of(distribution, customers["sent_after_window"]) == ("sent", "")
    assert status_of(distribution, customers["no_consent"]) == ("skipped", "no_consent")
    assert status_of(distribution, customers["no_email"]) == ("skipped", "no_email")
    assert status_of(distribution, customers["fatigue"]) == ("skipped", "fatigue")
    assert not SurveyInvitation.objects.filter(customer=customers["other_segment"]).exists()
    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.DONE
    assert (distribution.recipient_count, distribution.sent_count, distribution.skipped_count) == (5, 2, 3)
    log = selectors.distribution_log(distribution)
    assert (log["skipped_no_consent"], log["skipped_fatigue"], log["skipped_no_email"]) == (1, 1, 1)


def test_no_filter_means_every_customer_of_the_workspace(survey, customers):
    CustomerFactory(workspace=WorkspaceFactory())
    distribution = DistributionFactory(survey=survey)
    send_distribution(distribution.pk)
    assert SurveyInvitation.objects.filter(distribution=distribution).count() == 6
    assert len(mail.outbox) == 3


def test_a_zero_day_window_skips_nobody_for_fatigue(survey, customers):
    survey.workspace.contact_fatigue_days = 0
    survey.workspace.save()
    distribution = DistributionFactory(survey=survey, filters={"segment": "vip"})
    send_distribution(distribution.pk)
    assert status_of(distribution, customers["fatigue"]) == ("sent", "")


def test_the_email_carries_the_personal_link(survey, customers, settings):
    settings.SITE_URL = "https://cxm.example"
    distribution = DistributionFactory(survey=survey, filters={"segment": "vip"})
    send_distribution(distribution.pk)
    invitation = SurveyInvitation.objects.get(customer=customers["sent"])
    message = next(message for message in mail.outbox if message.to == ["yes@example.com"])
    link = f"https://cxm.example/r/{invitation.token}/"
    assert link in message.body
    assert link in message.alternatives[0][0]
    assert "Delivery check" in message.body
    assert invitation.sent_at is not None


def test_sending_counts_as_surveying_for_the_fatigue_window(survey, customers):
    send_distribution(DistributionFactory(survey=survey, filters={"segment": "vip"}).pk)
    customers["sent"].refresh_from_db()
    assert customers["sent"].last_surveyed_at > timezone.now() - timedelta(minutes=1)
    # So the next distribution within the window skips them.
    second = DistributionFactory(survey=survey, filters={"segment": "vip"})
    send_distribution(second.pk)
    assert status_of(second, customers["sent"]) == ("skipped", "fatigue")


def test_running_it_again_neither_duplicates_nor_resends(survey, customers):
    distribution = DistributionFactory(survey=survey, filters={"segment": "vip"})
    send_distribution(distribution.pk)
    tokens = set(SurveyInvitation.objects.values_list("token", flat=True))
    sent = len(mail.outbox)
    send_distribution(distribution.pk)
    assert set(SurveyInvitation.objects.values_list("token", flat=True)) == tokens
    assert len(mail.outbox) == sent
    distribution.refresh_from_db()
    assert (distribution.sent_count, distribution.skipped_count) == (2, 3)


def test_a_rerun_invites_customers_added_since_and_only_them(survey, customers):
    distribution = DistributionFactory(survey=survey, filters={"segment": "vip"})
    send_distribution(distribution.pk)
    mail.outbox.clear()
    newcomer = CustomerFactory(workspace=survey.workspace, email="new@example.com", attributes={"segment": "vip"})
    send_distribution(distribution.pk)
    assert [message.to for message in mail.outbox] == [["new@example.com"]]
    assert status_of(distribution, newcomer) == ("sent", "")


def test_a_refused_email_is_retried_then_marked_failed_and_the_rest_are_sent(survey, customers, monkeypatch,
                                                                           settings):
    settings.EMAIL_MAX_ATTEMPTS = 2
    real_send = outbox_services._smtp_send

    def refusing_server(email):
        if email.to == "yes@example.com":
            raise SMTPException("mailbox unavailable")
        return real_send(email)

    monkeypatch.setattr(outbox_services, "_smtp_send", refusing_server)
    distribution = DistributionFactory(survey=survey, filters={"segment": "vip"})
    send_distribution(distribution.pk)
    assert status_of(distribution, customers["sent_after_window"]) == ("sent", "")
    # Refused once: still waiting, its e-mail retrying with the error shown on the distribution page.
    assert status_of(distribution, customers["sent"]) == ("pending", "")
    invitation = SurveyInvitation.objects.get(distribution=distribution, customer=customers["sent"])
    assert (invitation.email.status, invitation.email.attempts) == ("retrying", 1)
    assert "mailbox unavailable" in invitation.email.last_error
    assert selectors.distribution_log(distribution)["retrying_count"] == 1
    # The periodic job's second attempt is the last one: the invitation is failed, the counts follow.
    outbox_services.emails_send_due(now=invitation.email.next_attempt_at + timedelta(seconds=1))
    assert status_of(distribution, customers["sent"]) == ("failed", "")
    distribution.refresh_from_db()
    assert (distribution.failed_count, distribution.sent_count) == (1, 1)
    assert [message.to for message in mail.outbox] == [[customers["sent_after_window"].email]]


@pytest.mark.parametrize(("customer_language", "survey_language", "expected"), [
    ("ko", "en", "ko"), ("en", "ko", "en"), ("", "ko", "ko"), ("", "en", "en")])
def test_the_email_is_in_the_customer_language_or_the_survey_one(workspace, customer_language, survey_language,
                                                                 expected):
    survey = SurveyFactory(workspace=workspace, status="live", language=survey_language)
    CustomerFactory(workspace=workspace, language=customer_language)
    send_distribution(DistributionFactory(survey=survey).pk)
    message = mail.outbox[0]
    invitation = SurveyInvitation.objects.get()
    with translation.override(expected):
        subject = translation.gettext("%(brand)s would like to hear from you") % {"brand": workspace.name}
        start = translation.gettext("Start the survey")
        expires = timezone.localtime(invitation.expires_at)
        from django.utils.formats import date_format

        expiry = date_format(expires, "DATE_FORMAT")
    assert message.subject == subject
    assert start in message.alternatives[0][0]
    # Korean dates read "2026년 12월 24일": the date format tells the language even before translation.
    assert expiry in message.body
    assert ("년" in message.body) == (expected == "ko")


def test_the_response_rate_comes_from_sql_aggregates(survey, workspace):
    distribution = DistributionFactory(survey=survey)
    customers = CustomerFactory.create_batch(4, workspace=workspace)
    now = timezone.now()
    for number, customer in enumerate(customers):
        SurveyInvitation.objects.create(
            workspace=workspace, distribution=distribution, survey=survey, customer=customer,
            status="sent", sent_at=now, opened_at=now if number < 3 else None, answered_at=now if number < 1 else None)
    SurveyInvitation.objects.create(workspace=workspace, distribution=distribution, survey=survey,
                                    customer=CustomerFactory(workspace=workspace), status="skipped",
                                    skip_reason="no_consent")
    log = selectors.distribution_log(distribution)
    assert (log["sent_count"], log["opened_count"], log["answered_count"]) == (4, 3, 1)
    assert log["response_rate"] == 25
    assert log["open_rate"] == 75


def test_only_a_live_survey_can_be_sent(workspace, alice):
    draft = SurveyFactory(workspace=workspace, status="draft")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.distribution_create(survey=draft, created_by=alice, name="Too early", filters={})
    assert not Distribution.objects.exists()


def test_invitations_are_inserted_in_batches(survey, workspace, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(services, "INVITATION_BATCH_SIZE", 10)
    CustomerFactory.create_batch(25, workspace=workspace, consent=False)
    distribution = DistributionFactory(survey=survey)
    with django_assert_max_num_queries(6):
        services.distribution_invitations_create(distribution=distribution)
    assert SurveyInvitation.objects.filter(distribution=distribution, skip_reason="no_consent").count() == 25
