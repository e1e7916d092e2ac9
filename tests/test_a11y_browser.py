"""WCAG 2.1 AA in a real browser: every page of a real annual run (2020 on data/sample), in the system's Chromium
driven by Playwright, checked by axe-core (the copy that the PyPI package axe-playwright-python ships).

- 0 axe-core violations under the tags wcag2a, wcag2aa, wcag21a and wcag21aa, at 1280 and 390 px wide;
- no sideways scroll at 320 px (WCAG 1.4.10 reflow);
- print media: no sideways overflow at the A4 text width, and no word inside a table cell broken across lines
  ("Krit/eri/um", "FF-FA/M-2").

Chromium is the Debian package ``chromium`` (``.ci/run`` installs it; ``playwright install`` is never run: the
browser is the system's). Without it these tests are skipped with the reason on a developer's machine, and
``python3 dev.py test`` says so loudly; under CI (``CI=true``) they fail instead (tests/a11y_run.py).
"""

from __future__ import annotations

import pytest

from a11y_run import require_chromium, shared_run

pytestmark = pytest.mark.notebooks

WIDTHS = (1280, 390)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: A4 (210 mm) less board.css's @page margins of 1,5 cm on each side, in CSS px (96 per inch)
PRINT_WIDTH = round((210 - 30) / 25.4 * 96)


def _pages() -> list[str]:
    from helhedsplan_eval.run.runner import NOTEBOOKS

    return ["index.html", "tilgaengelighed.html", *[s.html_name for s in NOTEBOOKS], "../index.html"]


PAGES = _pages()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return shared_run(tmp_path_factory)


@pytest.fixture(scope="module")
def browser():
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield b
        b.close()


def _open(browser, report, page: str, width: int, media: str = "screen"):
    tab = browser.new_page(viewport={"width": width, "height": 900})
    tab.emulate_media(media=media)
    path = (report / page).resolve()
    assert path.is_file(), f"{page} is missing in the run's output"
    tab.goto(path.as_uri())
    return tab


def _axe(tab) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(tab, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return result.response["violations"]


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({len(v['nodes'])}): {v['help']}")
        for node in v["nodes"][:3]:
            lines.append(f"    {node['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES)
def test_no_axe_violations(browser, report, page, width):
    tab = _open(browser, report, page, width)
    try:
        violations = _axe(tab)
    finally:
        tab.close()
    assert violations == [], f"{page} at {width} px:\n{_describe(violations)}"


@pytest.mark.parametrize("page", PAGES)
def test_no_sideways_scroll_at_320_px(browser, report, page):
    tab = _open(browser, report, page, 320)
    try:
        wide = tab.evaluate("""() => { const d = document.documentElement;
            const over = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > d.clientWidth + 1
                && getComputedStyle(e).display !== 'none' && !e.closest('.visually-hidden, thead'));
            return [d.scrollWidth, d.clientWidth, over.slice(0, 3).map(e => e.outerHTML.slice(0, 120))]; }""")
    finally:
        tab.close()
    scroll, client, examples = wide
    assert scroll <= client, f"{page} scrolls sideways at 320 px ({scroll} > {client}): {examples}"


@pytest.mark.parametrize("page", PAGES)
def test_print_media_fits_and_breaks_no_word_in_a_cell(browser, report, page):
    tab = _open(browser, report, page, PRINT_WIDTH, media="print")
    try:
        scroll, client = tab.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        broken = tab.evaluate("""() => {
            const out = [];
            for (const cell of document.querySelectorAll('td, th')) {
                const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
                for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                    // a word: letters and digits between spaces, hyphens, dashes, slashes and soft hyphens
                    // (a line may end after a hyphen: "TT-SKUR-" / "1"; never inside "Kriterium" or "FAM")
                    const re = /[^\\s\\-\u2010-\u2015\\/\u00ad]+/g; let m;
                    while ((m = re.exec(n.data)) !== null) {
                        const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
                        // (Chromium gives the hyphen drawn at a soft hyphen's break, 3 px wide, to the next syllable)
                        const lines = new Set([...r.getClientRects()].filter(x => x.width > 4).map(x => Math.round(x.top)));
                        if (lines.size > 1) out.push(m[0]);
                    }
                }
            }
            return out.slice(0, 10); }""")
    finally:
        tab.close()
    assert scroll <= client, f"{page} is wider than the printed page ({scroll} > {client} px)"
    assert broken == [], f"{page}: words broken inside table cells in print: {broken}"
