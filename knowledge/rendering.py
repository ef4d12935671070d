"""Article bodies: Markdown rendered on the server, then sanitised with nh3.

Whatever an editor types (raw HTML, <script>, event handlers, javascript: links), the page gets
only the tags and attributes below, and links only with the schemes below."""

import html
import re

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "code": {"class"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}
MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "abbr", "def_list"]

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|h\d|li|pre|tr|blockquote|dd|dt)>|<br\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def render_markdown(body: str) -> str:
    """Safe HTML for an article body."""
    unsafe = markdown.markdown(body, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return nh3.clean(
        unsafe,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def markdown_to_text(body: str) -> str:
    """The body as a reader sees it, without markup: what search matches and quotes."""
    rendered = _BLOCK_END.sub("\n", render_markdown(body))
    text = html.unescape(_TAG.sub(" ", rendered))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()
