"""Three page bodies with different markup, so extraction is not tuned to one template.

Layout 0 is a classic newspaper (``article.story``), layout 1 a modern CMS with BEM
class names and the sidebar *before* the article, layout 2 a blog-like theme where
the site name is the ``h1`` and the lead figure sits after the first paragraph.
Every layout carries the site chrome of ``_chrome`` just above its article container,
inside it before the headline and at its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from broadsheet.demo._chrome import Chrome
from broadsheet.demo.generate import DemoArticle, Outlet


@dataclass(frozen=True)
class Page:
    """Everything a layout needs besides the article itself."""

    outlet: Outlet
    article: DemoArticle
    weather: str
    today: str
    popular: list[tuple[str, str]]
    sections: tuple[str, ...]
    related_image: str
    related_credit: str
    chrome: Chrome


def _nav(page: Page, cls: str) -> str:
    links = "".join(f'<li><a href="/{page.outlet.slug}/{s.lower()}/">{s}</a></li>'
                    for s in page.sections)
    return f'<nav class="{cls}"><ul>{links}</ul></nav>'


def _cookie(cls: str) -> str:
    return (f'<div class="{cls}" role="dialog">We use cookies to improve your experience '
            "and to show you relevant offers. <button>Accept all</button> "
            "<button>Manage preferences</button></div>")


def _share(cls: str) -> str:
    return (f'<div class="{cls}"><span>Share this story</span> <a href="#">Share on Mastodon</a>'
            ' <a href="#">Share on Bluesky</a> <a href="#">Share by email</a> '
            '<button>Copy link</button></div>')


def _widget(page: Page, cls: str) -> str:
    return f'<div class="{cls}"><span>{page.today}</span> <span>{escape(page.weather)}</span></div>'


def _read_more(page: Page, cls: str) -> str:
    """The box between paragraphs; its tag varies, as real CMSs vary."""
    title, image, credit = (escape(page.article.related_title), page.related_image,
                            escape(page.related_credit))
    if cls == "read-more":
        return (f'<aside class="{cls}"><strong>Read more</strong> <a href="#">{title}</a>'
                f'<img src="{image}" alt="" width="160" height="90">'
                f'<small class="credit">{credit}</small></aside>')
    if cls == "inline-promo":
        return (f'<div class="{cls}"><img src="{image}" alt="" width="160" height="90">'
                f'<span class="{cls}__credit">{credit}</span><span class="{cls}__label">'
                f'Read more</span> <a class="{cls}__link" href="#">{title}</a></div>')
    return (f'<div class="{cls}"><p><strong>Read more:</strong> <a href="#">{title}</a></p>'
            f'<p><img src="{image}" alt="" width="160" height="90"><br>{credit}</p></div>')


def _figure(page: Page, cls: str, credit_cls: str) -> str:
    a = page.article
    return (f'<figure class="{cls}"><img src="{a.image_path}" alt="{escape(a.image_caption)}" '
            f'width="1200" height="675"><figcaption>{escape(a.image_caption)} '
            f'<span class="{credit_cls}">{escape(a.image_credit)}</span></figcaption></figure>')


def _paragraphs(page: Page, box_cls: str, figure: str = "") -> str:
    """The story's paragraphs with the "Read more" box (and maybe the figure) inside."""
    parts = [f"<p>{escape(p)}</p>" for p in page.article.paragraphs]
    parts.insert(min(3, len(parts)), _read_more(page, box_cls))
    if figure:
        parts.insert(1, figure)
    return "".join(parts)


def _bio(page: Page, cls: str) -> str:
    tag = page.article.tags[0] if page.article.tags else "the region"
    return (f'<div class="{cls}"><img src="/img/authors/{escape(page.article.author)}.svg" '
            f'alt=""><p><b>{escape(page.article.author)}</b> is a reporter for '
            f"{escape(page.outlet.name)} covering {escape(tag)}. Contact them with tips "
            "through our secure form.</p></div>")


def _popular(page: Page, cls: str) -> str:
    items = "".join(f'<li><a href="{escape(url)}">{escape(title)}</a></li>'
                    for title, url in page.popular)
    return f'<aside class="{cls}"><h2>Most Popular</h2><ol>{items}</ol></aside>'


def _newsletter(cls: str) -> str:
    return (f'<form class="{cls}" action="#"><h3>Sign up for the morning briefing</h3>'
            "<p>The day's top stories in your inbox every morning.</p>"
            '<input type="email" placeholder="Your email address"><button>Sign up</button></form>')


