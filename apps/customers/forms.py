from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from apps.workspaces.models import Language

from .csv_import import MAX_COLUMNS, MAX_HEADER_CHARS
from .segments import ATTRIBUTE_KEY, MAX_SURVEYED_DAYS, SegmentRules
from .selectors import FILTER_ATTRIBUTES

CSV_EXTENSIONS = (".csv", ".txt")
# Signatures of files people pick by mistake: Excel workbooks (zip and the old OLE format), PDF.
BINARY_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")
# The longest header line the importers accept: MAX_COLUMNS names of MAX_HEADER_CHARS, in UTF-8, quoted.
HEADER_LINE_MAX_BYTES = MAX_COLUMNS * (MAX_HEADER_CHARS * 4 + 3)
MAX_ATTRIBUTES = 50
MAX_ATTRIBUTE_KEY_CHARS = 64
MAX_ATTRIBUTE_VALUE_CHARS = 200


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": _("Name, e-mail, phone or external id"), "autocomplete": "off"}))
    segment = forms.CharField(label=_("Segment"), required=False, max_length=200, widget=forms.Select)
    tier = forms.CharField(label=_("Tier"), required=False, max_length=200, widget=forms.Select)
    region = forms.CharField(label=_("Region"), required=False, max_length=200, widget=forms.Select)
    consent = forms.ChoiceField(label=_("Consent"), required=False, choices=[
        ("", _("Any")), ("yes", _("Consented")), ("no", _("Not consented"))])

    def __init__(self, *args, facets: dict[str, list[str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        facets = facets or {}
        for key in FILTER_ATTRIBUTES:
            values = list(facets.get(key, []))
            chosen = self.data.get(key)
            if chosen and chosen not in values:
                values.append(chosen)  # keep a value from a shared link selectable
            self.fields[key].widget.choices = [("", _("All"))] + [(value, value) for value in values]

    def filters(self) -> dict:
        """The valid filters; an invalid one (a hand-edited address) is ignored rather than refused."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


def csv_upload_max_bytes() -> int:
    return settings.CSV_UPLOAD_MAX_BYTES


class CustomerImportForm(forms.Form):
    """The upload of a customer or feedback CSV file: size, type and a first line that can be a header are
    checked here, at once; the rest is the import job's."""

    file = forms.FileField(label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))

    def __init__(self, *args, upload_too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_too_large = upload_too_large
        self.fields["file"].help_text = _(
            "UTF-8 or CP949 (as saved by Korean Excel), at most %(limit)s. The first line names the columns.") % {
            "limit": filesizeformat(csv_upload_max_bytes())}

    def clean(self):
        if self.upload_too_large:
            # The upload handler stopped reading the body, so Django saw no file at all.
            self.errors.pop("file", None)
            self.add_error("file", self.too_large_message())
        return super().clean()

    @staticmethod
    def too_large_message() -> str:
        return _("The file is larger than %(limit)s. Split it into smaller files.") % {
            "limit": filesizeformat(csv_upload_max_bytes())}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > csv_upload_max_bytes():
            raise forms.ValidationError(self.too_large_message())
        if not upload.name.lower().endswith(CSV_EXTENSIONS):
            raise forms.ValidationError(_(
                "Upload a CSV file (.csv). An Excel workbook can be saved as CSV with “Save As”."))
        head = upload.read(HEADER_LINE_MAX_BYTES + 1)
        upload.seek(0)
        utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
        if head.startswith(BINARY_SIGNATURES) or (b"\x00" in head[:4096] and not utf16):
            raise forms.ValidationError(_(
                "This file is not CSV text. If it is an Excel workbook, save it as CSV with “Save As”."))
        # A CSV bomb (millions of columns, or one endless line) is refused before any job parses it.
        first_line = head.split(b"\n", 1)[0]
        if not utf16 and (len(first_line) > HEADER_LINE_MAX_BYTES
                          or max(first_line.count(separator) for separator in (b",", b";", b"\t")) >= MAX_COLUMNS):
            raise forms.ValidationError(_(
                "The first line must name the columns, at most %(limit)s of them; this file's first line is far "
                "longer. Is it really a CSV file?") % {"limit": MAX_COLUMNS})
        return upload


class CustomerEditForm(forms.Form):
    consent = forms.BooleanField(label=_("Consents to be surveyed"), required=False)
    language = forms.ChoiceField(label=_("Preferred language"), required=False,
                                 choices=[("", _("Not known")), *Language.choices])
    attributes = forms.CharField(
        label=_("Attributes"), required=False, widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("One per line, as key: value — for example “segment: family” or “tier: gold”."))

    @staticmethod
    def attributes_as_text(attributes: dict) -> str:
        return "\n".join(f"{key}: {value}" for key, value in attributes.items())

    def clean_attributes(self) -> dict:
        return parse_attribute_lines(self.cleaned_data["attributes"])


def parse_attribute_lines(text: str) -> dict[str, str]:
    """'key: value' lines → {key: value}; raises ValidationError naming the bad line."""
    attributes: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        key, separator, value = line.partition(":")
        key, value = key.strip().lower(), value.strip()
        if not separator or not key:
            raise forms.ValidationError(_("Line %(number)s: write the attribute as key: value.") % {
                "number": number})
        if len(key) > MAX_ATTRIBUTE_KEY_CHARS or len(value) > MAX_ATTRIBUTE_VALUE_CHARS:
            raise forms.ValidationError(_(
                "Line %(number)s is too long: keys have at most %(key)s characters, values %(value)s.") % {
                "number": number, "key": MAX_ATTRIBUTE_KEY_CHARS, "value": MAX_ATTRIBUTE_VALUE_CHARS})
        if key in attributes:
            raise forms.ValidationError(_("Line %(number)s repeats the key “%(key)s”.") % {
                "number": number, "key": key})
        if value:
            attributes[key] = value
    if len(attributes) > MAX_ATTRIBUTES:
        raise forms.ValidationError(_("At most %(limit)s attributes.") % {"limit": MAX_ATTRIBUTES})
    return attributes


class SegmentForm(forms.Form):
    """The rules of a saved segment. Attribute fields left empty match any value."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    segment = forms.CharField(label=_("Segment attribute"), max_length=MAX_ATTRIBUTE_VALUE_CHARS, required=False)
    tier = forms.CharField(label=_("Tier"), max_length=MAX_ATTRIBUTE_VALUE_CHARS, required=False)
    region = forms.CharField(label=_("Region"), max_length=MAX_ATTRIBUTE_VALUE_CHARS, required=False)
    other_attributes = forms.CharField(
        label=_("Other attributes"), required=False, widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_("One per line, as key: value — for example “plan: 5G 프리미엄”."))
    nps_group = forms.ChoiceField(label=_("Last NPS answer"), required=False, choices=[
        ("", _("Any")), ("promoter", _("Promoter (9–10)")), ("passive", _("Passive (7–8)")),
        ("detractor", _("Detractor (0–6)")), ("none", _("No NPS answer yet"))])
    surveyed = forms.ChoiceField(label=_("Last surveyed"), required=False, choices=[
        ("", _("Any time or never")), ("within", _("In the last … days")),
        ("not_within", _("More than … days ago")), ("never", _("Never surveyed"))])
    surveyed_days = forms.IntegerField(label=_("Days"), required=False, min_value=1, max_value=MAX_SURVEYED_DAYS)
    consent = forms.ChoiceField(label=_("Consent"), required=False, choices=[
        ("", _("Any")), ("yes", _("Consented")), ("no", _("Not consented"))])
    language = forms.ChoiceField(label=_("Preferred language"), required=False,
                                 choices=[("", _("Any")), *Language.choices, ("unknown", _("Not known"))])

    @classmethod
    def initial_for(cls, segment) -> dict:
        rules = segment.rules_object
        attributes = dict(rules.attributes)
        named = {key: attributes.pop(key, "") for key in FILTER_ATTRIBUTES}
        return {"name": segment.name, "description": segment.description, **named,
                "other_attributes": "\n".join(f"{key}: {value}" for key, value in attributes.items()),
                "nps_group": rules.nps_group, "surveyed": rules.surveyed, "surveyed_days": rules.surveyed_days,
                "consent": rules.consent, "language": rules.language}

    def clean_other_attributes(self) -> dict:
        attributes = parse_attribute_lines(self.cleaned_data["other_attributes"])
        for key in attributes:
            if not ATTRIBUTE_KEY.fullmatch(key) or "__" in key:
                raise forms.ValidationError(_("“%(key)s” cannot be an attribute name: use letters, digits, "
                                              "“_” and “-”.") % {"key": key})
            if key in FILTER_ATTRIBUTES:
                raise forms.ValidationError(_("Choose “%(key)s” in its own field above.") % {"key": key})
        return attributes

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("surveyed") in ("within", "not_within") and not cleaned.get("surveyed_days"):
            self.add_error("surveyed_days", _("Say how many days."))
        return cleaned

    def rules(self) -> SegmentRules:
        """The rules of the valid fields; what the live count shows while the form is still being filled."""
        data = getattr(self, "cleaned_data", {})
        attributes = {key: data.get(key, "").strip() for key in FILTER_ATTRIBUTES if (data.get(key) or "").strip()}
        other = data.get("other_attributes")
        if isinstance(other, dict):
            attributes.update(other)
        return SegmentRules.from_json({
            "attributes": attributes, "nps_group": data.get("nps_group", ""), "surveyed": data.get("surveyed", ""),
            "surveyed_days": data.get("surveyed_days"), "consent": data.get("consent", ""),
            "language": data.get("language", "")})
