"""The container files, checked without Docker (which this machine cannot reach): the
compose file against the compose-spec JSON schema, the Dockerfile with hadolint, and
what the deployment needs of both."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is installed with the dev extra"
    return found


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    return document


def test_compose_file_follows_the_compose_spec() -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "compose.yaml"],
        cwd=DOCKER,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [tool("hadolint"), "--failure-threshold", "info", "Dockerfile"],
        cwd=DOCKER,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_multi_stage_non_root_with_a_health_check() -> None:
    text = (DOCKER / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]
    assert len(stages) >= 2
    final = stages[-1]
    assert re.search(r"^USER (?!root|0\b)\S+", final, re.MULTILINE)
    assert "HEALTHCHECK" in final and "/healthz" in final
    # Build tools stay in the build stage: nothing is compiled or installed in the final.
    for word in ("gcc", "build-essential", "apt-get install", "pip install"):
        assert word not in final, word
    assert "COPY --from=build" in final


def test_compose_has_the_production_topology() -> None:
    document = compose()
    services = document["services"]
    replicas = [name for name, s in services.items() if s.get("command") is None and "build" in s]
    assert len(replicas) >= 2, replicas
    for name in replicas:
        environment = services[name]["environment"]
        assert environment["IDP_ISSUER"].startswith("https://")
        assert environment["IDP_WORKER"] == "process"
        assert environment["IDP_TRUSTED_PROXIES"] == "172.16.0.0/12"  # nginx's network
        assert "IDP_SECRET_KEY" in environment
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["migrate"]["command"] == ["idp", "init"]
    assert services["migrate"]["restart"] == "no"
    assert services["worker"]["command"] == ["idp", "worker"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "mail" in services and "demo" in services and "demo-load" in services
    nginx = (DOCKER / "nginx" / "onedoor.conf").read_text()
    assert "listen 8443 ssl" in nginx
    for name in replicas:
        assert f"server {name}:8000" in nginx
    assert "X-Request-Id" in nginx and "X-Forwarded-Proto" in nginx
