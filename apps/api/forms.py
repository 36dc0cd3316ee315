from django import forms
from django.utils.translation import gettext_lazy as _


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120,
                           help_text=_("What uses the key, e.g. “CRM sync” or “Call centre app”."))
