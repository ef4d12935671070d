#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings")
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
