"""The demo newsroom lives on loopback, which the address guard refuses by default."""

from __future__ import annotations

from broadsheet.settings import Settings

DEMO_NETWORK = "127.0.0.1/32"
"""The network ``broadsheet demo`` allows so that its own newsroom can be fetched."""


def keep_demo_network(settings: Settings) -> None:
    """Write the demo newsroom's loopback network into the home's settings file.

    Keeping the exception in ``<home>/broadsheet.toml`` lets a later ``broadsheet update``
    or ``run`` on the demo data reach the newsroom. A value the user set anywhere (or a
    settings file of their own) is left alone.
    """
    origins = {name: origin for name, _value, origin in settings.rows()}
    path = settings.home_path / "broadsheet.toml"
    if origins["allowed_networks"] != "default" or settings.config not in ("", str(path)):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    separator = "" if not existing or existing.endswith("\n") else "\n"
    path.write_text(f'{existing}{separator}# added by `broadsheet demo`: its newsroom is on '
                    f'loopback\nallowed_networks = "{DEMO_NETWORK}"\n', encoding="utf-8")
