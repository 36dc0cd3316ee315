import factory

from apps.outbox.models import OutboundEmail
from tests.factories import WorkspaceFactory


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundEmail

    workspace = factory.SubFactory(WorkspaceFactory)
    kind = "follow_up_case_assigned"
    to = factory.Sequence(lambda n: f"analyst{n}@example.com")
    language = "en"
    subject = "A follow-up case is yours"
    body_text = "Please look at the case."
    status = OutboundEmail.Status.FAILED
    attempts = 8
    last_error = "SMTPServerDisconnected: Connection unexpectedly closed"
