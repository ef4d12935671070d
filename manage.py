#!/usr/bin/env python
import os
import sys

# Commands that only write or check code and serve nothing: on a fresh clone they run with the
# development defaults instead of asking for production secrets.
CODE_ONLY_COMMANDS = {"makemigrations"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings")
    if sys.argv[1:2] and sys.argv[1] in CODE_ONLY_COMMANDS:
        os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - load the settings now
    except ImproperlyConfigured as exc:
        # A missing production variable: one line that names it, not a traceback.
        sys.exit(f"Cannot start: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
