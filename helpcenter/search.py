"""One limit for every search box, customer and admin: each word is a separate index lookup,
so a query of 1,900 words took 11 seconds."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SEARCH_MAX_WORDS = 20
SEARCH_MAX_CHARACTERS = 200


def validate_search_query(value: str) -> None:
    if len(value) > SEARCH_MAX_CHARACTERS:
        raise ValidationError(
            _("Search for at most %(limit)d characters (this has %(count)d).")
            % {"limit": SEARCH_MAX_CHARACTERS, "count": len(value)},
            code="search_too_long",
        )
    words = len(value.split())
    if words > SEARCH_MAX_WORDS:
        raise ValidationError(
            _("Search for at most %(limit)d words (this has %(count)d).")
            % {"limit": SEARCH_MAX_WORDS, "count": words},
            code="search_too_many_words",
        )
