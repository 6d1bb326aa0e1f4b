"""Forms of the order pages. They only carry what the user typed and the errors to show next to it:
every rule (required fields, ranges, scope, price permission) is checked by the services, so the
web, the API and imports refuse the same input with the same message."""

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhongshu.orders.statuses import Channel, OrderStatus, PaymentTerms, Priority

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PRICE_FIELDS = ("discount_rate", "tax_rate", "payment_terms")
LINE_KEY = re.compile(r"^lines-(\d+)-(material|quantity|unit_price)$")


def _text(label: "StrOrPromise", **kw: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, **kw)


class OrderForm(forms.Form):
    customer = _text(
        _("Customer"), widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"})
    )
    due_date = _text(_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    priority = _text(_("Priority"), widget=forms.Select(choices=Priority.choices))
    discount_rate = _text(_("Discount (%)"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    tax_rate = _text(_("Tax rate (%)"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    payment_terms = _text(_("Payment terms"), widget=forms.Select(choices=PaymentTerms.choices))
    note = _text(_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, price_editable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.price_editable = price_editable
        if not price_editable:
            # Shown but not sent: a browser never submits disabled inputs. A forged value still
            # reaches the service, which refuses it; the form does not pretend to filter it.
            for name in PRICE_FIELDS:
                self.fields[name].widget.attrs["disabled"] = True

    def service_data(self, posted: Mapping[str, Any]) -> dict[str, Any]:
        """What the user sent, as the order services take it."""
        data = {
            name: self.cleaned_data.get(name, "")
            for name in ("customer", "due_date", "priority", "note")
        }
        for name in PRICE_FIELDS:
            if name in posted and posted.get(name, "") != "":
                data[name] = posted.get(name)
        return data


class LineForm(forms.Form):
    material = _text(
        _("Material"), widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"})
    )
    quantity = _text(_("Quantity"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    unit_price = _text(_("Unit price"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    # the stored line the row shows: it keeps that line's price when the price is not sent
    line_no = _text("", widget=forms.HiddenInput)

    # set by the order form view: the row's custom-field inputs and their name prefix
    cf_prefix: str
    custom_inputs: list[Any]
    # set by the view on a post: the row's custom values as sent and their problems, and the
    # stored values of the line the row continues
    posted_custom: dict[str, Any]
    custom_errors: dict[str, str]
    stored_custom: dict[str, Any] | None

    def __init__(self, *args: Any, index: int, price_editable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, prefix=f"lines-{index}", **kwargs)  # type: ignore[misc]  # data only
        self.index = index
        self.price_editable = price_editable
        self.material_label = ""
        if not price_editable:
            self.fields["unit_price"].widget.attrs["disabled"] = True

    @property
    def is_blank(self) -> bool:
        return not any(self.raw(name) for name in ("material", "quantity"))

    def raw(self, name: str) -> str:
        return (self.data.get(self.add_prefix(name)) or "").strip()

    def service_data(self) -> dict[str, str]:
        line = {"material": self.raw("material"), "quantity": self.raw("quantity")}
        if self.add_prefix("unit_price") in self.data and self.raw("unit_price"):
            line["unit_price"] = self.raw("unit_price")
        if self.raw("line_no"):
            line["line_no"] = self.raw("line_no")
        return line


def line_indexes(data: Iterable[str]) -> list[int]:
    return sorted({int(m.group(1)) for key in data if (m := LINE_KEY.match(key))})


class OrderFilterForm(forms.Form):
    q = _text(_("Search"), widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=OrderStatus.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    customer = _text(_("Customer code"))
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any")), *Priority.choices]
    )
    due_from = forms.DateField(
        label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_to = forms.DateField(
        label=_("Due to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_from = forms.DateField(
        label=_("Ordered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Ordered to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *Channel.choices]
    )
    queue = _text(_("Queue"), max_length=40)
    tag = _text(_("Tag"), max_length=40)


class TransitionForm(forms.Form):
    action = forms.CharField()
    note = forms.CharField(required=False)
    version = forms.IntegerField(required=False)
