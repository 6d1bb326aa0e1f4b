"""Writing spreadsheets people open in Excel/WPS.

``escape_cell`` keeps a text cell from being read as a formula (CSV/Excel injection): text that
starts with = + - @ (or a tab/CR) is prefixed with an apostrophe, as OWASP advises.
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
