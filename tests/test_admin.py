"""The admin area over HTTP: sessions, CSRF, back-off, role boundaries, sources, tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from broadsheet.store.sources import add_source, get_source
from tests.servers import Reply, rss
from tests.webserver import LiveServer, add_articles, make_user, serve_app

PASSWORD = "correct horse battery"


@pytest.fixture
def live(db, settings) -> Iterator[LiveServer]:
    server = serve_app(db, settings)
    yield server
    server.stop()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(base: str, name: str, password: str = PASSWORD) -> tuple[requests.Session,
                                                                    requests.Response]:
    browser = requests.Session()
    form = browser.get(base + "/admin/login")
    response = browser.post(base + "/admin/login", data={
        "name": name, "password": password, "csrf_token": csrf_of(form.text)})
    return browser, response


def test_login_sets_a_safe_cookie_and_logout_is_post_only(db, live):
    make_user(db, "ed", "editor")
    browser, response = log_in(live.base_url, "ed")
    assert response.status_code == 200 and response.url.endswith("/admin/sources")
    cookie = response.history[0].headers["set-cookie"]
    assert "broadsheet_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = browser.get(live.base_url + "/admin/sources")
    assert "Log out" in page.text
    assert browser.get(live.base_url + "/admin/logout").status_code in (404, 405)
    browser.post(live.base_url + "/admin/logout", data={"csrf_token": csrf_of(page.text)})
    after = browser.get(live.base_url + "/admin/sources")
    assert after.url.endswith("/admin/login")


def test_csrf_is_required_on_every_form(db, live):
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    base = live.base_url
    for path, data in [("/admin/sources", {"url": "https://x.test/"}),
                       ("/admin/tokens", {"label": "x"}),
                       ("/admin/logout", {})]:
        assert browser.post(base + path, data=data).status_code == 403
        assert browser.post(base + path, data={**data, "csrf_token": "forged"}).status_code \
            == 403
    stranger = requests.Session()
    assert stranger.post(base + "/admin/login", data={"name": "ed", "password": PASSWORD}
                         ).status_code == 403
    assert "Log out" in browser.get(base + "/admin/sources").text  # still logged in


def test_brute_force_gets_growing_delays(db, live):
    make_user(db, "ed", "editor")
    statuses, waits = [], []
    for _ in range(6):
        _, response = log_in(live.base_url, "ed", "wrong password")
        statuses.append(response.status_code)
        waits.append(int(response.headers.get("retry-after", 0)))
    assert statuses[:2] == [401, 401] and 429 in statuses
    assert waits[2:] == sorted(waits[2:]) and waits[-1] >= 4
    _, right = log_in(live.base_url, "ed")
    assert right.status_code == 429  # even the right password waits out the lock


def test_role_boundaries(db, live):
    make_user(db, "rita", "reader")
    make_user(db, "ed", "editor")
    make_user(db, "ada", "admin")
    _, reader = log_in(live.base_url, "rita")
    assert reader.status_code == 403
    assert requests.get(live.base_url + "/admin/sources").url.endswith("/admin/login")
    editor, _ = log_in(live.base_url, "ed")
    assert editor.get(live.base_url + "/admin/users").status_code == 403
    assert editor.get(live.base_url + "/admin/audit").status_code == 403
    page = editor.get(live.base_url + "/admin/sources")
    refused = editor.post(live.base_url + "/admin/users", data={
        "csrf_token": csrf_of(page.text), "name": "mallory", "password": PASSWORD,
        "role": "admin"})
    assert refused.status_code == 403
    admin, _ = log_in(live.base_url, "ada")
    users = admin.get(live.base_url + "/admin/users")
    assert users.status_code == 200 and "mallory" not in users.text
    created = admin.post(live.base_url + "/admin/users", data={
        "csrf_token": csrf_of(users.text), "name": "nina", "password": PASSWORD,
        "role": "editor"})
    assert "Created nina" in created.text
    audit = admin.get(live.base_url + "/admin/audit").text
    assert "user.create" in audit and "session.login" in audit


def test_sources_add_edit_pause_and_health(db, live, server):
    server.route("/feed", Reply(body=rss([{"title": "One", "link": "http://x/1"}],
                                         title="Harbour News"),
                                headers={"Content-Type": "application/rss+xml"}))
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    page = browser.get(live.base_url + "/admin/sources")
    added = browser.post(live.base_url + "/admin/sources", data={
        "csrf_token": csrf_of(page.text), "url": server.url("/feed")})
    assert added.status_code == 200 and "Harbour News" in added.text
    source_id = int(re.search(r"/admin/sources/(\d+)", added.url).group(1))
    add_articles(db, source_id, 3)
    saved = browser.post(f"{live.base_url}/admin/sources/{source_id}", data={
        "csrf_token": csrf_of(added.text), "title": "Harbour", "status": "paused",
        "publishing_mode": "excerpt", "poll_min_interval": "600", "categories": "Local, Sea",
        "extract_selector": "article .body", "extract_remove": ".ad"})
    assert "Saved" in saved.text
    source = get_source(db, source_id)
    assert (source.title, source.status, source.publishing_mode) == ("Harbour", "paused",
                                                                     "excerpt")
    assert source.settings["categories"] == ["Local", "Sea"]
    assert source.settings["extract_selector"] == "article .body"
    bad = browser.post(f"{live.base_url}/admin/sources/{source_id}", data={
        "csrf_token": csrf_of(added.text), "poll_min_interval": "5"})
    assert "must be 60-604800" in bad.text
    health = browser.get(live.base_url + "/admin/health")
    assert "<svg" in health.text and "Articles per day: 3 in 30 days" in health.text


def test_a_bad_extraction_rule_is_refused_with_a_clear_message(db, live):
    source = add_source(db, "https://news.test/feed", "News")
    make_user(db, "ed", "editor")
    browser, page = log_in(live.base_url, "ed")
    form = {"csrf_token": csrf_of(page.text), "title": "News", "status": "active",
            "poll_min_interval": "600", "extract_selector": "article", "extract_remove": "div[["}
    refused = browser.post(f"{live.base_url}/admin/sources/{source.id}", data=form)
    assert "Not saved" in refused.text and "extract_remove: bad selector" in refused.text
    assert "div[[" in refused.text
    assert get_source(db, source.id).settings == {}  # nothing of the form was kept
    saved = browser.post(f"{live.base_url}/admin/sources/{source.id}",
                         data={**form, "extract_remove": ".promo"})
    assert "Saved" in saved.text
    assert get_source(db, source.id).settings == {
        "extract_selector": "article", "extract_remove": ".promo", "poll_min_interval": 600}


def test_failing_sources_come_first(db, live):
    from broadsheet.store.sources import update_source

    add_source(db, "https://fine.test/feed", "Fine")
    broken = add_source(db, "https://broken.test/feed", "Broken")
    update_source(db, broken.id, error_count=4, last_error="fetch: 500")
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    text = browser.get(live.base_url + "/admin/health").text
    assert text.index("Broken") < text.index("Fine") and "fetch: 500" in text


def test_tokens_shown_once_and_revocable_from_the_desk(db, live):
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    page = browser.get(live.base_url + "/admin/tokens")
    created = browser.post(live.base_url + "/admin/tokens", data={
        "csrf_token": csrf_of(page.text), "label": "laptop"})
    token = re.search(r'id="new-token">([^<]+)<', created.text).group(1)
    me = requests.get(live.base_url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["name"] == "ed"
    listing = browser.get(live.base_url + "/admin/tokens").text
    assert token not in listing
    token_id = re.search(r"/admin/tokens/(\d+)/revoke", listing).group(1)
    browser.post(f"{live.base_url}/admin/tokens/{token_id}/revoke",
                 data={"csrf_token": csrf_of(listing)})
    again = requests.get(live.base_url + "/api/v1/me",
                         headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401


def test_articles_can_be_hidden(db, live):
    source = add_source(db, "https://news.test/feed", "News")
    first, _ = add_articles(db, source.id, 2, extraction_method="feed",
                            extraction_error="extract: no article found")
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    page = browser.get(live.base_url + "/admin/articles")
    assert "extract: no article found" in page.text and "feed" in page.text
    browser.post(f"{live.base_url}/admin/articles/{first}/hide",
                 data={"csrf_token": csrf_of(page.text)})
    assert requests.get(f"{live.base_url}/api/v1/articles/{first}").status_code == 404
    browser.post(f"{live.base_url}/admin/articles/{first}/show",
                 data={"csrf_token": csrf_of(page.text)})
    assert requests.get(f"{live.base_url}/api/v1/articles/{first}").status_code == 200


def test_articles_can_be_re_extracted(db, live, server):
    import sqlalchemy as sa

    from broadsheet.store.articles import get_article
    from broadsheet.store.audit import recent_actions
    from broadsheet.store.schema import articles
    from tests.servers import page

    paragraphs = [f"Paragraph {n} of the harbour report tells the whole long story of the "
                  f"night the ferry came in late and the quay was full of people." for n in
                  range(8)]
    server.route("/story", Reply(body=page("Harbour report", paragraphs),
                                 headers={"Content-Type": "text/html; charset=utf-8"}))
    source = add_source(db, server.url("/feed"), "News")
    good, missing = add_articles(db, source.id, 2, extraction_method="feed",
                                 extraction_error="fetch: timed out")
    with db.begin() as connection:
        connection.execute(sa.update(articles).where(articles.c.id == good).values(
            canonical_url=server.url("/story")))
        connection.execute(sa.update(articles).where(articles.c.id == missing).values(
            canonical_url=server.url("/gone"), feed_link=None))
    server.route("/gone", Reply(status=404, body=b"gone"))
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    listing = browser.get(live.base_url + "/admin/articles")
    assert f"/admin/articles/{good}/reextract" in listing.text
    done = browser.post(f"{live.base_url}/admin/articles/{good}/reextract",
                        data={"csrf_token": csrf_of(listing.text)})
    assert done.status_code == 200 and "re-extracted from the page" in done.text
    article = get_article(db, good)
    assert article.extraction_method == "page" and article.extraction_error is None
    assert "ferry came in late" in article.text and "<p>" in article.html
    failed = browser.post(f"{live.base_url}/admin/articles/{missing}/reextract",
                          data={"csrf_token": csrf_of(listing.text)})
    assert failed.status_code == 200 and "re-extract failed" in failed.text
    assert "404" in get_article(db, missing).extraction_error
    assert get_article(db, missing).text.startswith("Paragraph 1")
    assert browser.post(f"{live.base_url}/admin/articles/{good}/reextract").status_code == 403
    assert [e for e in recent_actions(db) if e.action == "article.reextract"]


def _place(db, groups):
    """Put articles into stories directly: {story id: [article ids]}."""
    from broadsheet.store.articles import get_articles
    from broadsheet.store.stories import PlacedArticle, record_placements

    placed = []
    for story_id, ids in groups.items():
        for article in get_articles(db, ids):
            placed.append(PlacedArticle(article.id, story_id, article.published, None, b""))
    record_placements(db, placed)


def test_stories_merge_and_split(db, live):
    from broadsheet.store.stories import get_story, read_counter

    one = add_source(db, "https://one.test/feed", "One")
    two = add_source(db, "https://two.test/feed", "Two")
    a, b = add_articles(db, one.id, 2)
    c, d = add_articles(db, two.id, 2, start=2)
    _place(db, {a: [a, b], c: [c, d]})
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    page_ = browser.get(live.base_url + "/admin/stories")
    assert f"/admin/stories/{c}/merge" in page_.text
    assert f"/admin/stories/split/{d}" in page_.text
    version = read_counter(db, "version")
    merged = browser.post(f"{live.base_url}/admin/stories/{c}/merge",
                          data={"csrf_token": csrf_of(page_.text), "into": str(a)})
    assert f"Story {c} merged into story {a}" in merged.text
    assert get_story(db, c) is None and read_counter(db, "version") > version
    story = get_story(db, a)
    assert (story.article_count, story.source_count) == (4, 2)
    assert story.last_published > get_story(db, a).first_published
    bad = browser.post(f"{live.base_url}/admin/stories/{a}/merge",
                       data={"csrf_token": csrf_of(page_.text), "into": str(a)})
    assert "cannot be merged into itself" in bad.text
    split = browser.post(f"{live.base_url}/admin/stories/split/{d}",
                         data={"csrf_token": csrf_of(page_.text)})
    assert f"Article {d} is now story {d}" in split.text
    assert (get_story(db, a).article_count, get_story(db, d).article_count) == (3, 1)
    # Splitting out a story's founding article leaves the others under the next id.
    browser.post(f"{live.base_url}/admin/stories/split/{a}",
                 data={"csrf_token": csrf_of(page_.text)})
    assert get_story(db, a).article_count == 1
    rest = get_story(db, b)
    assert (rest.article_count, rest.source_count) == (2, 2)
    assert rest.title == "Story 1 about the harbour"
    assert browser.post(f"{live.base_url}/admin/stories/split/{a}").status_code == 403


def test_manual_edits_are_recorded_and_outlive_a_rebuild(db, live):
    from broadsheet.store.stories import article_place, story_edits_list, story_members
    from broadsheet.update.stories_step import assign_pending_stories, rebuild_stories

    one = add_source(db, "https://one.test/feed", "One")
    two = add_source(db, "https://two.test/feed", "Two")
    a, b = add_articles(db, one.id, 2)
    c, d = add_articles(db, two.id, 2, start=2)
    assign_pending_stories(db)
    before = {x: article_place(db, x).story_id for x in (a, b, c, d)}
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    page_ = browser.get(live.base_url + "/admin/stories")
    token = csrf_of(page_.text)
    if before[c] == before[a]:  # the clusterer joined them: the editor takes c out
        browser.post(f"{live.base_url}/admin/stories/split/{c}", data={"csrf_token": token})
        edits, together, apart = ["split"], (), (a, c)
    else:  # apart: the editor merges c's story into a's
        browser.post(f"{live.base_url}/admin/stories/{before[c]}/merge",
                     data={"csrf_token": token, "into": str(before[a])})
        edits, together, apart = ["merge"], (a, c), ()
    assert [e.kind for e in story_edits_list(db)] == edits
    add_articles(db, two.id, 1, start=4)  # a later placement: the desk reloads the edit
    assert assign_pending_stories(db) == 1
    for _ in range(2):  # as edited (and after that placement), then after a rebuild
        if together:
            assert article_place(db, a).story_id == article_place(db, c).story_id
            story = article_place(db, a).story_id
            reasons = {m.article.id: m.reason for m in story_members(db, story)}
            assert any(r and "merged by an editor" in r for r in reasons.values())
        if apart:
            assert article_place(db, a).story_id != article_place(db, c).story_id
        assert rebuild_stories(db) == 5
    assert [e.kind for e in story_edits_list(db)] == edits  # replaying records nothing new


def test_outlet_profiles_are_edited_with_citations(db, live):
    from broadsheet.store.outlets import get_outlet

    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    listing = browser.get(live.base_url + "/admin/outlets")
    assert listing.status_code == 200
    created = browser.post(live.base_url + "/admin/outlets", data={
        "csrf_token": csrf_of(listing.text), "name": "Harbour Gazette",
        "slug": "harbour-gazette"})
    assert "/admin/outlets/harbour-gazette?" in created.url and "Created" in created.text
    form = {"csrf_token": csrf_of(created.text), "name": "Harbour Gazette",
            "domains": "www.gazette.test, news.gazette.test", "country": "NO",
            "language": "nb", "ownership": "cooperative", "owner": "The readers",
            "citation_country": "https://example.org/about",
            "citation_owner": "javascript:alert(1)"}
    refused = browser.post(live.base_url + "/admin/outlets/harbour-gazette", data=form)
    assert "citation for owner must be an http" in refused.text
    assert get_outlet(db, "harbour-gazette").country is None
    saved = browser.post(live.base_url + "/admin/outlets/harbour-gazette", data={
        **form, "citation_owner": "http://example.org/owners"})
    assert "Saved" in saved.text
    outlet = get_outlet(db, "harbour-gazette")
    assert outlet.domains == ("gazette.test", "news.gazette.test")
    assert (outlet.country, outlet.language, outlet.ownership, outlet.owner) == (
        "NO", "nb", "cooperative", "The readers")
    assert outlet.citations == {"country": "https://example.org/about",
                                "owner": "http://example.org/owners"}
    assert "https://example.org/about" in browser.get(live.base_url + "/admin/outlets").text
    assert browser.post(live.base_url + "/admin/outlets/harbour-gazette",
                        data={**form, "csrf_token": "forged"}).status_code == 403


def test_polls_are_logged_and_plotted_as_fetch_time(db, live, server, settings):
    import sqlalchemy as sa

    from broadsheet.store.schema import poll_log
    from broadsheet.update.pipeline import run_update

    server.route("/feed", Reply(body=rss([{"title": "One", "link": "http://x/1",
                                           "guid": "one"}]),
                                headers={"Content-Type": "application/rss+xml"}))
    fine = add_source(db, server.url("/feed"), "Fine")
    broken = add_source(db, server.url("/missing"), "Broken")
    server.route("/missing", Reply(status=500, body=b"no"))
    run_update(db, settings.replace(fetch_pages=False), everything=True)
    with db.begin() as connection:
        rows = {r.source_id: r for r in connection.execute(sa.select(poll_log))}
    assert rows[fine.id].status == "ok" and rows[fine.id].new_articles == 1
    assert rows[broken.id].status == "error" and rows[broken.id].seconds >= 0
    assert rows[fine.id].seconds >= 0
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    health = browser.get(live.base_url + "/admin/health").text
    assert health.count("Fetch time: slowest day") == 2
    page_ = browser.get(f"{live.base_url}/admin/sources/{fine.id}").text
    assert "Fetch time: slowest day" in page_ and "1 of 30 days polled" in page_


def _plot_scale(svg: str) -> tuple[str, str, str]:
    """The labels of a plot's axes: top of the scale, first day, last day."""
    def text(kind: str) -> str:
        return re.search(rf'<text class="{kind}"[^>]*>([^<]*)</text>', svg).group(1)
    return text("y-top"), text("x-first"), text("x-last")


