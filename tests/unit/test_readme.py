"""The README stays true to the code: every setting and command is documented."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from idp.cli import main
from idp.config import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    for f in dataclasses.fields(Settings):
        assert f"`IDP_{f.name.upper()}`" in README, f.name


def test_every_command_is_documented() -> None:
    for name, command in main.commands.items():
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for sub in subcommands:
                assert f"idp {name} {sub}" in README, f"idp {name} {sub}"
        else:
            assert f"idp {name}" in README, name


def test_the_two_commands_come_first() -> None:
    assert README.index("make run") < README.index("## ")
    assert README.index("make test") < README.index("## ")
