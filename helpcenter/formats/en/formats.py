"""English date formats where Django renders a datetime on its own (admin lists and read-only
fields, `{{ value }}` in a template): the reader's zone is active, and its abbreviation is named,
as `helpcenter.timezones.local_time` does for the pages and emails."""

DATETIME_FORMAT = "D j M Y, H:i T"
SHORT_DATETIME_FORMAT = "j M Y, H:i T"
