"""Forms of the customer pages. They only carry what the user typed and the errors to show next to it:
every rule is checked by the services, so the web, the API and imports refuse the same input with
the same message."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CustomerTier


def _text(label, **kw):
    return forms.CharField(label=label, required=False, **kw)


class CustomerForm(forms.Form):
    code = _text(_("Code"))
    name = _text(_("Name"))
    region = _text(_("Region"), widget=forms.Select)
    # shown, never taken: the segmentation computes it from the order history
    tier = _text(
        _("Tier"),
        widget=forms.Select(choices=CustomerTier.choices),
        disabled=True,
        help_text=_("Computed from the order history by the customer segmentation; not typed in."),
    )
    contact = _text(_("Contact"))
    phone = _text(_("Phone"))
    address = _text(_("Address"))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, regions=(), editing: bool = False, hidden=(), readonly=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = [(r.name, r.name) for r in regions]
        # the field rules of the reader's roles: hidden fields are left out, read-only ones
        # shown disabled (a disabled field keeps its initial value, so nothing changes)
        for name in hidden:
            self.fields.pop(name, None)
        for name in readonly:
            if name in self.fields:
                self.fields[name].disabled = True
        if editing:
            self.fields["code"].widget.attrs["readonly"] = True
