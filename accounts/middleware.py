"""The second factor of each signed-in request (django-otp's middleware), its device read by
`accounts.selectors.second_factor_device`."""

from django_otp.middleware import OTPMiddleware

from accounts.selectors import second_factor_device


class SecondFactorMiddleware(OTPMiddleware):
    """django-otp's middleware: the session's device is still read and checked (its user,
    confirmed) on every request, through SQL compiled once instead of a query built each time."""

    def _device_from_persistent_id(self, persistent_id: str):
        return second_factor_device(self._normalize_persistent_id(persistent_id))
