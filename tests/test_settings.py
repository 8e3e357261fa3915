"""Settings: the site's typed table and one source's settings, each with one parser."""

from __future__ import annotations

import dataclasses
import logging
import typing
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.errors import ConfigError, SourceError
from broadsheet.settings import SETTINGS, GuidRotation, Settings, SourceSettings, load_settings

# --- the site's settings -----------------------------------------------------------------


def test_every_field_of_the_table_is_typed_as_its_default():
    hints = typing.get_type_hints(Settings)
    assert [s.name for s in SETTINGS] == [f.name for f in dataclasses.fields(Settings)
                                          if f.name != "origins"]
    for setting in SETTINGS:
        assert hints[setting.name] is setting.kind, setting.name
        assert setting.help


def test_defaults_need_nothing_and_derive_the_database_from_home():
    settings = Settings()
    assert settings.port == 8000 and settings.origin("port") == "default"
    assert settings.database_url == "sqlite:///data/broadsheet.db"
    assert Settings(home="/srv/news").database_url == "sqlite:////srv/news/broadsheet.db"


def test_precedence_is_default_file_env_flag(tmp_path):
    (tmp_path / "broadsheet.toml").write_text('port = 9000\nsite_title = "Evening"\n'
                                              'excerpt_words = 30\n')
    settings = load_settings({"home": str(tmp_path), "excerpt_words": 10},
                             environ={"BROADSHEET_PORT": "9100", "BROADSHEET_EXCERPT_WORDS": "20"})
    assert (settings.site_title, settings.port, settings.excerpt_words) == ("Evening", 9100, 10)
    assert settings.origin("site_title") == str(tmp_path / "broadsheet.toml")
    assert (settings.origin("port"), settings.origin("excerpt_words")) == ("env", "flag")
    assert settings.origin("host") == "default"


def test_a_bad_value_names_the_setting_and_where_it_came_from(tmp_path):
    with pytest.raises(ConfigError, match="port from env must be int, got 'eighty'"):
        load_settings({"home": str(tmp_path)}, environ={"BROADSHEET_PORT": "eighty"})
    with pytest.raises(ConfigError, match="publishing_mode must be 'full' or 'excerpt'"):
        load_settings({"home": str(tmp_path), "publishing_mode": "most"}, environ={})


def test_a_misspelt_setting_is_an_error(tmp_path):
    (tmp_path / "broadsheet.toml").write_text("prot = 9000\n")
    with pytest.raises(ConfigError, match="unknown setting.*: prot"):
        load_settings({"home": str(tmp_path)}, environ={})
    with pytest.raises(ConfigError, match="unknown setting.*: prot"):
        load_settings({"prot": 9000}, environ={})
    with pytest.raises(ConfigError, match="unknown setting.*: story_window_hours"):
        Settings().replace(story_window_hours=24)
    with pytest.raises(AttributeError):
        Settings().story_window_hours  # noqa: B018 - no fallback for names not in the table


def test_settings_are_frozen_and_replace_converts_like_a_flag():
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]
    changed = settings.replace(port="9000", fetch_pages="off", fetch_timeout=5)
    assert (changed.port, changed.fetch_pages, changed.fetch_timeout) == (9000, False, 5.0)
    assert changed.origin("port") == "flag" and settings.port == 8000
    assert dataclasses.replace(changed, host="0.0.0.0").origin("port") == "flag"
    with pytest.raises(ConfigError, match="port from flag must be int"):
        settings.replace(port="http")


def test_every_source_setting_is_in_the_settings_doc():
    text = (Path(__file__).resolve().parents[1] / "docs" / "settings.md").read_text()
    section = text.split("## Per-source settings", 1)[1]
    assert not [name for name in FIELDS if f"`{name}`" not in section]


def test_rows_list_every_setting_in_table_order():
    rows = Settings().replace(port=1).rows()
    assert [name for name, _value, _origin in rows] == [s.name for s in SETTINGS]
    assert ("port", 1, "flag") in rows


# --- one source's settings ----------------------------------------------------------------

SELECTORS = st.sampled_from(["p", "div.story", "#main", "article .body", "[data-ad]",
                             "main > p", "li:nth-child(2)", "a[href^='http']"])
SECONDS = st.integers(60, 7 * 86400)
NAMES = st.text(min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def source_settings(draw: st.DrawFn) -> SourceSettings:
    low, high = sorted(draw(st.lists(SECONDS, min_size=2, max_size=2)))
    return SourceSettings(
        publishing_mode=draw(st.sampled_from([None, "full", "excerpt"])),
        feed_only=draw(st.booleans()),
        extract_selector=tuple(draw(st.lists(SELECTORS, max_size=3))),
        extract_remove=tuple(draw(st.lists(SELECTORS, max_size=3))),
        poll_min_interval=draw(st.sampled_from([None, low])),
        poll_max_interval=draw(st.sampled_from([None, high])),
        categories=tuple(draw(st.lists(NAMES, max_size=3))),
        poll_interval=draw(st.none() | st.integers(0, 10**6)),
        feed_hint_seconds=draw(st.none() | st.integers(0, 10**6)),
        hub=draw(st.none() | st.just("https://hub.example/")),
        topic=draw(st.none() | st.just("https://news.example/feed")),
        guid_rotation=draw(st.none() | st.builds(GuidRotation, st.integers(0, 99),
                                                  st.just("2026-01-01T00:00:00+00:00"))),
        extra=draw(st.dictionaries(st.sampled_from(["future_key", "x"]), st.integers())))


JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**7), st.floats(),
                 st.text(max_size=20), st.lists(st.text(max_size=8), max_size=3),
                 st.sampled_from(["full", "excerpt", "600", "div[[", "p, .ad", ""]),
                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))
