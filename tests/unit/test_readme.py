"""The README stays true to the code: every setting and command is documented."""

from __future__ import annotations

import dataclasses
import re
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


ROOT = Path(__file__).resolve().parents[2]
#: Written while the hub or the benchmark runs, not kept in the repository.
MADE_AT_RUN_TIME = {"instance/", "bench/peers/", "bench/results/"}


def test_every_path_the_notes_name_exists() -> None:
    """README and ARCHITECTURE name files and folders of the tree in backticks; each is
    there."""
    notes = README + (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(
        re.findall(r"`((?:idp|tests|clients|policies|keys|docker|bench|tools)/[^`\s:]*)`", notes)
    )
    named |= set(re.findall(r"`((?:README|ARCHITECTURE)\.md)`", notes))
    assert len(named) > 20
    missing = sorted(p for p in named - MADE_AT_RUN_TIME if not any(ROOT.glob(p.rstrip("/"))))
    assert not missing, missing
