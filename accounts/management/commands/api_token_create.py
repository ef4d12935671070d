from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken, User
from accounts.tokens import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (it is not shown again)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The user's email address.")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ)
        parser.add_argument("--days", type=int, default=90, help="Days until it expires.")

    def handle(self, *args, user, name, scope, days, **options):
        owner = User.objects.filter(email__iexact=user.strip()).first()
        if owner is None:
            raise CommandError(f"No user with the email address {user}.")
        try:
            _token, raw = api_token_create(
                user=owner, name=name, days=days, scope=scope, second_factor_verified=True
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(raw)
