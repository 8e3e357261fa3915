"""The site in real headless Chromium: phone and desktop, light and dark, axe-core clean."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}
LOOKS = [("phone", "light"), ("desktop", "light"), ("phone", "dark"), ("desktop", "dark")]


class Watched:
    """A page with every console error and uncaught exception recorded."""

    def __init__(self, page: object):
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture(params=LOOKS, ids=[f"{w}-{s}" for w, s in LOOKS])
def watched(request, browser, live_site) -> Iterator[tuple[Watched, str]]:
    width, scheme = request.param
    context = browser.new_context(viewport=VIEWPORTS[width], color_scheme=scheme)
    page = context.new_page()
    yield Watched(page), f"{width}-{scheme}"
    context.close()


def serious_violations(page: object, axe_source: str) -> list[str]:
    page.evaluate(axe_source)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in result
            if v["impact"] in ("serious", "critical")]


def check_page(watched: Watched, look: str, live_site: dict, axe_source: str, path: str,
               name: str) -> object:
    page = watched.page
    response = page.goto(live_site["base"] + path, wait_until="networkidle")
    assert response.status == 200
    page.screenshot(path=str(live_site["output"] / f"{name}-{look}.png"), full_page=True)
    assert watched.errors == [], watched.errors
    assert serious_violations(page, axe_source) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), \
        "the page scrolls sideways"
    for landmark in ("banner", "main", "contentinfo", "search"):
        assert page.get_by_role(landmark).count() >= 1, landmark
    return page


def test_front_page(watched, live_site, axe_source):
    w, look = watched
    page = check_page(w, look, live_site, axe_source, "/", "front")
    assert page.get_by_role("heading", name="Top stories").is_visible()
    assert page.get_by_role("heading", name="Most popular").is_visible()
    assert "Lisbon" in page.locator(".dateline").inner_text()


def test_article_page(watched, live_site, axe_source):
    w, look = watched
    wall = live_site["ids"]["wall"]
    page = check_page(w, look, live_site, axe_source, f"/articles/{wall}", "article")
    image = page.locator("figure.lead img")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "Photo: Jo Lens" in page.locator("figure.lead figcaption").inner_text()
    assert page.get_by_role("link", name="Read the original").get_attribute("href") == \
        "https://wall.test/story"


def test_search_page(watched, live_site, axe_source):
    w, look = watched
    page = check_page(w, look, live_site, axe_source, "/search?q=harbour", "search")
    assert page.locator("mark").count() >= 1


def test_keyboard_reaches_content_and_search_works(browser, live_site):
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    watched = Watched(page)
    page.goto(live_site["base"] + "/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to content" and skip.is_visible()
    page.get_by_label("Search articles").fill('"ferry timetable"')
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert page.get_by_role("link", name="Ferry timetable changes from Monday").is_visible()
    page.get_by_role("link", name="Ferry timetable changes from Monday").click()
    page.get_by_role("link", name="Transport").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Tagged “Transport”"
    assert watched.errors == []
    context.close()