def _footer(page: Page, cls: str) -> str:
    return (f'<footer class="{cls}"><p>© {page.today[-4:]} {escape(page.outlet.name)}. '
            f"{escape(page.outlet.name)} is {escape(page.outlet.ownership)}.</p>"
            '<p><a href="#">About us</a> · <a href="#">Contact</a> · <a href="#">Privacy</a>'
            " · <a href=\"#\">Terms</a></p></footer>")


def _time(page: Page) -> str:
    published = page.article.published
    return (f'<time datetime="{published.isoformat()}">'
            f"{published:%d %B %Y, %H:%M} (UTC{published:%z})</time>")


def _classic(page: Page) -> str:
    a = page.article
    return (
        f'{_cookie("cookie-notice")}<div class="site-wrap"><header class="masthead">'
        f'{_widget(page, "masthead__today")}<a class="logo" href="/{page.outlet.slug}/">'
        f'{escape(page.outlet.name)}</a>{_nav(page, "main-nav")}</header>'
        f'<div class="content">{page.chrome.above}<article class="story">{page.chrome.inside}'
        f'<h1 class="story-title">'
        f'{escape(a.title)}</h1><p class="byline">By <a rel="author" href="#">'
        f'{escape(a.author)}</a> · {_time(page)}</p>{_share("share-bar")}'
        f'{_figure(page, "lead-image", "credit")}<div class="story-body">'
        f'{_paragraphs(page, "read-more")}</div>{_bio(page, "author-bio")}{page.chrome.after}</article>'
        f'{_popular(page, "most-popular")}</div>{_newsletter("newsletter")}'
        f'{_footer(page, "site-footer")}</div>'
    )


def _modern(page: Page) -> str:
    a = page.article
    return (
        f'<div id="app"><div class="topbar">{_widget(page, "topbar__weather")}</div>'
        f'<header class="header"><div class="header__brand">{escape(page.outlet.name)}</div>'
        f'{_nav(page, "header__nav")}</header><div class="layout">'
        f'<div class="layout__rail">{_popular(page, "rail__popular")}'
        f'{_newsletter("rail__newsletter")}</div><main id="content" class="layout__main">'
        f'{page.chrome.above}<div class="article"><div class="article__header">{page.chrome.inside}'
        f'<span class="article__kicker">'
        f'{escape(a.tags[0] if a.tags else "News")}</span><h1 class="article__headline">'
        f'{escape(a.title)}</h1><div class="article__meta"><span class="article__author">'
        f'{escape(a.author)}</span> {_time(page)}</div>'
        f'{_figure(page, "article__media", "article__credit")}</div>'
        f'<div class="article__content" itemprop="articleBody">'
        f'{_paragraphs(page, "inline-promo")}</div>{_share("article__share")}'
        f'{_bio(page, "article__bio")}{page.chrome.after}</div></main></div>'
        f'{_footer(page, "footer")}{_cookie("consent-banner")}</div>'
    )


def _blog(page: Page) -> str:
    a = page.article
    figure = _figure(page, "wp-block-image", "photo-credit")
    return (
        f'<div id="page">{_cookie("gdpr-popup")}<div class="site-header">'
        f'<h1 class="site-title"><a href="/{page.outlet.slug}/">{escape(page.outlet.name)}</a>'
        f'</h1>{_widget(page, "header-weather")}</div>{_nav(page, "menu")}'
        f'<div id="primary">{page.chrome.above}<div class="entry">{page.chrome.inside}'
        f'<h2 class="entry-title">{escape(a.title)}</h2>'
        f'<div class="entry-meta">Posted on {_time(page)} by <span class="author vcard">'
        f'{escape(a.author)}</span></div>{_share("sharedaddy")}<section class="entry-content">'
        f'{_paragraphs(page, "related-post", figure)}</section>'
        f'{_bio(page, "entry-author")}{page.chrome.after}</div></div><div id="secondary">'
        f'{_popular(page, "widget popular-posts")}{_newsletter("widget subscribe")}</div>'
        f'{_footer(page, "site-info")}</div>'
    )


_LAYOUTS = (_classic, _modern, _blog)


def render_layout(layout: int, page: Page) -> str:
    """Return the ``<body>`` content of an article page in layout ``layout`` (0, 1 or 2)."""
    return _LAYOUTS[layout % len(_LAYOUTS)](page)
