"""Forms of the material pages. They only carry what the user typed and the errors to show next to it:
every rule is checked by the services, so the web, the API and imports refuse the same input with
the same message."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Fulfilment, MaterialKind


def _text(label, **kw):
    return forms.CharField(label=label, required=False, **kw)


class MaterialForm(forms.Form):
    code = _text(_("Code"))
    name = _text(_("Name"))
    spec = _text(_("Specification"))
    unit = _text(_("Unit"))
    kind = _text(_("Kind"), widget=forms.Select(choices=MaterialKind.choices))
    fulfilment = _text(_("Fulfilment"), widget=forms.Select(choices=Fulfilment.choices))
    standard_price = _text(
        _("Standard price"), widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    safety_stock = _text(_("Safety stock"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    lead_time_days = _text(
        _("Lead time (days)"), widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, hidden=(), readonly=(), **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].widget.attrs["readonly"] = True
        # the field rules of the reader's roles: hidden fields are left out, read-only ones
        # shown disabled (a disabled field keeps its initial value, so nothing changes)
        for name in hidden:
            self.fields.pop(name, None)
        for name in readonly:
            if name in self.fields:
                self.fields[name].disabled = True

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("code", None)
        days = data.get("lead_time_days", "")
        # whole numbers go through as int; anything else is passed as typed so the service
        # reports it in its own words
        data["lead_time_days"] = int(days) if days.strip().isdigit() else (days or None)
        for name in ("standard_price", "safety_stock"):
            data[name] = data.get(name) or None
        return data
