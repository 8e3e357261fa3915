"""The documentation is kept honest by tests: every setting and command is documented."""

from __future__ import annotations

from pathlib import Path

import click

from broadsheet.cli import cli
from broadsheet.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_the_settings_doc():
    text = (ROOT / "docs" / "settings.md").read_text()
    missing = [s.name for s in SETTINGS
               if f"`{s.name}`" not in text or f"BROADSHEET_{s.name.upper()}" not in text]
    assert not missing, f"docs/settings.md lacks {missing}"


def test_every_command_is_in_the_readme():
    text = (ROOT / "README.md").read_text()
    missing = []
    for name, command in cli.commands.items():
        if f"broadsheet {name}" not in text:
            missing.append(name)
        if isinstance(command, click.Group):
            missing += [f"{name} {sub}" for sub in command.commands
                        if f"broadsheet {name} {sub}" not in text]
    assert not missing, f"README.md does not mention: {missing}"


def test_readme_opens_with_the_two_commands():
    first = (ROOT / "README.md").read_text().split("```")[1]
    assert "make demo" in first and "make test" in first
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_architecture_names_every_stage():
    text = (ROOT / "docs" / "architecture.md").read_text()
    stages = [p.name for p in (ROOT / "src" / "broadsheet").iterdir()
              if p.is_dir() and (p / "__init__.py").exists()]
    missing = [s for s in stages if f"`{s}/`" not in text]
    assert not missing, f"docs/architecture.md does not describe {missing}"
