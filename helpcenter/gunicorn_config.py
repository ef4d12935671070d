"""gunicorn's own settings: `gunicorn -c python:helpcenter.gunicorn_config helpcenter.wsgi`.

Its lines (start-up, worker restarts, one access line per request) go through the project's log
configuration, so they carry time, level, logger and request id like every other line."""

import gc
import os

from helpcenter.observability import logging_config

accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

logconfig_dict = logging_config(
    level=os.environ.get("LOG_LEVEL", "INFO"), log_format=os.environ.get("LOG_FORMAT", "text")
)
logconfig_dict["loggers"].update(
    {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    }
)


def post_worker_init(worker):
    """Once the worker has loaded Django, its URLconf and every module the URLconf imports, those
    objects are moved out of the garbage collector's reach: its full collections otherwise walk
    all of them again during requests (about half of the triage list's 1.6 ms of collection)."""
    from importlib import import_module

    from django.conf import settings

    import_module(settings.ROOT_URLCONF)
    gc.freeze()
