"""The question sets a new survey can start from. Texts are translated when the survey is created,
in the survey's language, and stored: the marketer edits them afterwards like any other question."""

from django.utils.translation import gettext as _


def _nps(brand: str) -> dict:
    return {"kind": "nps", "text": _("How likely are you to recommend %(brand)s to a friend or colleague?")
            % {"brand": brand}}


def _reason() -> dict:
    return {"kind": "long_text", "required": False, "text": _("What is the main reason for your score?")}


def _improve() -> dict:
    # Asked only of detractors (0 to 6): what to fix first feeds the ERRC board's "Raise" and "Reduce".
    return {"kind": "single_choice", "required": False, "follow_up_nps": (0, 6),
            "text": _("What should we improve first?"),
            "choices": [_("Price"), _("Product quality"), _("Customer service"), _("Delivery"), _("Something else")]}


def template_questions(template: str, *, brand: str) -> list[dict]:
    """Question fields (kind, text, required, choices, and follow_up_nps: the range of NPS answers a follow-up
    is asked for) for a Survey.Template value."""
    csat = {"kind": "csat", "text": _("Overall, how satisfied are you with your experience?")}
    ces = {"kind": "ces", "text": _("How easy was it to get what you needed today?")}
    # "csat" is the transactional survey sent after a purchase, "ces" the one after a support contact.
    purchase = {"kind": "csat", "text": _("How satisfied are you with your purchase?")}
    support = {"kind": "ces", "text": _("How easy was it to get your issue resolved today?")}
    return {
        "nps": [_nps(brand), _improve(), _reason()],
        "csat": [purchase, _reason()],
        "ces": [support, _reason()],
        "touchpoint": [_nps(brand), csat, ces, _improve(), _reason()],
    }.get(template, [])
