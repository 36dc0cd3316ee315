"""Cells that are safe to open in Excel, LibreOffice or Google Sheets: the one guard against formula
injection for every export (survey responses, customers, import error rows, workspace data).

A spreadsheet runs a text cell that starts with = + - or @ as a formula (a tab or carriage return in
front does not stop it), so a customer who types =HYPERLINK(…) into a comment could plant a link or a
command in the brand's own files. In CSV such a cell gets a leading apostrophe, which spreadsheets read
as "text" and hide; in XLSX the cell is written as a string with the quote-prefix style, which Excel
shows unchanged and will not turn into a formula even when someone edits it.
"""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_START)


def neutralise_formula(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (for CSV)."""
    return "'" + value if starts_like_formula(value) else value


class XlsxTextWriter:
    """Writes the text cells of an xlsxwriter workbook: plain or bold (a header), with the quote prefix
    where a cell looks like a formula. One per workbook, since formats belong to a workbook."""

    def __init__(self, workbook):
        self.formats = {(bold, quoted): workbook.add_format({"bold": bold, "quote_prefix": quoted})
                        for bold in (False, True) for quoted in (False, True)}

    def write(self, sheet, row: int, column: int, value: str, *, bold: bool = False) -> None:
        quoted = starts_like_formula(value)
        cell_format = self.formats[bold, quoted] if (bold or quoted) else None
        sheet.write_string(row, column, value, cell_format)
