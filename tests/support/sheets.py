"""Workbooks made to hurt a spreadsheet reader: the 1.5 KB file whose two cells span the
whole sheet (A1 and XFD150000)."""

import io
import zipfile

SHEET_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "{dimension}<sheetData>"
    '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
    '<row r="150000"><c r="XFD150000" t="inlineStr"><is><t>z</t></is></c></row>'
    "</sheetData></worksheet>"
)
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def hostile_xlsx(*, dimension: bool = True) -> bytes:
    """The 1.5 KB workbook of the report: cells A1 and XFD150000 only."""
    out = io.BytesIO()
    dim = '<dimension ref="A1:XFD150000"/>' if dimension else ""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in PARTS.items():
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml", SHEET_XML.format(dimension=dim))
    return out.getvalue()


FULL_WIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")


def full_width(value) -> str:
    """``12.5`` → ``１２．５``: digits as a Chinese input method types them."""
    return str(value).translate(FULL_WIDTH)


def messy_xlsx(title: str, headers: list, rows: list[list], *, total: str = "合计") -> bytes:
    """A workbook as factories send them: a title merged across the header's width above the
    header row, a blank row after the header, the ``rows`` (``None``: an empty cell; ``""``: a
    blank row when the whole row is empty), and a total row (``合计``) at the bottom with
    a figure under the last column. Counting: the blank rows and the total row are skipped."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet("数据")
    sheet.merge_range(0, 0, 0, len(headers) - 1, title)
    for c, h in enumerate(headers):
        sheet.write_string(1, c, h)
    r = 3  # row 3 (Excel's numbering) is left blank
    for row in rows:
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            sheet.write(r, c, value)
        r += 1
    sheet.write_string(r, 0, total)
    sheet.write_number(r, len(headers) - 1, 999)
    book.close()
    return out.getvalue()
