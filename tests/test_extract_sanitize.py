"""sanitize_html: the allow-list holds, links are made safe, and it is idempotent."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from broadsheet.errors import ExtractError
from broadsheet.extract import extract_article
from broadsheet.extract.sanitize import sanitize_html

BASE = "https://news.example/section/story.html"

PIECES = [
    "<p>", "</p>", "<div>", "</div>", "<b>", "</i>", "<table>", "<tr><td>", "</td>", "<li>",
    "<ul>", "<h2>", "<blockquote>", "<pre>", "<br>", "<figure>", "<figcaption>", "<select>",
    "<script>alert(1)</script>", "<script", "<style>p{}</style>", "<svg><script>x</script></svg>",
    "<math><mi>x</mi></math>", "<iframe srcdoc='<script>1</script>'></iframe>",
    "<object data='x'></object>", "<embed src='x'>", "<form action='/x'><input></form>",
    "<button formaction='javascript:alert(1)'>b</button>", "<meta http-equiv='refresh'>",
    "<base href='https://evil.example/'>", "<a href='javascript:alert(1)'>j</a>",
    "<a href=' JaVaScRiPt:alert(1)'>j</a>", "<a href='java&#x09;script:x'>t</a>",
    "<a href='vbscript:x'>v</a>", "<a href='data:text/html,x'>d</a>", "<a href='/rel'>r</a>",
    "<a href='https://ok.example/' onclick='x()' target='_blank'>ok</a>",
    "<img src=x onerror=alert(1)>", "<img src='data:image/png;base64,AAAA'>",
    "<img data-src='/lazy.jpg' src='data:image/gif;base64,R0'>",
    "<img srcset='/a.jpg 300w, /b.jpg 800w'>", "<noscript><img src='/n.jpg'></noscript>",
    "<p style='color:red' class='x' id='y'>", "<!-- c -->", "<![CDATA[x]]>", "&lt;script&gt;",
    "&amp;", "<", ">", "\"", "'", "=", "on", "onload=", " ", "\n", "text", "é", "\u2028",
]
fragments = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=25).map("".join)
base_urls = st.sampled_from([None, BASE, "https://news.example/"])

_UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)
_FORBIDDEN = {"script", "style", "iframe", "object", "embed", "svg", "math", "form", "input",
              "button", "meta", "base", "link", "noscript", "textarea", "select"}


def _assert_safe(output: str) -> None:
    assert "<script" not in output.lower()
    if not output.strip():
        return
    root = lxml_html.fragment_fromstring(output, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in _FORBIDDEN
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            assert name.lower() not in {"srcdoc", "formaction", "style", "srcset"}
            if name in {"href", "src", "cite"}:
                assert not _UNSAFE_URL.match(value.replace("\t", "").replace("\n", ""))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragments, base_urls)
def test_sanitize_is_idempotent_and_safe(fragment, base_url):
    once = sanitize_html(fragment, base_url)
    assert sanitize_html(once, base_url) == once
    _assert_safe(once)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(fragments, st.text(max_size=200), st.binary(max_size=200)))
def test_extract_article_raises_only_extract_error(page):
    try:
        article = extract_article(page, url="https://news.example/a")
    except ExtractError as error:
        assert str(error).startswith("extract: ")
    else:
        _assert_safe(article.html)


def test_links_absolute_with_rel():
    out = sanitize_html("<p><a href='/a?b=1'>x</a></p>", BASE)
    assert out == '<p><a href="https://news.example/a?b=1" rel="nofollow noopener noreferrer">x</a></p>'


def test_lazy_images_recovered():
    out = sanitize_html("<img data-src='/lazy.jpg' src='data:image/gif;base64,R0'>"
                        "<img srcset='/s.jpg 300w, /b.jpg 800w'>"
                        "<noscript><img src='/n.jpg'></noscript>", BASE)
    assert 'src="https://news.example/lazy.jpg"' in out
    assert 'src="https://news.example/b.jpg"' in out
    assert 'src="https://news.example/n.jpg"' in out
    assert "data:" not in out


@pytest.mark.parametrize("bad", [
    "<script>x</script>", "<style>p{}</style>", "<iframe src='https://x'></iframe>",
    "<svg><text>x</text></svg>", "<form><input name=q></form>", "<object data=x></object>",
])
def test_dangerous_elements_dropped_with_content(bad):
    assert sanitize_html(f"<p>keep</p>{bad}") == "<p>keep</p>"
