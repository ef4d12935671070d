from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo organizations, people, clusters and requests (`manage.py seed_demo`): the only
    code that imports every app, to fill them all in through their services."""

    name = "helpcenter.demo"
    label = "demo"
    verbose_name = "Demo data"
