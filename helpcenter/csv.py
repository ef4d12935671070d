"""CSV downloads: cells that a spreadsheet program would run as a formula are neutralised.

Every cell of every row goes through `csv_safe` (use `csv_writer`), so a column added later
cannot be forgotten."""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value) -> str:
    """Keep spreadsheet programs from running a cell that starts like a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _SafeWriter:
    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([csv_safe(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> _SafeWriter:
    """A csv.writer whose every cell is neutralised."""
    return _SafeWriter(stream, **kwargs)
