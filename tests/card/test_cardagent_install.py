"""The card agent installs on its own: a fresh virtualenv with only
``clients/cardagent/requirements.txt`` runs it, and the hub's packages are not there.
Slow (pyscard builds from source) and needs PyPI, gcc and libpcsclite-dev."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "clients" / "cardagent" / "requirements.txt"

pytestmark = [pytest.mark.card, pytest.mark.timeout(1200)]


def test_the_agent_needs_only_its_requirements(tmp_path: Path) -> None:
    venv = tmp_path / "agent-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)],
        capture_output=True,
        text=True,
        timeout=1000,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))},
        "PYTHONPATH": str(ROOT),
    }

    def run(code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [python, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    agent = run("import clients.cardagent.agent, clients.cardagent.__main__, smartcard.System")
    assert agent.returncode == 0, agent.stderr
    for hub_package in ("flask", "sqlalchemy", "authlib"):
        found = run(f"import {hub_package}")
        assert found.returncode != 0, f"{hub_package} is importable in the agent's venv"
        assert "ModuleNotFoundError" in found.stderr, found.stderr
