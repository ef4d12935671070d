"""The one Celery broker helper: publish to a real broker instead of running tasks in-process."""

from contextlib import contextmanager

from helpcenter.celery import app as celery_app


def _reset_celery_connections() -> None:
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)  # rebuilt with the queue and producer pool from conf


@contextmanager
def publishing_to(broker_url: str, queue: str | None = None):
    """Make this (web) process publish tasks to `broker_url` (and `queue`), as production does."""
    saved = {
        "task_always_eager": celery_app.conf.task_always_eager,
        "broker_url": celery_app.conf.broker_url,
        "task_default_queue": celery_app.conf.task_default_queue,
    }
    celery_app.conf.update(
        task_always_eager=False,
        broker_url=broker_url,
        task_default_queue=queue or saved["task_default_queue"],
    )
    _reset_celery_connections()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        _reset_celery_connections()
