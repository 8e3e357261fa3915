"""Change one source's rules: extraction selectors, feed-only, poll bounds, mode, pause.

What may be saved is checked by ``settings.SourceSettings.apply``, as it is for the
admin form; this module turns the command line's flags into its changes.
"""

from __future__ import annotations

from typing import Any

from broadsheet.settings import SourceSettings
from broadsheet.store import Database
from broadsheet.store.sources import get_source, update_source


def change_source_rules(db: Database, source_id: int, *, mode: str | None = None,
                        pause: bool | None = None, keep: tuple[str, ...] = (),
                        drop: tuple[str, ...] = (), feed_only: bool | None = None,
                        min_interval: int | None = None,
                        max_interval: int | None = None) -> None:
    """Save new rules for one source; what is not given is left as it is.

    ``mode`` is 'full', 'excerpt' or 'default' (follow the site's); ``keep`` and ``drop``
    are CSS selectors (an empty one clears the rule); ``pause`` stops (True) or restarts
    (False) polling. SourceError for an unknown source or a change that cannot be saved.
    """
    source = get_source(db, source_id)
    given: dict[str, list[str] | int | str | None] = {"extract_selector": list(keep) or None, "extract_remove": list(drop) or None,
             "feed_only": feed_only, "poll_min_interval": min_interval,
             "poll_max_interval": max_interval, "publishing_mode": mode}
    changes: dict[str, list[str] | int | str | None] = {
        name: value for name, value in given.items() if value is not None}
    if mode == "default":
        changes["publishing_mode"] = None
    values: dict[str, Any] = SourceSettings.of(source).apply(changes).stored()
    if pause is not None:
        values["status"] = "paused" if pause else "active"
    update_source(db, source_id, **values)
