"""Reading workbooks back the way an importer would (python-calamine), for assertions."""

import io
import zipfile

from python_calamine import CalamineWorkbook


def response_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def read_sheet(data: bytes, index: int = 0) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_index(index).to_python()


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml").decode()


def column(rows: list[list], header: str) -> list:
    """The values of one column under its header (first row), without the header."""
    i = rows[0].index(header)
    return [r[i] for r in rows[1:]]
