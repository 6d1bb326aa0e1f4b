"""The reconciliation statement as the workbook a finance clerk sends to a customer: title,
company and customer header, period, the balance summary, orders, shipments, payments, totals,
signature lines, printed on A4 landscape one page wide with the header repeated on every page."""

from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.core import xlsx
from zhongshu.core.company import company_info

from .selectors import Statement

WIDTHS = [18, 12, 16, 14, 24, 10, 6, 12, 9, 9, 14]
LAST_COL = len(WIDTHS) - 1
HEADER_ROWS = 5  # title, company, customer, period, contact: repeated on every printed page


def company_name() -> str:
    """The name kept on the company page, or the ``COMPANY_NAME`` setting while that is blank."""
    return company_info()["name"]


class _Sheet:
    """The statement's worksheet with its formats, and one method per part (each takes the row
    to start on and returns the next free row)."""

    def __init__(self, book, st: Statement) -> None:
        f = self.f = xlsx.Formats(book)
        self.st = st
        self.title = f.add({"bold": True, "font_size": 18, "align": "center", "valign": "vcenter"})
        self.centre = f.add({"align": "center"})
        self.bold = f.add({"bold": True})
        self.section = f.add({"bold": True, "font_size": 12, "bottom": 2})
        self.head = f.add({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
        self.cell = f.add({"border": 1})
        money = f.add({"border": 1, "num_format": xlsx.NUMBER_FORMATS[xlsx.MONEY]})
        qty = f.add({"border": 1, "num_format": xlsx.NUMBER_FORMATS[xlsx.QTY]})
        pct = f.add({"border": 1, "num_format": xlsx.NUMBER_FORMATS[xlsx.PERCENT]})
        day = f.add({"border": 1, "num_format": xlsx.NUMBER_FORMATS[xlsx.DATE]})
        self.total_label = f.add({"bold": True, "border": 1, "align": "right"})
        self.total_money = f.add({"bold": True, "border": 1, "num_format": "#,##0.00"})
        self.big_money = f.add(
            {"bold": True, "font_size": 12, "border": 1, "num_format": "#,##0.00"}
        )
        self.formats = {xlsx.MONEY: money, xlsx.QTY: qty, xlsx.PERCENT: pct, xlsx.DATE: day}
        self.sheet = book.add_worksheet(xlsx.sheet_name(_("Reconciliation statement")))
        for c, width in enumerate(WIDTHS):
            self.sheet.set_column(c, c, width)

    def text(self, r, c, value, fmt=None):
        xlsx.write_value(self.sheet, r, c, value, xlsx.TEXT, self.f, fmt)

    def value(self, r, c, v, kind):
        xlsx.write_value(self.sheet, r, c, v, kind, self.f, self.formats.get(kind, self.cell))

    def total(self, r: int, c: int, amount) -> None:
        """ "Total" in column ``c``, the amount right of it."""
        self.text(r, c, _("Total"), self.total_label)
        self.sheet.write_number(r, c + 1, float(amount), self.total_money)

    def header(self) -> None:
        st, sheet, text, bold = self.st, self.sheet, self.text, self.bold
        customer = st.customer
        sheet.set_row(0, 30)
        sheet.merge_range(0, 0, 0, LAST_COL, "", self.title)
        text(0, 0, _("Reconciliation statement"), self.title)
        sheet.merge_range(1, 0, 1, LAST_COL, "", self.centre)
        text(1, 0, company_name(), self.centre)
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

    def summary(self, r: int) -> int:
        """The balance in one box."""
        st = self.st
        self.text(r, 0, _("Summary"), self.section)
        r += 1
        summary = [
            (_("Opening balance"), st.opening_balance),
            (_("Shipped in the period"), st.shipped_total),
            (_("Paid in the period"), st.paid_total),
            (_("Adjusted in the period"), st.adjusted_total),
            (_("Closing balance"), st.closing_balance),
        ]
        for c, (label, amount) in enumerate(summary):
            self.sheet.merge_range(r, c * 2, r, c * 2 + 1, str(label), self.head)
            self.sheet.merge_range(r + 1, c * 2, r + 1, c * 2 + 1, float(amount), self.big_money)
        return r + 3

    def orders(self, r: int) -> int:
        """Orders placed in the period."""
        st, text, value, cell = self.st, self.text, self.value, self.cell
        text(r, 0, _("Orders in the period"), self.section)
        r += 1
        for c, h in enumerate([_("Order number"), _("Order date"), _("Due date"), _("Status")]):
            text(r, c, h, self.head)
        text(r, 4, _("Order amount (incl. tax)"), self.head)
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
        self.total(r, 3, st.ordered_total)
        return r + 2

    def shipments(self, r: int) -> int:
        """What was shipped: the amounts owed."""
        st, text, value, cell = self.st, self.text, self.value, self.cell
        text(r, 0, _("Shipments in the period"), self.section)
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
            text(r, c, h, self.head)
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
        self.total(r, 9, st.shipped_total)
        return r + 2

    def payments(self, r: int) -> int:
        """Payments received."""
        st, text, value, cell = self.st, self.text, self.value, self.cell
        text(r, 0, _("Payments in the period"), self.section)
        r += 1
        for c, h in enumerate([_("Date"), _("Reference"), _("Amount"), _("Note")]):
            text(r, c, h, self.head)
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
        self.total(r, 1, st.paid_total)
        return r + 2

    def adjustments(self, r: int) -> int:
        """Adjustments (debit notes +, credit notes −), when there are any."""
        st, text, value, cell = self.st, self.text, self.value, self.cell
        if not st.adjustments:
            return r
        text(r, 0, _("Adjustments in the period"), self.section)
        r += 1
        for c, h in enumerate([_("Date"), _("Reason"), _("Amount")]):
            text(r, c, h, self.head)
        r += 1
        for a in st.adjustments:
            value(r, 0, a.date, xlsx.DATE)
            text(r, 1, a.reason, cell)
            value(r, 2, a.amount, xlsx.MONEY)
            r += 1
        self.total(r, 1, st.adjusted_total)
        return r + 2

    def closing(self, r: int) -> int:
        """The balance, spelled out, and the signatures; returns the last row written."""
        st, text, bold = self.st, self.text, self.bold
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
        return r


def write_statement(target, st: Statement) -> None:
    """The statement as a workbook written to ``target`` (a path or a file object)."""
    book = xlsx.new_workbook(target)
    out = _Sheet(book, st)
    out.header()
    r = out.summary(HEADER_ROWS + 1)
    r = out.orders(r)
    r = out.shipments(r)
    r = out.payments(r)
    r = out.adjustments(r)
    r = out.closing(r)
    sheet = out.sheet
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
