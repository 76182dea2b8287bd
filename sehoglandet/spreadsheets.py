"""Text bound for a spreadsheet, which must never run as a formula there (CSV injection)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A CSV cell a spreadsheet program shows as text: one starting with = + - @ (or a tab or a
    return) gets an apostrophe in front, so it is never run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
