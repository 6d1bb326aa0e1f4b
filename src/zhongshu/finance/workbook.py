"""The reconciliation statement as the workbook a finance clerk sends to a customer: title,
company and customer header, period, the balance summary, orders, shipments, payments, totals,
signature lines, printed on A4 landscape one page wide with the header repeated on every page."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.core import xlsx

from .selectors import Statement

WIDTHS = [18, 12, 16, 14, 24, 10, 6, 12, 9, 9, 14]
LAST_COL = len(WIDTHS) - 1
HEADER_ROWS = 5  # title, company, customer, period, contact: repeated on every printed page


def company_name() -> str:
    return getattr(settings, "COMPANY_NAME", "") or ""


def write_statement(target, st: Statement) -> None:
    book = xlsx.new_workbook(target)
    f = xlsx.Formats(book)
    title = f.add({"bold": True, "font_size": 18, "align": "center", "valign": "vcenter"})
    centre = f.add({"align": "center"})
    bold = f.add({"bold": True})
    section = f.add({"bold": True, "font_size": 12, "bottom": 2})
    head = f.add({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    cell = f.add({"border": 1})
    money = f.add({"border": 1, "num_format": xlsx.NUMBER_FORMATS[xlsx.MONEY]})
    qty = f.add({"border": 1, "num_format": xlsx.NUMBER_FORMATS[xlsx.QTY]})
    pct = f.add({"border": 1, "num_format": xlsx.NUMBER_FORMATS[xlsx.PERCENT]})
    day = f.add({"border": 1, "num_format": xlsx.NUMBER_FORMATS[xlsx.DATE]})
    total_label = f.add({"bold": True, "border": 1, "align": "right"})
    total_money = f.add({"bold": True, "border": 1, "num_format": "#,##0.00"})
    big_money = f.add({"bold": True, "font_size": 12, "border": 1, "num_format": "#,##0.00"})
    formats = {xlsx.MONEY: money, xlsx.QTY: qty, xlsx.PERCENT: pct, xlsx.DATE: day}

    sheet = book.add_worksheet(xlsx.sheet_name(_("Reconciliation statement")))
    for c, width in enumerate(WIDTHS):
        sheet.set_column(c, c, width)

    def text(r, c, value, fmt=None):
        xlsx.write_value(sheet, r, c, value, xlsx.TEXT, f, fmt)

    def value(r, c, v, kind):
        xlsx.write_value(sheet, r, c, v, kind, f, formats.get(kind, cell))

    customer = st.customer
    sheet.set_row(0, 30)
    sheet.merge_range(0, 0, 0, LAST_COL, "", title)
    text(0, 0, _("Reconciliation statement"), title)
    sheet.merge_range(1, 0, 1, LAST_COL, "", centre)
    text(1, 0, company_name(), centre)
    text(2, 0, _("Customer"), bold)
    text(2, 1, f"{customer.code} {customer.name}")
    text(3, 0, _("Period"), bold)
    text(3, 1, _("%(start)s to %(end)s") % {"start": st.start, "end": st.end})
    text(4, 0, _("Contact"), bold)
    text(4, 1, " ".join(x for x in (customer.contact, customer.phone, customer.address) if x))
    text(2, 8, _("Drawn up"), bold)
    text(2, 9, timezone.localtime(st.generated_at).strftime("%Y-%m-%d %H:%M"))
    text(3, 8, _("Currency"), bold)
    text(3, 9, "CNY")

    # the balance in one box
    r = HEADER_ROWS + 1
    text(r, 0, _("Summary"), section)
    r += 1
    summary = [
        (_("Opening balance"), st.opening_balance),
        (_("Shipped in the period"), st.shipped_total),
        (_("Paid in the period"), st.paid_total),
        (_("Adjusted in the period"), st.adjusted_total),
        (_("Closing balance"), st.closing_balance),
    ]
    for c, (label, amount) in enumerate(summary):
        sheet.merge_range(r, c * 2, r, c * 2 + 1, str(label), head)
        sheet.merge_range(r + 1, c * 2, r + 1, c * 2 + 1, float(amount), big_money)
    r += 3

    # orders placed in the period
    text(r, 0, _("Orders in the period"), section)
    r += 1
    for c, h in enumerate([_("Order number"), _("Order date"), _("Due date"), _("Status")]):
        text(r, c, h, head)
    text(r, 4, _("Order amount (incl. tax)"), head)
    r += 1
    for o in st.orders:
        text(r, 0, o.number, cell)
        value(r, 1, o.date, xlsx.DATE)
        value(r, 2, o.due_date, xlsx.DATE)
        text(r, 3, o.status_label, cell)
        value(r, 4, o.total, xlsx.MONEY)
        r += 1
    if not st.orders:
        text(r, 0, _("No orders in this period."))
        r += 1
    text(r, 3, _("Total"), total_label)
    sheet.write_number(r, 4, float(st.ordered_total), total_money)
    r += 2

    # what was shipped: the amounts owed
    text(r, 0, _("Shipments in the period"), section)
    r += 1
    heads = [
        _("Shipment number"),
        _("Shipped on"),
        _("Order number"),
        _("Material code"),
        _("Material"),
        _("Quantity"),
        _("Unit"),
        _("Unit price"),
        _("Discount (%)"),
        _("Tax rate (%)"),
        _("Amount (incl. tax)"),
    ]
    for c, h in enumerate(heads):
        text(r, c, h, head)
    r += 1
    for s in st.shipments:
        for line in s.lines:
            text(r, 0, s.number, cell)
            value(r, 1, s.date, xlsx.DATE)
            text(r, 2, s.order_number, cell)
            text(r, 3, line.material_code, cell)
            text(r, 4, line.material_name, cell)
            value(r, 5, line.quantity, xlsx.QTY)
            text(r, 6, line.unit, cell)
            value(r, 7, line.unit_price, xlsx.MONEY)
            value(r, 8, line.discount_rate, xlsx.PERCENT)
            value(r, 9, line.tax_rate, xlsx.PERCENT)
            value(r, 10, line.amount, xlsx.MONEY)
            r += 1
    if not st.shipments:
        text(r, 0, _("Nothing was shipped in this period."))
        r += 1
    text(r, 9, _("Total"), total_label)
    sheet.write_number(r, 10, float(st.shipped_total), total_money)
    r += 2

    # payments received
    text(r, 0, _("Payments in the period"), section)
    r += 1
    for c, h in enumerate([_("Date"), _("Reference"), _("Amount"), _("Note")]):
        text(r, c, h, head)
    r += 1
    for p in st.payments:
        value(r, 0, p.date, xlsx.DATE)
        text(r, 1, p.reference, cell)
        value(r, 2, p.amount, xlsx.MONEY)
        text(r, 3, p.note, cell)
        r += 1
    if not st.payments:
        text(r, 0, _("No payments recorded."))
        r += 1
    text(r, 1, _("Total"), total_label)
    sheet.write_number(r, 2, float(st.paid_total), total_money)
    r += 2

    # adjustments (debit notes +, credit notes −)
    if st.adjustments:
        text(r, 0, _("Adjustments in the period"), section)
        r += 1
        for c, h in enumerate([_("Date"), _("Reason"), _("Amount")]):
            text(r, c, h, head)
        r += 1
        for a in st.adjustments:
            value(r, 0, a.date, xlsx.DATE)
            text(r, 1, a.reason, cell)
            value(r, 2, a.amount, xlsx.MONEY)
            r += 1
        text(r, 1, _("Total"), total_label)
        sheet.write_number(r, 2, float(st.adjusted_total), total_money)
        r += 2

    # the balance, spelled out, and the signatures
    formula = (
        _(
            "Closing balance = opening balance %(opening)s + shipped %(shipped)s − paid %(paid)s"
            " + adjusted %(adjusted)s = %(closing)s"
        )
        if st.adjustments
        else _(
            "Closing balance = opening balance %(opening)s + shipped %(shipped)s − paid %(paid)s"
            " = %(closing)s"
        )
    )
    text(
        r,
        0,
        formula
        % {
            "opening": f"{st.opening_balance:,.2f}",
            "shipped": f"{st.shipped_total:,.2f}",
            "paid": f"{st.paid_total:,.2f}",
            "adjusted": f"{st.adjusted_total:,.2f}",
            "closing": f"{st.closing_balance:,.2f}",
        },
        bold,
    )
    r += 1
    text(
        r,
        0,
        _(
            "Please check the above and confirm by signing and stamping. If anything differs, "
            "tell us within 15 days; otherwise the statement is taken as confirmed."
        ),
    )
    r += 3
    text(r, 0, _("Supplier (stamp):"), bold)
    text(r, 6, _("Customer confirmation (stamp):"), bold)
    r += 2
    text(r, 0, _("Signature:"))
    text(r, 6, _("Signature:"))
    r += 1
    text(r, 0, _("Date:"))
    text(r, 6, _("Date:"))

    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, HEADER_ROWS - 1)
    sheet.print_area(0, 0, r, LAST_COL)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer("&C&P / &N")
    book.close()


def statement_filename(st: Statement) -> str:
    stem = f"{_('Reconciliation statement')}_{st.customer.code}_{st.start}_{st.end}"
    return f"{stem}.xlsx"
