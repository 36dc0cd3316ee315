"""Forms only validate; views hand cleaned_data to services."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from apps.feedback.models import FeedbackItem
from apps.touchpoints.models import Journey, Touchpoint
from apps.workspaces.models import Membership

from .models import ErrcItem, Quadrant, Status


class BoardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    journey = forms.ModelChoiceField(label=_("Journey"), queryset=Journey.objects.none(), required=False,
                                     empty_label=_("Any journey"))

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["journey"].queryset = Journey.objects.for_workspace(workspace)


class ItemForm(forms.Form):
    quadrant = forms.ChoiceField(label=_("Quadrant"), choices=Quadrant.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    touchpoints = forms.ModelMultipleChoiceField(label=_("Touchpoints"), queryset=Touchpoint.objects.none(),
                                                 required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=get_user_model().objects.none(), required=False,
                                   empty_label=_("Nobody yet"))
    expected_impact = forms.CharField(label=_("Expected impact"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["touchpoints"].queryset = Touchpoint.objects.for_workspace(workspace).order_by("name")
        members = Membership.objects.for_workspace(workspace).values("user")
        self.fields["owner"].queryset = get_user_model().objects.filter(pk__in=members).order_by("username")


class ItemEditForm(ItemForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["quadrant"]

    @classmethod
    def initial_for(cls, item: ErrcItem) -> dict:
        return {"title": item.title, "description": item.description, "owner": item.owner_id,
                "touchpoints": list(item.touchpoints.all()), "expected_impact": item.expected_impact,
                "due_date": item.due_date}


class MoveForm(forms.Form):
    quadrant = forms.ChoiceField(choices=Quadrant.choices, required=False)
    status = forms.ChoiceField(choices=Status.choices, required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("quadrant") and not cleaned.get("status"):
            raise forms.ValidationError(_("Choose a quadrant or a status."))
        return cleaned


class EvidenceForm(forms.Form):
    feedback_item = forms.IntegerField(label=_("Feedback item id"), required=False, min_value=1,
                                       help_text=_("The number shown in the feedback inbox."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_feedback_item(self):
        pk = self.cleaned_data.get("feedback_item")
        if not pk:
            return None
        item = FeedbackItem.objects.for_workspace(self.workspace).filter(pk=pk).first()
        if item is None:
            raise forms.ValidationError(_("No feedback item with that id in this workspace."))
        return item

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("feedback_item") is None and not cleaned.get("note", "").strip():
            raise forms.ValidationError(_("Pick a feedback item or write a note."))
        return cleaned
