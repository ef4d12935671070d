"""gunicorn's own settings: `gunicorn -c python:helpcenter.gunicorn_config helpcenter.wsgi`.

Its lines (start-up, worker restarts, one access line per request) go through the project's log
configuration, so they carry time, level, logger and request id like every other line."""

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
