"""Article bodies are Markdown rendered on the server and sanitised: whatever an editor pastes,
nothing in it runs in a reader's browser."""

import pytest

from knowledge.rendering import markdown_to_text, render_markdown


def test_script_tags_render_inert():
    html = render_markdown(
        "Before\n\n<script>alert('x')</script>\n\nAfter <script src=//evil.example/x.js></script>"
    )

    assert "<script" not in html.lower()
    assert "evil.example" not in html
    assert "Before" in html and "After" in html


@pytest.mark.parametrize(
    "body",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](javascript:alert(1))",
    ],
)
def test_javascript_links_render_inert(body):
    html = render_markdown(body).lower()

    assert "javascript:" not in html
    assert "vbscript:" not in html
    assert "data:" not in html


@pytest.mark.parametrize(
    "body",
    [
        '<img src="x" onerror="alert(1)">',
        '<a href="https://docs.pingcap.com" onclick="alert(1)">docs</a>',
        '<p onmouseover="alert(1)">hover</p>',
        '<svg onload="alert(1)"></svg>',
        '<div style="background:url(javascript:alert(1))" onfocus="alert(1)" tabindex=0>x</div>',
    ],
)
def test_event_handlers_render_inert(body):
    html = render_markdown(body).lower()

    for handler in ("onerror", "onclick", "onmouseover", "onload", "onfocus", "style="):
        assert handler not in html


def test_iframes_forms_and_objects_are_removed():
    html = render_markdown(
        '<iframe src="https://evil.example"></iframe><form action="/x"><input name=a></form>'
        '<object data="x.swf"></object>'
    ).lower()

    for tag in ("<iframe", "<form", "<input", "<object"):
        assert tag not in html


def test_markdown_still_renders_what_editors_need():
    html = render_markdown(
        "## Steps\n\n1. Run `ANALYZE TABLE orders;`\n2. Retry\n\n"
        "| Client | Setting |\n|---|---|\n| JDBC | `sslMode=VERIFY_IDENTITY` |\n\n"
        "```sql\nSELECT 1 < 2;\n```\n\n[Docs](https://docs.pingcap.com/tidbcloud/)\n\n"
        "![Diagram](/articles/images/7/)"
    )

    assert "<h2>Steps</h2>" in html
    assert "<ol>" in html and "<code>ANALYZE TABLE orders;</code>" in html
    assert "<table>" in html and "<td>JDBC</td>" in html
    assert "SELECT 1 &lt; 2;" in html
    assert 'href="https://docs.pingcap.com/tidbcloud/"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert '<img alt="Diagram" src="/articles/images/7/">' in html


def test_plain_text_for_search_has_no_markup():
    text = markdown_to_text("## Restore\n\nA **restore** of `orders` <script>x()</script> & more")

    assert text == "Restore\nA restore of orders & more"
