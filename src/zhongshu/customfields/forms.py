from django import forms
from django.utils.translation import gettext_lazy as _

from zhongshu.accounts import catalogue
from zhongshu.accounts.role_services import role_choices

from .models import Entity, FieldType


def _roles(label):
    return forms.MultipleChoiceField(
        label=label, required=False, choices=role_choices, widget=forms.CheckboxSelectMultiple
    )


def _group_choices():
    own = [("", _("A group of its own"))]
    return own + [
        (code, catalogue.FIELD_GROUPS[code][0])
        for code in ("price", "schedule", "lines", "contact", "cost")
    ]


class FieldDefinitionForm(forms.Form):
    """The fields an administrator fills; the service checks everything (this form only parses
    the textarea of choices)."""

    entity = forms.ChoiceField(label=_("Record"), choices=Entity.choices)
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        help_text=_("Lower-case letters, digits and _; starts with a letter. Cannot change."),
    )
    label_zh = forms.CharField(label=_("Label (Chinese)"), max_length=60, required=False)
    label_en = forms.CharField(label=_("Label (English)"), max_length=60, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    filterable = forms.BooleanField(label=_("Filter and sort on it in lists"), required=False)
    default = forms.CharField(label=_("Default"), max_length=500, required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: value | 中文 | English"),
    )
    decimal_places = forms.IntegerField(
        label=_("Decimal places"), min_value=0, max_value=6, initial=2, required=False
    )
    help_text = forms.CharField(label=_("Help text"), max_length=200, required=False)
    view_roles = _roles(_("Roles that see it (none ticked: everyone)"))
    edit_roles = _roles(_("Roles that edit it (none ticked: everyone who edits the record)"))
    field_group = forms.ChoiceField(
        label=_("Field group"),
        required=False,
        choices=_group_choices,
        help_text=_("Who sees and edits it follows the roles' level of this group."),
    )
    position = forms.IntegerField(
        label=_("Order in forms"), min_value=0, max_value=9999, initial=100, required=False
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            del self.fields["entity"]
            del self.fields["key"]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("entity", None)
        data.pop("key", None)
        data["choices"] = parse_choices(data.get("choices") or "")
        if data.get("decimal_places") is None:
            data["decimal_places"] = 2
        if data.get("position") is None:
            data["position"] = 100
        data["default"] = data.get("default") or None
        return data


def parse_choices(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        parts += ["", ""]
        out.append({"value": parts[0], "label_zh": parts[1], "label_en": parts[2]})
    return out


def format_choices(choices: list[dict]) -> str:
    return "\n".join(f"{c['value']} | {c['label_zh']} | {c['label_en']}" for c in choices)
