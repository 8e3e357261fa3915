"""Canonical URLs: one spelling per address, idempotent, tracking stripped."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from broadsheet.stories.canonical_url import (
    TRACKING_PARAMS,
    amp_canonical,
    canonicalize_url,
    is_tracking_param,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM/a/b", "http://example.com/a/b"),
        ("https://example.com:443/x", "https://example.com/x"),
        ("http://example.com:80/x", "http://example.com/x"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a?", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        (
            "https://example.com/a?utm_source=x&UTM_Medium=y&fbclid=1&gclid=2&id=7",
            "https://example.com/a?id=7",
        ),
        ("https://example.com/a?ref=twitter&ref_src=twsrc&_ga=1&spm=a.b", "https://example.com/a"),
        ("https://example.com/%7euser/%e2%82%ac", "https://example.com/~user/%E2%82%AC"),
        ("https://example.com/caf\u00e9 bar", "https://example.com/caf%C3%A9%20bar"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/a/b/..", "https://example.com/a/"),
        ("https://b\u00fccher.example/x", "https://xn--bcher-kva.example/x"),
        ("https://example.com./x", "https://example.com/x"),
        ("https://user:secret@example.com/x", "https://example.com/x"),
        ("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"),
        ("https://example.com/a?q=a%2Bb&q=a+b", "https://example.com/a?q=a%2Bb&q=a+b"),
        ("https://example.com/a?&&x=1&&", "https://example.com/a?x=1"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize(
    "garbage",
    ["", "not a url", "/relative/path", "mailto:someone@example.com", "http://[::1/",
     "http://a:99999/", "http://exa mple.com/"],
)
def test_garbage_raises_value_error(garbage: str) -> None:
    with pytest.raises(ValueError, match="^stories: "):
        canonicalize_url(garbage)


def test_tracking_list_is_one_place() -> None:
    assert {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "ref", "ref_src", "cmpid",
            "igshid", "_ga", "yclid", "spm"} <= TRACKING_PARAMS
    assert is_tracking_param("utm_campaign") and is_tracking_param("UTM_CONTENT")
    assert not is_tracking_param("id")


@pytest.mark.parametrize(
    ("url", "declared", "expected"),
    [
        ("https://example.com/news/story/amp", None, "https://example.com/news/story"),
        ("https://example.com/amp/news/story/", None, "https://example.com/news/story/"),
        ("https://example.com/news/story?amp=1&id=3", None, "https://example.com/news/story?id=3"),
        ("https://example.com/news/story?outputType=amp", None, "https://example.com/news/story"),
        ("https://m.example.com/news/story", None, "https://example.com/news/story"),
        ("https://example.com/news/story.amp.html", None, "https://example.com/news/story.html"),
        ("https://m.example.com/x/amp", "/news/story?utm_source=amp",
         "https://m.example.com/news/story"),
        ("https://m.example.com/x/amp", "https://www.example.com/news/story",
         "https://www.example.com/news/story"),
        ("https://m.example.com/x", "http://[bad", "https://example.com/x"),
        ("https://m.tv/x", None, "https://m.tv/x"),
    ],
)
def test_amp_canonical(url: str, declared: str | None, expected: str) -> None:
    assert amp_canonical(url, declared) == expected


_url_chars = st.characters(codec="utf-8")
_urls = st.one_of(
    st.text(_url_chars, max_size=60),
    st.builds(
        lambda scheme, host, port, path, query, frag: f"{scheme}://{host}{port}{path}{query}{frag}",
        st.sampled_from(["http", "HTTPS", "Http", "ftp"]),
        st.from_regex(r"[A-Za-z0-9.\-\u00e0-\u00ff]{1,20}", fullmatch=True),
        st.sampled_from(["", ":80", ":443", ":8080", ":"]),
        st.text(_url_chars, max_size=30).map(lambda s: "/" + s),
        st.lists(st.tuples(st.sampled_from(["a", "utm_x", "B", "ref", "%7e", "q"]),
                           st.text(_url_chars, max_size=8)), max_size=4)
        .map(lambda kv: "?" + "&".join(f"{k}={v}" for k, v in kv)),
        st.sampled_from(["", "#", "#frag"]),
    ),
)


@settings(max_examples=150, deadline=None)
@given(_urls)
@example("http://a/%2e%2E/b/%2e/")
@example("http://a/b?%26=%3d&x=%zz%")
@example("http://\uff21.example/\ud7ff")
def test_canonicalize_is_idempotent_or_value_error(url: str) -> None:
    try:
        once = canonicalize_url(url)
    except ValueError:
        return
    assert canonicalize_url(once) == once
    assert amp_canonical(once) == amp_canonical(amp_canonical(once))
