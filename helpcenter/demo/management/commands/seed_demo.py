from django.core.management.base import BaseCommand

from helpcenter.demo.seed import DEFAULT_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo organizations, users, clusters and requests (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD)

    def handle(self, *args, password, **options):
        demo = seed_demo(password=password)
        people = ", ".join(user.email for user in (demo.alice, demo.bob, demo.carol, demo.agent))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Log in as {people} or {demo.admin.email} "
                f"with the password '{password}'."
            )
        )
