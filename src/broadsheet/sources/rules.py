"""Change one source's rules: extraction selectors, feed-only, poll bounds, mode, pause.

``merge_source_settings`` is the one place these per-source settings are checked before
they are saved from the command line; a typed ``SourceSettings`` parser is meant to take
its place.
"""

from __future__ import annotations

from typing import Any

from broadsheet.errors import ExtractError, SourceError
from broadsheet.extract import ExtractRules, validate_rules
from broadsheet.store import Database
from broadsheet.store.sources import get_source, update_source


def merge_source_settings(current: dict[str, Any], *, keep: tuple[str, ...] = (),
                          drop: tuple[str, ...] = (), feed_only: bool | None = None,
                          min_interval: int | None = None,
                          max_interval: int | None = None) -> dict[str, Any]:
    """Return ``current`` with the given changes, or raise SourceError if the result is bad.

    ``keep`` and ``drop`` are CSS selectors (an empty one clears the rule); the selectors
    must parse and the shortest poll interval must not exceed the longest.
    """
    settings = dict(current)
    for key, given in (("extract_selector", keep), ("extract_remove", drop)):
        if given:
            settings[key] = ",".join(g for g in given if g.strip())
    try:
        validate_rules(ExtractRules(
            keep=tuple(x for x in settings.get("extract_selector", "").split(",") if x),
            drop=tuple(x for x in settings.get("extract_remove", "").split(",") if x)))
    except ExtractError as error:
        raise SourceError(f"sources: {error}") from None
    if feed_only is not None:
        settings["feed_only"] = feed_only
    for key, value in (("poll_min_interval", min_interval), ("poll_max_interval", max_interval)):
        if value is not None:
            settings[key] = value
    if settings.get("poll_min_interval", 0) > settings.get("poll_max_interval", 10**9):
        raise SourceError("sources: --min-interval is longer than --max-interval")
    return settings


def change_source_rules(db: Database, source_id: int, *, mode: str | None = None,
                        pause: bool | None = None, **rules: Any) -> None:
    """Save new rules for one source (``rules`` as ``merge_source_settings`` takes them).

    ``mode`` is 'full', 'excerpt' or 'default' (follow the site's); ``pause`` stops
    (True) or restarts (False) polling. SourceError for an unknown source or bad rules.
    """
    source = get_source(db, source_id)
    changes: dict[str, Any] = {"settings": merge_source_settings(source.settings, **rules)}
    if mode is not None:
        changes["publishing_mode"] = None if mode == "default" else mode
    if pause is not None:
        changes["status"] = "paused" if pause else "active"
    update_source(db, source_id, **changes)
