"""The password backend: Django's ModelBackend, reading the signed-in user with SQL compiled
once (`accounts.selectors.user_by_id`) on every request instead of through the ORM.

Sessions store the path of the backend that signed them in: one signed in through
`django.contrib.auth.backends.ModelBackend` before this backend existed is asked to sign in
again, once."""

from django.contrib.auth.backends import ModelBackend

from accounts.selectors import user_by_id


class PasswordBackend(ModelBackend):
    def get_user(self, user_id):
        user = user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
