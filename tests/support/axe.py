"""axe-core in the browser tests: every HTML page a test's browser loads is checked once it
has loaded, and the test fails on any serious or critical violation.

axe-core comes from npm into ``tests/browser/axe/node_modules`` (``npm ci --prefix
tests/browser/axe``, which ``.ci/run`` does); it is added to every page before the page's
own scripts and reports back through a Playwright binding, which the page's Content
Security Policy does not stop (the hub's pages run as deployed).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

AXE = (
    Path(__file__).resolve().parents[1]
    / "browser"
    / "axe"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
INSTALL = "npm ci --prefix tests/browser/axe"
SEVERE = ("serious", "critical")

RUNNER = """
(() => {
  if (window.top !== window) return;
  window.__axeDone = false;
  window.addEventListener("load", () => {
    if (document.contentType !== "text/html") { window.__axeDone = true; return; }
    axe.run(document, { resultTypes: ["violations"] }).then(
      (result) => window.__axeReport(location.href, result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }))),
      (error) => window.__axeReport(location.href, [{ id: "axe-error", impact: "critical",
                                                     help: String(error), nodes: [] }]),
    ).finally(() => { window.__axeDone = true; });
  });
})();
"""


@dataclass
class AxeLog:
    """What axe found on each page checked, by address."""

    checked: list[str] = field(default_factory=list)
    violations: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def report(self, url: str, found: list[dict[str, Any]]) -> None:
        self.checked.append(url)
        self.violations.extend((url, v) for v in found)

    def summary(self) -> str:
        return "\n".join(
            f"{url}: {v['impact']} {v['id']} — {v['help']} at {', '.join(v['nodes'])}"
            for url, v in self.violations
        )


def watch(page: Page) -> AxeLog:
    """Check every page ``page`` loads from now on."""
    if not AXE.exists():
        raise RuntimeError(f"axe-core is missing: run `{INSTALL}` first")
    log = AxeLog()
    page.context.expose_binding("__axeReport", lambda _source, url, found: log.report(url, found))
    page.context.add_init_script(script=AXE.read_text(encoding="utf-8") + RUNNER)
    return log


def finish(page: Page, log: AxeLog) -> None:
    """Let the last page's check end, then fail on what was found."""
    # A page closed or navigating away has nothing left to wait for.
    with suppress(PlaywrightError):
        page.wait_for_function("window.__axeDone !== false", timeout=15_000)
    assert not log.violations, "axe-core found serious or critical violations:\n" + log.summary()
