"""登入裝置 in words: a session's browser and system, read from its User-Agent with
ua-parser (the rules of the uap-core project)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ua_parser import parse


@dataclass(frozen=True)
class Device:
    #: e.g. "Chrome 120"; empty when unknown.
    browser: str
    #: e.g. "Windows 10", "iOS 17.2"; empty when unknown.
    system: str
    #: e.g. "iPhone"; empty for a computer or when unknown.
    device: str = ""


def _version(family: str, *parts: str | None) -> str:
    shown = ".".join(p for p in parts if p)
    return f"{family} {shown}" if shown else family


@lru_cache(maxsize=512)
def describe(user_agent: str) -> Device:
    result = parse(user_agent[:1000])
    agent, system, device = result.user_agent, result.os, result.device
    browser = _version(agent.family, agent.major) if agent and agent.family != "Other" else ""
    os_name = (
        _version(system.family, system.major, system.minor)
        if system and system.family != "Other"
        else ""
    )
    hardware = device.family if device and device.family not in ("Other", "Spider") else ""
    return Device(browser=browser, system=os_name, device=hardware)
