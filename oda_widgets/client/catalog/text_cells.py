"""Text cells as FITS and ECSV can hold them, and back.

Source names are server text: ``Sérsic 159-03``, or a name with a U+2028 LINE SEPARATOR in it.
FITS tables hold printable ASCII only, so astropy refuses to write the first; ECSV is UTF-8, but
its readers split lines wherever Python's ``str.splitlines`` does (U+2028, U+0085, form feeds...),
so the second makes a file nobody can read back. Here:

* FITS: a text column holding any character outside printable ASCII is written with Python's
  ``unicode_escape`` (``S\\xe9rsic``: nothing lost, every FITS reader shows it) and the table says
  so in its ``TEXTESC`` keyword, which :func:`unescaped_fits_text` reads back;
* ECSV: line-breaking characters inside a cell become spaces (a source name has no use for
  them); everything else of UTF-8 is kept.
"""

from __future__ import annotations

import re

from astropy.table import Table

__all__ = ["ESCAPE_KEYWORD", "fits_text", "unescaped_fits_text", "ecsv_text"]

#: The table keyword that says which text columns were escaped, and how.
ESCAPE_KEYWORD = "TEXTESC"

_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
# what str.splitlines() breaks on, besides \n and \r
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _text_columns(table: Table) -> list[str]:
    return [name for name in table.colnames if table[name].dtype.kind == "U"]


def fits_text(table: Table) -> Table:
    """``table`` with every text column FITS cannot hold escaped (a copy when any is)."""
    escaped = [
        name for name in _text_columns(table)
        if not all(_PRINTABLE_ASCII.fullmatch(str(value)) for value in table[name])
    ]
    if not escaped:
        return table
    table = table.copy(copy_data=True)
    for name in escaped:
        values = [str(v).encode("unicode_escape").decode("ascii") for v in table[name]]
        table.replace_column(name, values)
    table.meta[ESCAPE_KEYWORD] = "unicode_escape: " + ",".join(escaped)
    return table


def unescaped_fits_text(table: Table) -> Table:
    """A table read from FITS with the columns :func:`fits_text` escaped read back (in place)."""
    note = table.meta.pop(ESCAPE_KEYWORD, None)
    if not isinstance(note, str) or not note.startswith("unicode_escape:"):
        return table
    for name in note.split(":", 1)[1].split(","):
        name = name.strip()
        if name in table.colnames:
            values = [str(v).encode("ascii", "backslashreplace").decode("unicode_escape")
                      for v in table[name]]
            table.replace_column(name, values)
    return table


def ecsv_text(table: Table) -> Table:
    """``table`` with line breaks inside text cells turned into spaces (a copy when any is)."""
    broken = [name for name in _text_columns(table)
              if any(_LINE_BREAKS.search(str(value)) for value in table[name])]
    if not broken:
        return table
    table = table.copy(copy_data=True)
    for name in broken:
        table.replace_column(name, [_LINE_BREAKS.sub(" ", str(v)) for v in table[name]])
    return table
