"""Constants and helpers shared by the browser tests (conftest holds the fixtures)."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
MINI_SEED = TESTS.parent / "fixtures" / "mini_seed"
AXE_SCRIPT = TESTS / "vendor" / "axe.min.js"
SCREENSHOTS = TESTS.parents[1] / "docs" / "screenshots"
EDITOR_TOKEN = "e2e-editor-token"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def run_axe(page) -> list[dict]:
    """Inject the vendored axe-core and return its serious and critical violations."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate("async () => await axe.run(document)")
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    """One line per violation: rule, impact, advice and the first few offending elements."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )


def sign_in(page, token: str = EDITOR_TOKEN) -> None:
    """Sign the page's browser context in once, as a person would, with an editor token."""
    page.goto("/sign-in")
    page.get_by_label("Editor token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").first.wait_for()
