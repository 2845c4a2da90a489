"""Cells that no spreadsheet runs: the one formula guard every CSV the app writes uses.

A spreadsheet reads a cell starting with =, +, - or @ as a formula (and some programs
skip a leading tab, carriage return, line feed or spaces before deciding); a leading
quote makes it text. Guarding is reversible, so a ladder written as CSV reads back
word for word: a cell that starts with a quote gets a second one.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_SIGNS = FORMULA_STARTS[:4]


def _needs_quote(text: str) -> bool:
    return text.startswith((*FORMULA_STARTS, "'")) or text.lstrip().startswith(_SIGNS)


def guarded(value) -> str:
    """The cell as text that no spreadsheet runs."""
    text = "" if value is None else str(value)
    return "'" + text if _needs_quote(text) else text


def unguarded(cell: str) -> str:
    """A cell as written, without the quote `guarded` put before it."""
    if cell.startswith("'") and _needs_quote(cell[1:]):
        return cell[1:]
    return cell
