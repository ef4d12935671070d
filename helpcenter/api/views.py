from django.contrib.auth.decorators import login_not_required


class ApiViewMixin:
    """API views answer 401 themselves; the site's login redirect must not apply to them."""

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))
