"""CSV downloads: cells that a spreadsheet program would run as a formula are neutralised."""


def csv_safe(value: str) -> str:
    """Keep spreadsheet programs from running a cell that starts like a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