def _tallest_bar(svg: str) -> float:
    return max(float(h) for h in re.findall(r'<rect class="bar"[^>]*height="([\d.]+)"', svg))


def test_health_plots_share_a_labelled_scale(db, live):
    import datetime as dt

    from broadsheet.store import utcnow

    quiet = add_source(db, "https://quiet.test/feed", "Quiet")
    busy = add_source(db, "https://busy.test/feed", "Busy")
    add_articles(db, quiet.id, 2)
    add_articles(db, busy.id, 8, start=100)
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    html = browser.get(live.base_url + "/admin/health").text
    rows = {sid: html[html.index(f'id="source-{sid}"'):] for sid in (quiet.id, busy.id)}
    plots = {sid: re.findall(r"<svg.*?</svg>", row, re.S)[:2] for sid, row in rows.items()}
    today = utcnow().date()
    days = ((today - dt.timedelta(days=29)).isoformat(), today.isoformat())
    articles = {sid: plot[0] for sid, plot in plots.items()}
    fetches = {sid: plot[1] for sid, plot in plots.items()}
    # One scale for every source's articles, labelled with its unit; days under the axis.
    assert _plot_scale(articles[quiet.id]) == _plot_scale(articles[busy.id]) == \
        ("10/day", *days)
    assert _tallest_bar(articles[busy.id]) == pytest.approx(4 * _tallest_bar(articles[quiet.id]))
    assert "scale 0 to 10/day" in articles[quiet.id]
    assert _plot_scale(fetches[quiet.id])[0].endswith(" s")
    assert _plot_scale(fetches[quiet.id]) == _plot_scale(fetches[busy.id])
    # A source's own page uses the same scale as the health page.
    own = browser.get(f"{live.base_url}/admin/sources/{quiet.id}").text
    assert _plot_scale(re.search(r"<svg.*?</svg>", own, re.S).group(0)) == ("10/day", *days)
