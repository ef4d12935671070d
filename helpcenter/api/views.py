from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse


class ApiViewMixin:
    """API views answer 401 themselves; the site's login redirect must not apply to them."""

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))


@login_not_required
def not_found(request, path=""):
    """Any other address under /api/v1/ (a negative id, a typo) answers in JSON too."""
    return JsonResponse({"detail": "Not found."}, status=404)
