"""Help-center search and "answers before asking".

On PostgreSQL: full-text search over the stored article document (title weighted over body,
GIN index), typos corrected against the articles' own words by trigram similarity, and
snippets highlighted by ts_headline. On SQLite (the embedded default) a simpler word match.
Both answer with the same `SearchHit`s, and both ask the selectors who may see what."""

import difflib
import html
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramDistance,
)
from django.db import connection
from django.db.models import F, Func, Q
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from knowledge.models import Article, SearchWord
from knowledge.selectors import (
    articles_visible_to,
    readable_q,
    reader_plan_rank,
    suggestable_requests,
)
from tickets.models import SEARCH_CONFIG, Ticket, ticket_search_vector

MAX_QUERY_WORDS = 12
MIN_CORRECTABLE_LENGTH = 4
SUGGESTIONS = 5
MARK_START, MARK_END = "\u27e6", "\u27e7"
HEADLINE_OPTIONS = {
    "start_sel": MARK_START,
    "stop_sel": MARK_END,
    "max_words": 30,
    "min_words": 12,
    "max_fragments": 2,
    "fragment_delimiter": " … ",
}
SNIPPET_CHARS = 220
_WORD = re.compile(r"[^\W_]+")


@dataclass
class SearchHit:
    kind: str  # "article" or "request"
    title: str
    url: str
    snippet_marked: str = ""  # the snippet with MARK_START/MARK_END around matches
    locked: bool = False
    category: str = ""
    required_plan: str = ""
    key: str = ""

    @property
    def snippet_html(self) -> SafeString:
        """The snippet escaped, with <mark> around the matches."""
        escaped = html.escape(self.snippet_marked)
        return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))

    @property
    def snippet(self) -> str:
        return self.snippet_marked.replace(MARK_START, "").replace(MARK_END, "")

    def as_json(self) -> dict:
        return {"title": self.title, "url": self.url, "kind": self.kind, "snippet": self.snippet}


@dataclass
class SearchResults:
    query: str
    articles: list[SearchHit] = field(default_factory=list)
    requests: list[SearchHit] = field(default_factory=list)
    corrected_query: str = ""
    any_word: bool = False  # no article had every word; these have some of them


def query_words(query: str) -> list[str]:
    words = (word.lower() for word in _WORD.findall(query or ""))
    return [word for word in words if len(word) > 1][:MAX_QUERY_WORDS]


def help_center_search(*, user: User, query: str, limit: int = 20) -> SearchResults:
    """The search page: articles the reader may see (premium ones by title only), and resolved
    requests of their own organizations shared with the organization."""
    words = query_words(query)
    results = SearchResults(query=query)
    if not words:
        return results
    engine = _PostgresSearch if connection.vendor == "postgresql" else _SimpleSearch
    rank = reader_plan_rank(user=user)
    articles = engine.articles(user=user, rank=rank, words=words, mode="all", limit=limit)
    if not articles:
        corrected = correct_words(words)
        if corrected != words:
            results.corrected_query = " ".join(corrected)
            words = corrected
            articles = engine.articles(user=user, rank=rank, words=words, mode="all", limit=limit)
    if not articles:
        results.any_word = True
        articles = engine.articles(user=user, rank=rank, words=words, mode="any", limit=limit)
    results.articles = articles
    results.requests = engine.requests(user=user, words=words, mode="all", limit=limit)
    return results


def suggestions(*, user: User, query: str) -> list[SearchHit]:
    """Up to five answers for a request summary being typed: articles the reader's plan may
    read and their organizations' shared resolved requests. Matches of every word come first,
    then matches of some of them (a summary is a sentence); the last word may be half typed."""
    words = query_words(query)
    if not words:
        return []
    engine = _PostgresSearch if connection.vendor == "postgresql" else _SimpleSearch
    rank = reader_plan_rank(user=user)

    def best(find) -> list[SearchHit]:
        hits = find("all")
        if len(hits) < SUGGESTIONS and len(words) > 1:
            seen = {hit.url for hit in hits}
            hits += [hit for hit in find("any") if hit.url not in seen]
        return hits[:SUGGESTIONS]

    articles = best(
        lambda mode: engine.articles(
            user=user,
            rank=rank,
            words=words,
            mode=mode,
            limit=SUGGESTIONS,
            readable_only=True,
            prefix=True,
        )
    )
    requests = best(
        lambda mode: engine.requests(
            user=user, words=words, mode=mode, limit=SUGGESTIONS, prefix=True
        )
    )
    chosen = articles[:3] + requests[:2]
    rest = articles[3:] + requests[2:]
    return (chosen + rest)[:SUGGESTIONS]


def correct_words(words: list[str]) -> list[str]:
    """Each word the articles never use, replaced by the closest one they do."""
    known = set(SearchWord.objects.filter(word__in=words).values_list("word", flat=True))
    corrected = []
    for word in words:
        if word in known or len(word) < MIN_CORRECTABLE_LENGTH or word.isdigit():
            corrected.append(word)
        elif connection.vendor == "postgresql":
            nearest = (
                SearchWord.objects.filter(word__trigram_similar=word)
                .annotate(distance=TrigramDistance("word", word))
                .order_by("distance", "word")
                .values_list("word", flat=True)
                .first()
            )
            corrected.append(nearest or word)
        else:
            candidates = SearchWord.objects.filter(word__startswith=word[0]).values_list(
                "word", flat=True
            )
            nearest = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
            corrected.append(nearest[0] if nearest else word)
    return corrected


