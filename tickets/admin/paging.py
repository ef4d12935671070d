"""How many requests the triage list holds, and its pages.

Counting every request exactly cost PostgreSQL more than reading and sorting the page it shows
(about 5 ms at 100,000 requests, for a number nobody reads to the last digit). The whole,
unfiltered list of a large table is therefore counted by PostgreSQL's own estimate, and the page
says "about"; every filtered list, a queue or a search, is counted exactly."""

import html

from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import EmptyPage, Paginator
from django.db import connection
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe

# Below this many rows an exact count takes well under a millisecond.
ESTIMATE_FROM = 20_000


def estimated_rows(model) -> int | None:
    """The table's row count as PostgreSQL keeps it (`pg_class.reltuples`, refreshed by VACUUM
    and ANALYZE, autovacuum included); None where it has none yet, or on another database."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [model._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None


class TriagePaginator(Paginator):
    """Django's paginator, with the estimate for the unfiltered list of a large table
    (`estimated`). The estimate may fall short of the true end, so its pages run on past it
    (up to twice its pages): a page beyond the last request is empty rather than refused."""

    estimated = False

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.has_filters():
            estimate = estimated_rows(self.object_list.model)
            if estimate is not None and estimate >= ESTIMATE_FROM:
                self.estimated = True
                return estimate
        return super().count

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            # Past an estimate that may fall short, pages run on, as far as twice its pages:
            # further is refused, as Django refuses any page past the end.
            if self.estimated and 1 < int(number) <= 2 * self.num_pages:
                return int(number)
            raise

    def page(self, number):
        if not self.estimated:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


# A stand-in page number: letters and digits, which writing a query string neither quotes nor
# escapes.
_PAGE_MARK = "0pagemark0"


def page_links(cl) -> SafeString:
    """The page numbers of admin/pagination.html, as its loop writes each with Django's
    `{% paginator_number %}`. The links differ only in their number, so the query string is
    written once around a stand-in, and each number put in."""
    paginator = cl.paginator
    before, mark, after = html.escape(cl.get_query_string({PAGE_VAR: _PAGE_MARK})).partition(
        _PAGE_MARK
    )
    if not mark or _PAGE_MARK in after:
        before = None
    written = []
    for number in paginator.get_elided_page_range(cl.page_num):
        if number == paginator.ELLIPSIS:
            link = f"{html.escape(str(number))} "
        elif number == cl.page_num:
            link = f'<span class="this-page">{number}</span> '
        else:
            url = (
                f"{before}{number}{after}"
                if before is not None
                else html.escape(cl.get_query_string({PAGE_VAR: number}))
            )
            end = ' class="end"' if number == paginator.num_pages else ""
            link = f'<a href="{url}"{end}>{number}</a> '
        written.append(f"\n    {link}\n")
    return mark_safe("".join(written))
