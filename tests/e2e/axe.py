"""Accessibility checks with axe-core, as bundled by axe-playwright-python (no network needed).

axe-playwright-python injects axe with `page.evaluate(<axe.min.js source>)`. Playwright evaluates
through the DevTools protocol, which the page's Content-Security-Policy does not govern, so the
strict policy (no inline script) stays on and the browser context needs no `bypass_csp`.
"""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

_axe = Axe()


def _describe(violation: dict) -> str:
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']}  <{violation['helpUrl']}>"]
    for node in violation["nodes"]:
        # A target is a list of selectors; nested lists step into iframes or shadow roots.
        target = " >>> ".join(s if isinstance(s, str) else " ".join(s) for s in node["target"])
        lines.append(f"    {target}  [{node.get('impact')}]")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail listing every serious or critical WCAG 2.1 A/AA violation axe finds on the page as shown."""
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_21_A_AA}, "resultTypes": ["violations"]},
    )
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"Accessibility violations on {page.url}:\n" + "\n".join(map(_describe, blocking))
