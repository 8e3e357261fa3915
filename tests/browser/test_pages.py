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


# Where the clock and its zone label ("17:40 UTC-05:00") fall on screen, one entry per
# label: the distinct line tops of the label's text, measured with a Range.
_ZONE_LINES = """() => [...document.querySelectorAll('time')].map(time => {
    const walker = document.createTreeWalker(time, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    const text = nodes.map(n => n.data).join('');
    const at = text.search(/\\d\\d:\\d\\d UTC/);
    if (at < 0) return null;  // a date without a clock
    const range = document.createRange();
    let seen = 0;
    for (const node of nodes) {
        const end = seen + node.data.length;
        if (at >= seen && at < end) range.setStart(node, at - seen);
        if (end >= text.length) range.setEnd(node, node.data.length);
        seen = end;
    }
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                           .map(r => Math.round(r.top)));
    return [text.slice(at), tops.size];
}).filter(Boolean)"""


def test_a_clock_and_its_zone_label_stay_on_one_line(browser, tmp_path):
    from broadsheet.store import open_database
    from broadsheet.web import make_web_app
    from tests.browser.live import LiveServer, seed
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, timezone="America/New_York")
    db = open_database(settings.database_url, upgrade=True)
    ids = seed(db)
    server = LiveServer(make_web_app(db, settings)).start()
    context = browser.new_context(viewport={"width": 400, "height": 800})
    page = context.new_page()
    try:
        labels_seen = set()
        for path in ("/", f"/articles/{ids['wall']}", f"/sources/{ids['harbour_source']}"):
            page.goto(server.base_url + path)
            for width in range(200, 420, 3):
                page.set_viewport_size({"width": width, "height": 800})
                for label, lines in page.evaluate(_ZONE_LINES):
                    labels_seen.add(label.split(" ", 1)[1])
                    assert lines == 1, f"{label!r} breaks across lines at {width}px on {path}"
        assert {"UTC-04:00", "UTC-05:00"} & labels_seen and "UTC+02:00" in labels_seen
    finally:
        context.close()
        server.stop()
        db.close()
