"""The Celery app: configured from the CELERY_* Django settings, tasks found in each app's tasks.py.

`make worker` and `make beat` run it against CELERY_BROKER_URL; without a broker the settings make
every task run in-process (CELERY_TASK_ALWAYS_EAGER).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings")

app = Celery("helpcenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
