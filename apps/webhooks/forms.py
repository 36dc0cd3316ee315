from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Event, Format


class EndpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120,
                           help_text=_("For you, e.g. “CRM” or “#cx-alerts channel”."))
    url = forms.CharField(label=_("Endpoint URL"), max_length=500,
                          widget=forms.URLInput(attrs={"placeholder": "https://hooks.example.com/cxm",
                                                       "inputmode": "url", "autocomplete": "off"}),
                          help_text=_("cxm sends a POST request here for every event you choose."))
    events = forms.MultipleChoiceField(label=_("Events"), choices=Event.subscribable,
                                       widget=forms.CheckboxSelectMultiple)
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices, widget=forms.RadioSelect,
                               initial=Format.JSON,
                               help_text=_("Slack-compatible sends {\"text\": …} with a readable summary: paste a "
                                           "Slack, Mattermost or Teams incoming-webhook URL."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].error_messages["required"] = _("Choose at least one event.")
