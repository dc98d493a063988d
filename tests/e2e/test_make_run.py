"""``make run`` on a machine with Python alone: in a copy of the tree, with a virtualenv
of its own, it installs the hub's packages — not the card extra, and nothing that needs a
compiler (``CC`` and ``CXX`` are ``false``, so pyscard, which builds against
libpcsclite, could not come in) — then the hub and the three demo subsystems answer.
Slow: the packages come from the package index."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from ..support.demo import three_free_ports
from ..support.hub import free_port

ROOT = Path(__file__).resolve().parents[2]
LEFT_OUT = shutil.ignore_patterns(
    ".venv", ".git", "instance", "__pycache__", "*.egg-info", "build", ".*_cache", "results"
)

pytestmark = pytest.mark.timeout(1500)


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("make run stopped:\n" + log.read_text()[-5000:])
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise AssertionError(f"{url} did not answer:\n" + log.read_text()[-5000:])


def test_make_run_needs_python_alone(tmp_path: Path) -> None:
    tree = tmp_path / "onedoor"
    shutil.copytree(ROOT, tree, ignore=LEFT_OUT)
    hub_port, rp_port = free_port(), three_free_ports()
    python = shutil.which("python3", path="/usr/local/bin:/usr/bin") or "python3"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("IDP_", "VIRTUAL_ENV"))},
        "CC": "false",
        "CXX": "false",
        "DEMO_HUB_PORT": str(hub_port),
        "DEMO_RP_PORT": str(rp_port),
    }
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["make", "run", f"PYTHON={python}"],
            cwd=tree,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        hub = f"http://127.0.0.1:{hub_port}"
        wait_for(hub + "/", process, log, seconds=1200)
        for offset in range(3):
            wait_for(f"http://127.0.0.1:{rp_port + offset}/", process, log, seconds=60)
        assert "服務登入" in requests.get(hub + "/", timeout=5).text
        names = [requests.get(f"http://127.0.0.1:{rp_port + n}/", timeout=5).text for n in range(3)]
        assert "婦幼健康管理整合系統" in names[0]
        assert "癌症篩檢與追蹤管理資訊整合系統" in names[1]
        assert "戒菸服務系統" in names[2]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
    venv_python = str(tree / ".venv" / "bin" / "python")
    installed = subprocess.run(
        [venv_python, "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.lower()
    assert "flask==" in installed and "onedoor==" in installed
    for card_package in ("pyscard", "python-pkcs11", "pytest", "playwright"):
        assert f"{card_package}==" not in installed, card_package