def _article_hit(article: Article, *, locked: bool, snippet: str) -> SearchHit:
    return SearchHit(
        kind="article",
        title=article.title,
        url=reverse("knowledge:article-detail", args=[article.slug]),
        snippet_marked="" if locked else snippet,
        locked=locked,
        category=article.category.name,
        required_plan=article.minimum_plan.name if locked else "",
    )


def _request_hit(ticket: Ticket, *, snippet: str) -> SearchHit:
    return SearchHit(
        kind="request",
        title=f"{ticket.key}: {ticket.summary}",
        url=reverse("tickets:request-detail", args=[ticket.key]),
        snippet_marked=snippet,
        key=ticket.key,
    )


class _PostgresSearch:
    @staticmethod
    def tsquery(words: list[str], mode: str, prefix: bool = False) -> SearchQuery:
        """Words joined by & (all) or | (any); with `prefix` the last one also matches as the
        start of a word. Only letters and digits reach to_tsquery, so no input is a syntax
        error."""
        terms = list(words)
        if prefix:
            terms[-1] = f"{terms[-1]}:*"
        joiner = " & " if mode == "all" else " | "
        return SearchQuery(joiner.join(terms), search_type="raw", config=SEARCH_CONFIG)

    @classmethod
    def articles(
        cls, *, user, rank, words, mode, limit, readable_only=False, prefix=False
    ) -> list[SearchHit]:
        query = cls.tsquery(words, mode, prefix)
        readable = readable_q(rank=rank)
        # A premium article the reader may not read is found by its title only (its weight-A
        # lexemes), so search never tells what its body says.
        title_vector = Func(
            F("search_vector"),
            function="ts_filter",
            template="%(function)s(%(expressions)s, '{a}')",
            output_field=SearchVectorField(),
        )
        articles = articles_visible_to(user=user).annotate(title_vector=title_vector)
        matches = readable & Q(search_vector=query)
        if not readable_only:
            matches |= ~readable & Q(title_vector=query)
        found = list(
            articles.filter(matches)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "title")
            .values_list("pk", flat=True)[:limit]
        )
        if not found:
            return []
        headlines = (
            Article.objects.filter(pk__in=found)
            .select_related("category", "minimum_plan")
            .annotate(
                headline=SearchHeadline(
                    "body_text", query, config=SEARCH_CONFIG, **HEADLINE_OPTIONS
                )
            )
            .in_bulk()
        )
        hits = []
        for pk in found:
            article = headlines[pk]
            locked = article.minimum_plan is not None and article.minimum_plan.rank > rank
            hits.append(_article_hit(article, locked=locked, snippet=article.headline))
        return hits

    @classmethod
    def requests(cls, *, user, words, mode, limit, prefix=False) -> list[SearchHit]:
        query = cls.tsquery(words, mode, prefix)
        tickets = (
            suggestable_requests(user=user)
            .annotate(document=ticket_search_vector())
            .filter(document=query)
            .annotate(
                rank=SearchRank(ticket_search_vector(), query),
                headline=SearchHeadline(
                    "description", query, config=SEARCH_CONFIG, **HEADLINE_OPTIONS
                ),
            )
            .order_by("-rank", "-resolved_at", "-pk")[:limit]
        )
        return [_request_hit(ticket, snippet=ticket.headline) for ticket in tickets]


class _SimpleSearch:
    """Word matching for SQLite: every word (or any word) in the title or the text."""

    @staticmethod
    def _condition(words, fields, mode) -> Q:
        condition = Q() if mode == "all" else Q(pk__in=[])
        for word in words:
            one = Q()
            for name in fields:
                one |= Q(**{f"{name}__icontains": word})
            condition = condition & one if mode == "all" else condition | one
        return condition

    @staticmethod
    def _score(words, title, text) -> int:
        title, text = title.lower(), text.lower()
        return sum(3 * (word in title) + (word in text) for word in words)

    @classmethod
    def articles(
        cls, *, user, rank, words, mode, limit, readable_only=False, prefix=False
    ) -> list[SearchHit]:
        readable = readable_q(rank=rank)
        matches = readable & cls._condition(words, ["title", "body_text"], mode)
        if not readable_only:
            matches |= ~readable & cls._condition(words, ["title"], mode)
        candidates = list(
            articles_visible_to(user=user)
            .filter(matches)
            .select_related("category", "minimum_plan")[:500]
        )
        candidates.sort(key=lambda a: (-cls._score(words, a.title, a.body_text), a.title))
        hits = []
        for article in candidates[:limit]:
            locked = article.minimum_plan is not None and article.minimum_plan.rank > rank
            hits.append(
                _article_hit(
                    article, locked=locked, snippet=marked_excerpt(article.body_text, words)
                )
            )
        return hits

    @classmethod
    def requests(cls, *, user, words, mode, limit, prefix=False) -> list[SearchHit]:
        tickets = list(
            suggestable_requests(user=user)
            .filter(cls._condition(words, ["summary", "description"], mode))
            .order_by("-resolved_at", "-pk")[:500]
        )
        tickets.sort(key=lambda t: -cls._score(words, t.summary, t.description))
        return [
            _request_hit(ticket, snippet=marked_excerpt(ticket.description, words))
            for ticket in tickets[:limit]
        ]


def marked_excerpt(text: str, words: list[str]) -> str:
    """A window of `text` around the first matching word, matches between the marks."""
    if not words:
        return text[:SNIPPET_CHARS]
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - SNIPPET_CHARS // 3)
    window = text[start : start + SNIPPET_CHARS]
    window = ("…" if start else "") + window + ("…" if start + SNIPPET_CHARS < len(text) else "")
    return pattern.sub(lambda match: f"{MARK_START}{match.group(0)}{MARK_END}", window)
