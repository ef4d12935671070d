"""Reading pages in tests with the standard library's HTML parser, not regular expressions:
a small element tree with `find_all` by tag, class and attributes, and the text inside."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list = field(default_factory=list)  # Elements and strings

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        """The text inside, with white space folded."""
        parts = []
        for child in self.children:
            parts.append(child.text if isinstance(child, Element) else child)
        return " ".join("".join(parts).split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, class_: str | None = None, **attrs) -> list:
        """Elements below (and including) this one with the tag, class and attribute values
        given; an attribute given as True only has to be present."""
        found = []
        for element in self.iter():
            if tag is not None and element.tag != tag:
                continue
            if class_ is not None and class_ not in element.classes:
                continue
            if all(
                (name in element.attrs) if value is True else element.attrs.get(name) == value
                for name, value in ((key.replace("_", "-"), value) for key, value in attrs.items())
            ):
                found.append(element)
        return found

    def find(self, tag: str | None = None, **kwargs) -> "Element":
        matches = self.find_all(tag, **kwargs)
        assert matches, f"no <{tag}> with {kwargs}"
        return matches[0]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str | bytes) -> Element:
    builder = _TreeBuilder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root
