"""Finance pages: receivables with ageing, a customer's account, payment entry with allocation,
reversal, adjustments, credit settings, and the reconciliation statement with its confirmations.
Every page works at phone width; nothing can be deleted from here."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.errors import DomainError, ValidationFailed
from zhongshu.core.pagination import keyset_page
from zhongshu.core.text import normalize_text
from zhongshu.core.web_errors import apply_error, domain_errors

from . import exports, selectors, services
from .models import Receivable

PAGE = 50


class StatementForm(forms.Form):
    # plain text on purpose: the selector validates and the errors are placed back on the inputs
    customer = forms.CharField(label=_("Customer"), max_length=64, required=False)
    start = forms.CharField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.CharField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _this_month() -> dict:
    today = timezone.localdate()
    return {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}


@login_required
@domain_errors
def statement(request):
    permissions.require(request.user, "finance.reconciliation")
    asked = "customer" in request.GET
    form = StatementForm(request.GET if asked else None, initial=_this_month())
    context = {"form": form, "statement": None, "status": 200}
    if asked:
        form.is_valid()
        data = form.cleaned_data
        try:
            period = selectors.clean_period(
                customer=data.get("customer"), start=data.get("start"), end=data.get("end")
            )
            context["statement"] = selectors.reconciliation(actor=request.user, period=period)
            context["download_query"] = urlencode(
                {"customer": period.customer, "start": period.start, "end": period.end}
            )
        except ValidationFailed as exc:
            context["status"] = apply_error(request, exc, form=form)
    if context["statement"] is not None:
        st = context["statement"]
        context["confirm_form"] = ConfirmationForm(
            initial={"confirmed_on": timezone.localdate().isoformat()}
        )
        context["may_confirm"] = permissions.can(request.user, "finance.adjust")
        context["confirmations"] = list(
            selectors.confirmation_list(actor=request.user, customer=st.customer.code)[:20]
        )
    context["customer_label"] = (
        f"{context['statement'].customer.code} {context['statement'].customer.name}"
        if context["statement"]
        else ""
    )
    return render(request, "finance/statement.html", context, status=context.pop("status"))


@login_required
@domain_errors
def statement_xlsx(request):
    period = selectors.clean_period(
        customer=request.GET.get("customer", ""),
        start=request.GET.get("start", ""),
        end=request.GET.get("end", ""),
    )
    fileobj, filename = services.reconciliation_workbook(actor=request.user, period=period)
    return xlsx.download(fileobj, filename)


# --- receivables and ageing ------------------------------------------------------------------------

STATE_CHOICES = [
    ("open", _("Open")),
    ("overdue", _("Overdue")),
    ("paid", _("Paid")),
    ("all", _("All")),
]


def _cursor(request) -> int | None:
    try:
        return int(request.GET.get("cursor", "")) or None
    except ValueError:
        return None


@login_required
@domain_errors
def home(request):
    """Receivables (open by default) with the ageing summary of the same filter."""
    permissions.require(request.user, "finance.view")
    customer = normalize_text(request.GET.get("customer", ""))[:32]
    state = request.GET.get("state", "open")
    state = state if state in selectors.RECEIVABLE_STATES else "open"
    qs = selectors.receivable_list(actor=request.user, customer=customer, state=state)
    items, next_cursor = keyset_page(qs, cursor=_cursor(request), limit=PAGE)
    ageing = selectors.ageing(actor=request.user, customer=customer)
    query = urlencode({"customer": customer, "state": state})
    return render(
        request,
        "finance/home.html",
        {
            "items": items,
            "next_cursor": next_cursor,
            "ageing": ageing,
            "customer": customer,
            "state": state,
            "states": STATE_CHOICES,
            "query": query,
            "may_pay": permissions.can(request.user, "finance.payments"),
        },
    )


@login_required
@domain_errors
def receivables_xlsx(request):
    export = exports.receivable_export(
        actor=request.user,
        customer=normalize_text(request.GET.get("customer", ""))[:32],
        state=request.GET.get("state", "open"),
    )
    return xlsx.download(*export_workbook(actor=request.user, export=export))


@login_required
@domain_errors
def balances(request):
    q = normalize_text(request.GET.get("q", ""))[:60]
    qs = selectors.balance_list(actor=request.user, q=q, nonzero=not q)
    return render(
        request,
        "finance/balances.html",
        {
            "rows": list(qs[:200]),
            "q": q,
            "may_pay": permissions.can(request.user, "finance.payments"),
        },
    )


# --- one customer's account --------------------------------------------------------------------------


class AdjustmentForm(forms.Form):
    amount = forms.CharField(label=_("Amount (+ debit, − credit)"), max_length=20)
    made_on = forms.CharField(
        label=_("Date"), max_length=10, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CreditForm(forms.Form):
    credit_limit = forms.CharField(label=_("Credit limit"), max_length=20, required=False)
    overdue_days = forms.CharField(label=_("Overdue days allowed"), max_length=5, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


@login_required
@domain_errors
def customer(request, code):
    account = selectors.balance_get(actor=request.user, code=code)
    credit = selectors.credit_get(actor=request.user, code=account.code)
    may_adjust = permissions.can(request.user, "finance.adjust")
    adjustment_form = AdjustmentForm(initial={"made_on": timezone.localdate().isoformat()})
    credit_form = CreditForm(
        initial={
            "credit_limit": credit["credit_limit"] if credit["credit_limit"] is not None else "",
            "overdue_days": credit["overdue_days"] if credit["overdue_days"] is not None else "",
        }
    )
    status = 200
    if request.method == "POST":
        kind = request.POST.get("form")
        try:
            if kind == "adjustment":
                adjustment_form = AdjustmentForm(request.POST)
                adjustment_form.is_valid()
                services.adjustment_create(
                    actor=request.user,
                    customer=account.code,
                    amount=request.POST.get("amount", ""),
                    made_on=request.POST.get("made_on", ""),
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, gettext_now("Adjustment recorded."))
            elif kind == "credit":
                credit_form = CreditForm(request.POST)
                credit_form.is_valid()
                services.credit_set(
                    actor=request.user,
                    customer=account.code,
                    credit_limit=request.POST.get("credit_limit", ""),
                    overdue_days=request.POST.get("overdue_days", ""),
                )
                messages.success(request, gettext_now("Credit settings saved."))
            else:
                raise ValidationFailed({"form": gettext_now("Unknown form.")})
            return redirect("finance:customer", code=account.code)
        except DomainError as exc:
            form = adjustment_form if kind == "adjustment" else credit_form
            status = apply_error(request, exc, form=form)
    receivables = list(
        selectors.receivable_list(actor=request.user, customer=account.code, state="all")[:100]
    )
    payments = list(selectors.payment_list(actor=request.user, customer=account.code)[:50])
    adjustments = list(selectors.adjustment_list(actor=request.user, customer=account.code)[:50])
    return render(
        request,
        "finance/customer.html",
        {
            "account": account,
            "credit": credit,
            "ageing": selectors.ageing(actor=request.user, customer=account.code),
            "receivables": receivables,
            "payments": payments,
            "adjustments": adjustments,
            "may_adjust": may_adjust,
            "may_pay": permissions.can(request.user, "finance.payments"),
            "adjustment_form": adjustment_form,
            "credit_form": credit_form,
            "reason_form": ReasonForm(),
        },
        status=status,
    )


@login_required
@require_POST
@domain_errors
def adjustment_reverse(request, adjustment_id):
    adj = selectors.adjustment_list(actor=request.user).filter(pk=adjustment_id).first()
    try:
        services.adjustment_reverse(
            actor=request.user, adjustment_id=adjustment_id, reason=request.POST.get("reason", "")
        )
        messages.success(request, gettext_now("The adjustment was reversed."))
    except ValidationFailed as exc:
        apply_error(request, exc)
    if adj is None:
        return redirect("finance:home")
    return redirect("finance:customer", code=adj.customer.code)


# --- payments ------------------------------------------------------------------------------------------


class PaymentForm(forms.Form):
    customer = forms.CharField(label=_("Customer"), max_length=64)
    reference = forms.CharField(label=_("Bank reference"), max_length=60)
    amount = forms.CharField(label=_("Amount"), max_length=20)
    received_on = forms.CharField(
        label=_("Received on"), max_length=10, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    mode = forms.ChoiceField(
        label=_("Allocation"),
        choices=[
            ("auto", _("Oldest due first")),
            ("manual", _("As entered below")),
            ("none", _("Keep as credit")),
        ],
        initial="auto",
    )


@login_required
@domain_errors
def payment_new(request):
    permissions.require(request.user, "finance.payments")
    code = normalize_text(request.POST.get("customer") or request.GET.get("customer", ""))[:32]
    account = None
    open_rows: list[Receivable] = []
    if code:
        account = selectors.customer_get(actor=request.user, code=code)
        open_rows = list(
            selectors.receivable_list(actor=request.user, customer=account.code).order_by(
                "due_on", "id"
            )[:100]
        )
    form = PaymentForm(
        request.POST if request.method == "POST" else None,
        initial={
            "customer": account.code if account else "",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    status = 200
    entered = {}
    if request.method == "POST":
        form.is_valid()
        mode = request.POST.get("mode", "auto")
        allocations = None
        if mode == "none":
            allocations = []
        elif mode == "manual":
            allocations = []
            for row in open_rows:
                raw = normalize_text(request.POST.get(f"alloc-{row.pk}", ""))
                entered[row.pk] = raw
                if raw:
                    allocations.append({"receivable_id": row.pk, "amount": raw})
        try:
            payment = services.payment_create(
                actor=request.user,
                customer=code,
                reference=request.POST.get("reference", ""),
                amount=request.POST.get("amount", ""),
                received_on=request.POST.get("received_on", ""),
                note=request.POST.get("note", ""),
                allocations=allocations,
            )
        except DomainError as exc:
            status = apply_error(request, exc, form=form)
        else:
            messages.success(request, gettext_now("Payment recorded."))
            return redirect("finance:payment", payment_id=payment.pk)
    for row in open_rows:
        row.entered = entered.get(row.pk, "")
    return render(
        request,
        "finance/payment_form.html",
        {"form": form, "account": account, "open_rows": open_rows},
        status=status,
    )


@login_required
@domain_errors
def payment_detail(request, payment_id):
    payment = selectors.payment_get(actor=request.user, payment_id=payment_id)
    return render(
        request,
        "finance/payment.html",
        {
            "payment": payment,
            "allocations": list(payment.allocations.all()),
            "may_reverse": permissions.can(request.user, "finance.payments")
            and payment.kind == "payment"
            and payment.reversed_by is None,
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
@domain_errors
def payment_reverse(request, payment_id):
    try:
        reversal = services.payment_reverse(
            actor=request.user, payment_id=payment_id, reason=request.POST.get("reason", "")
        )
    except ValidationFailed as exc:
        apply_error(request, exc)
        return redirect("finance:payment", payment_id=payment_id)
    messages.success(request, gettext_now("The payment was reversed."))
    return redirect("finance:payment", payment_id=reversal.pk)


# --- statement confirmations -----------------------------------------------------------------------------


class ConfirmationForm(forms.Form):
    confirmed_on = forms.CharField(
        label=_("Confirmed on"), max_length=10, widget=forms.DateInput(attrs={"type": "date"})
    )
    confirmed_by = forms.CharField(label=_("Confirmed by (customer side)"), max_length=60)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    attachment_ref = forms.CharField(
        label=_("Attachment reference"), max_length=200, required=False
    )


@login_required
@require_POST
@domain_errors
def statement_confirm(request):
    data = {
        k: request.POST.get(k, "")
        for k in ("customer", "start", "end", "confirmed_on", "confirmed_by", "note")
    }
    data["attachment_ref"] = request.POST.get("attachment_ref", "")
    back = reverse_statement(data)
    try:
        services.statement_confirm(actor=request.user, **data)
    except ValidationFailed as exc:
        apply_error(request, exc)
    else:
        messages.success(request, gettext_now("The confirmation was recorded."))
    return redirect(back)


def reverse_statement(data: dict) -> str:
    from django.urls import reverse

    query = urlencode({k: data.get(k, "") for k in ("customer", "start", "end")})
    return f"{reverse('finance:statement')}?{query}"