FIELDS = [f.name for f in dataclasses.fields(SourceSettings) if f.name != "extra"]


@given(source_settings())
def test_stored_json_reads_back_as_the_same_value(settings):
    assert SourceSettings.parse(settings.to_json()) == settings
    assert SourceSettings.read(settings.to_json()) == settings


@given(source_settings(), st.dictionaries(st.sampled_from([*FIELDS, "nope"]), JUNK, max_size=4))
def test_apply_never_yields_an_invalid_value(settings, changes):
    try:
        changed = settings.apply(changes)
    except SourceError as error:
        assert str(error).startswith("sources: ")
        return
    assert SourceSettings.parse(changed.to_json()) == changed
    low, high = changed.poll_min_interval, changed.poll_max_interval
    assert low is None or high is None or low <= high


@given(st.dictionaries(st.sampled_from([*FIELDS, "other"]), JUNK, max_size=6))
def test_reading_stored_json_never_fails_nor_loses_a_value(stored):
    settings = SourceSettings.read(stored)
    written = settings.to_json()
    defaults = SourceSettings()
    for name in stored:  # each is written back, or was a way of saying "the default"
        assert name in written or getattr(settings, name) == getattr(defaults, name), name


def test_parse_names_the_field_that_is_wrong():
    with pytest.raises(SourceError, match="sources: poll_min_interval: must be 60-604800"):
        SourceSettings.parse({"poll_min_interval": 5})
    with pytest.raises(SourceError, match="sources: extract_selector: bad selector 'div\\[\\['"):
        SourceSettings.parse({"extract_selector": "article, div[["})
    with pytest.raises(SourceError, match="sources: publishing_mode: must be full or excerpt"):
        SourceSettings.parse({"publishing_mode": "summary"})
    with pytest.raises(SourceError, match="poll_min_interval is longer than poll_max_interval"):
        SourceSettings.parse({"poll_min_interval": 900, "poll_max_interval": 600})


def test_form_text_and_json_values_parse_alike():
    from_form = SourceSettings().apply({
        "publishing_mode": "excerpt", "poll_min_interval": " 600 ", "poll_max_interval": "",
        "categories": "Local, Sea", "extract_selector": "article .body", "extract_remove": ""})
    from_json = SourceSettings.parse({"publishing_mode": "excerpt", "poll_min_interval": 600,
                                      "categories": ["Local", "Sea"],
                                      "extract_selector": ["article .body"]})
    assert from_form == from_json
    assert from_form.stored() == {"publishing_mode": "excerpt", "settings": {
        "extract_selector": "article .body", "poll_min_interval": 600,
        "categories": ["Local", "Sea"]}}


def test_apply_lists_every_problem_and_refuses_unknown_names():
    with pytest.raises(SourceError) as refused:
        SourceSettings().apply({"extract_remove": "p[[", "poll_max_interval": "soon",
                                "extract_selecter": ".x"})
    message = str(refused.value)
    assert "unknown setting(s): extract_selecter" in message
    assert "extract_remove: bad selector 'p[['" in message
    assert "poll_max_interval: must be 60-604800 seconds" in message


def test_apply_clears_with_none_or_empty_text():
    settings = SourceSettings.parse({"poll_min_interval": 600, "extract_remove": ".ad",
                                     "publishing_mode": "full"})
    cleared = settings.apply({"poll_min_interval": "", "extract_remove": None,
                              "publishing_mode": ""})
    assert cleared == SourceSettings() and cleared.to_json() == {}


def test_unknown_stored_keys_are_kept_and_written_back():
    stored = {"categories": ["World"], "written_by_a_newer_version": {"a": 1}}
    settings = SourceSettings.parse(stored)
    assert settings.categories == ("World",)
    assert settings.extra == {"written_by_a_newer_version": {"a": 1}}
    assert settings.apply({"feed_only": True}).to_json() == {**stored, "feed_only": True}


def test_a_bad_stored_value_is_logged_and_its_default_used_but_kept(caplog):
    stored = {"extract_remove": "p[[", "poll_min_interval": 900, "poll_max_interval": 600,
              "feed_only": True}
    with caplog.at_level(logging.WARNING, logger="broadsheet.settings"):
        settings = SourceSettings.read(stored, "https://news.example/feed")
    assert settings.feed_only and settings.extract_remove == ()
    assert settings.poll_min_interval is None and settings.poll_max_interval is None
    assert settings.to_json() == stored  # nothing a person stored is lost
    assert any(r.source_url == "https://news.example/feed" and "p[[" in r.getMessage()
               for r in caplog.records)
    fixed = settings.apply({"extract_remove": ".ad"})
    assert fixed.extract_remove == (".ad",) and fixed.to_json()["extract_remove"] == ".ad"


def test_every_value_is_valid_by_construction():
    with pytest.raises(SourceError, match="extract_remove: bad selector"):
        SourceSettings(extract_remove=("div[[",))
    assert SourceSettings(extract_remove=(" .a , .b",)).extract_remove == (".a", ".b")


def test_of_reads_a_stored_source_with_its_publishing_mode_column():
    from broadsheet.types import Source

    source = Source(id=1, url="https://news.example/feed", publishing_mode="excerpt",
                    settings={"feed_only": True, "guid_rotation": {"count": 2, "last_seen": "x"}})
    settings = SourceSettings.of(source)
    assert settings.publishing_mode == "excerpt" and settings.feed_only
    assert settings.guid_rotation == GuidRotation(2, "x")
    assert settings.stored() == {"publishing_mode": "excerpt", "settings": source.settings}
