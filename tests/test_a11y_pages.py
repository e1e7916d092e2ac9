"""Accessibility of the board's pages without a browser: the markup and fonts of a real annual run (2020 on
data/sample, shared with tests/test_a11y_browser.py), the shipped fonts, the badge colours and the charts.

Every page: tables with a caption, ``scope`` on every header cell, no empty header cell, the criterion id as a
row header; no ``tabindex`` on anything that is not interactive; a link to the tilgængelighedserklæring. Fonts:
every CSS font stack names only the shipped family (plus a generic fallback), every character of every page is
in the shipped font, and every font of the PDF pack is a shipped one.
"""

from __future__ import annotations

import html as html_lib
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from a11y_run import shared_run
from helhedsplan_eval.analysis.status import NOT_YET, OFF_TRACK, ON_TRACK, STATUS_COLOURS
from helhedsplan_eval.report import style

ROOT = Path(__file__).resolve().parents[1]
GENERIC = {"sans-serif", "serif", "monospace", "inherit", "initial", "system-ui"}
INTERACTIVE = {"a", "button", "input", "select", "textarea", "summary", "details"}


# ----------------------------------------------------------------------------- contrast and badge colours


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_known_answers():
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)
    # #767676 is the lightest grey with 4,5:1 on white (WCAG's own example), #777777 just misses it
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#777777", "#ffffff") < 4.5
    # the colours issue 22 measured: white on the old badges
    assert contrast("#ffffff", "#9ca3af") == pytest.approx(2.54, abs=0.01)
    assert contrast("#ffffff", "#c77700") == pytest.approx(3.46, abs=0.01)
    assert contrast("#ffffff", "#4c9a2a") == pytest.approx(3.52, abs=0.01)


@pytest.mark.parametrize("status", list(STATUS_COLOURS))
def test_every_status_badge_has_at_least_4_5_to_1(status):
    bg, fg = style.status_colours(status)
    assert contrast(bg, fg) >= 4.5, f"{status}: {fg} on {bg} is {contrast(bg, fg):.2f}:1"


def test_the_inline_badge_and_the_css_class_have_the_same_colours():
    from helhedsplan_eval.report.board import badge

    for status in (NOT_YET, OFF_TRACK, ON_TRACK):
        bg, fg = style.status_colours(status)
        b = badge(status, status)
        assert f"background:{bg};color:{fg}" in b
        assert f".status-{style.status_slug(status)} {{ background: {bg}; color: {fg}; }}" in style.status_css()
    # the criterion tables' old white-on-grey "Ikke aktuel endnu"
    assert "color:#1d2327" in badge("Ikke aktuel endnu", NOT_YET)
    assert "status-usikkert" in badge("På vej (usikkert)", ON_TRACK)


def test_board_css_holds_no_status_colour_of_its_own():
    css = style.board_css_file().read_text(encoding="utf-8")
    assert not re.search(r"\.status-[a-z-]+\s*\{[^}]*background", css), "status colours belong in report.style"


# ----------------------------------------------------------------------------- fonts


def _font_families(css: str) -> list[str]:
    out = []
    for value in re.findall(r"font-family\s*:\s*([^;}]+)", css):
        out += [f.strip().strip("\"'") for f in value.split(",")]
    return out


def _all_css() -> dict[str, str]:
    from helhedsplan_eval.report import pdf

    sources = {"board_css()": style.board_css(), **{f"pdf.{n}": getattr(pdf, n) for n in dir(pdf)
                                                     if n.endswith("_CSS") and isinstance(getattr(pdf, n), str)}}
    for tpl in (ROOT / "helhedsplan_eval" / "report" / "templates").rglob("*.j2"):
        sources[tpl.name] = tpl.read_text(encoding="utf-8")
    for py in (ROOT / "helhedsplan_eval").rglob("*.py"):  # inline styles of the board's building blocks
        sources[str(py.relative_to(ROOT))] = py.read_text(encoding="utf-8")
    return sources


def test_every_font_stack_names_only_the_shipped_family():
    bad = {name: fam for name, css in _all_css().items() for fam in _font_families(css)
           if fam not in GENERIC | {style.FONT_FAMILY} and not fam.startswith("{")}
    assert bad == {}, f"font stacks that name a font the package does not ship: {bad}"
    assert style.FONT_STACK == '"Helhed Sans", sans-serif'


def test_the_shipped_fonts_are_there_with_their_licence_and_in_the_package_data():
    from fontTools.ttLib import TTFont

    for file, weight, italic in style.FONT_FACES:
        font = TTFont(style.FONTS_DIR / file)
        assert font["name"].getDebugName(1) == style.FONT_FAMILY
        assert (font["OS/2"].usWeightClass >= 600) == (weight == 700)
        assert bool(font["head"].macStyle & 2) == (italic == "italic")
        # OFL 1.1: a modified version must not use the Reserved Font Names
        assert "Liberation" not in font["name"].getDebugName(4) and "Arimo" not in font["name"].getDebugName(4)
    licence = (style.FONTS_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Reserved Font Name Liberation" in licence
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["helhedsplan_eval"]
    assert "report/fonts/*" in patterns


def test_font_faces_are_data_urls():
    css = style.font_face_css()
    assert css.count("@font-face") == len(style.FONT_FACES)
    assert "url(data:font/woff2;base64," in css and "http" not in css


# ----------------------------------------------------------------------------- a real run's pages


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return shared_run(tmp_path_factory)


def _pages(report: Path) -> list[Path]:
    return sorted(report.glob("*.html")) + [report.parent / "index.html"]


class _Markup(HTMLParser):
    """Tables (caption, header cells) and focusable elements of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.tabindex, self.stack = [], [], []
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "tabindex" in a and tag not in INTERACTIVE:
            self.tabindex.append(f"<{tag} {a}>")
        if tag == "table":
            self.tables.append({"id": a.get("id") or a.get("class"), "caption": "", "th": [], "rows": []})
        elif self.tables and tag == "caption":
            self.cell = ("caption", a)
        elif self.tables and tag == "tr":
            self.tables[-1]["rows"].append([])
        elif self.tables and tag in ("th", "td"):
            self.cell = (tag, a)
            self.tables[-1]["rows"][-1].append([tag, a, ""]) if self.tables[-1]["rows"] else None
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in ("th", "td", "caption"):
            self.cell = None
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if self.cell and self.tables:
            if self.cell[0] == "caption":
                self.tables[-1]["caption"] += data
            elif self.tables[-1]["rows"] and self.tables[-1]["rows"][-1]:
                self.tables[-1]["rows"][-1][-1][2] += data


def _markup(page: Path) -> _Markup:
    m = _Markup()
    m.feed(page.read_text(encoding="utf-8"))
    return m


def test_every_table_has_a_caption_scoped_headers_and_no_empty_header_cell(report):
    problems = []
    for page in _pages(report):
        for t in _markup(page).tables:
            where = f"{page.name} table {t['id']}"
            if not t["caption"].strip():
                problems.append(f"{where}: no caption")
            for row in t["rows"]:
                for tag, attrs, text in row:
                    if tag == "th" and attrs.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
                        problems.append(f"{where}: <th> without scope: {text.strip()[:30]!r}")
                    if tag == "th" and not text.strip():
                        problems.append(f"{where}: empty header cell")
    assert problems == [], "\n".join(problems[:20])


def test_the_criterion_id_is_a_row_header(report):
    seen = 0
    for page in _pages(report):
        for t in _markup(page).tables:
            head = t["rows"][0] if t["rows"] else []
            if head and head[0][2].strip() == "Id":
                for row in t["rows"][1:]:
                    assert row[0][0] == "th" and row[0][1].get("scope") == "row", f"{page.name}: {row[0]}"
                    assert re.fullmatch(r"[A-ZÆØÅ]+(-[A-ZÆØÅ]+)*-\d+", row[0][2].strip()), row[0][2]
                    seen += 1
    assert seen >= 43  # the overview's tables alone list every criterion once


def test_nothing_but_interactive_elements_takes_the_keyboard_focus(report):
    found = {p.name: _markup(p).tabindex for p in _pages(report)}
    assert {k: v for k, v in found.items() if v} == {}


def test_every_page_links_to_the_accessibility_statement(report):
    for page in _pages(report):
        text = page.read_text(encoding="utf-8")
        if page.name == "tilgaengelighed.html":
            continue
        target = "2020/tilgaengelighed.html" if page.parent != report else "tilgaengelighed.html"
        assert f'href="{target}"' in text, page.name


def test_the_statement_marks_what_the_evaluator_must_fill_in(report):
    text = (report / "tilgaengelighed.html").read_text(encoding="utf-8")
    assert "<h1>Tilgængelighedserklæring</h1>" in text
    assert "Erklæringen er ikke færdig" in text  # params/tilgaengelighed.yml ships with empty fields
    assert text.count('class="placeholder"') >= 7
    assert "WCAG 2.1" in text and "Digitaliseringsstyrelsen" in text


def _visible_text(page: str) -> str:
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", " ", page)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def test_every_character_of_every_page_is_in_the_shipped_font(report):
    from fontTools.ttLib import TTFont

    for file, _w, _s in style.FONT_FACES:
        cmap = TTFont(style.FONTS_DIR / file).getBestCmap()
        missing = {}
        for page in _pages(report):
            for ch in set(_visible_text(page.read_text(encoding="utf-8"))):
                if not ch.isspace() and ord(ch) not in cmap:
                    missing.setdefault(f"U+{ord(ch):04X} {ch}", page.name)
        assert missing == {}, f"{file} lacks characters the pages use: {missing}"


def _obj(x):
    return x.get_object() if hasattr(x, "get_object") else x


def test_every_font_in_the_pdf_pack_is_a_shipped_font(report):
    """The PDF embeds the shipped faces and nothing else: no font of the machine (DejaVu, Liberation) stands in
    for a missing glyph or a family the stylesheet names."""
    import importlib.util

    from pypdf import PdfReader

    pdf = PdfReader(report / "bestyrelsespakke_2020.pdf")
    fonts, unembedded = set(), set()
    for page in pdf.pages:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            font = font.get_object()
            name = str(font.get("/BaseFont", "")).lstrip("/")
            fonts.add(name.split("+", 1)[-1])
            desc = font.get("/FontDescriptor")
            if desc is None and font.get("/DescendantFonts"):
                desc = _obj(_obj(font["/DescendantFonts"])[0]).get("/FontDescriptor")
            desc = _obj(desc) if desc is not None else {}
            if not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                unembedded.add(name)
    shipped = {"Helhed-Sans", "Helhed-Sans-Bold", "Helhed-Sans-Italic", "Helhed-Sans-Bold-Italic"}
    # the page numbers stamped on by report.pdf_assemble (Helvetica) until WeasyPrint lays them out (issue 22)
    stamp = {"Helvetica"} if importlib.util.find_spec("helhedsplan_eval.report.pdf_assemble") else set()
    assert fonts - stamp <= shipped and fonts & shipped, fonts
    assert unembedded - stamp == set(), unembedded


# ----------------------------------------------------------------------------- tables and charts (units)


def test_html_table_names_itself_and_its_headers():
    from helhedsplan_eval.report.board import html_table

    t = html_table([["TT-1", "7"]], ["Id", "Værdi"], caption="Kriterier")
    assert "<caption>Kriterier</caption>" in t
    assert t.count("scope='col'") == 2
    assert re.search(r"<th scope='row'[^>]*>TT-1</th>", t)
    assert "<td" in t and "tabindex" not in t


def test_frame_table_has_one_header_row_and_the_index_as_row_headers():
    import pandas as pd

    from helhedsplan_eval.report.board.tables import frame_table_html

    df = pd.DataFrame({"2019": ["12", "<5"], "2020": ["14", None]},
                      index=pd.Index(["Forløb", "Frafald"], name="Nøgletal"))
    t = frame_table_html(df, "x", "Nøgletal pr. år")
    assert t.count("<tr>") == 3  # one header row (no second row for the index name) and two rows
    assert re.findall(r"<th scope='col'[^>]*>([^<]*)</th>", t) == ["Nøgletal", "2019", "2020"]
    assert re.findall(r"<th scope='row'[^>]*>([^<]*)</th>", t) == ["Forløb", "Frafald"]
    assert "&lt;5" in t and "–" in t and "id='x'" in t


def _series_styles(fig) -> list[tuple]:
    out = []
    for ax in fig.axes:
        for line in ax.get_lines():
            if not line.get_label().startswith("_"):
                out.append((line.get_label(), line.get_marker(), str(line.get_linestyle())))
    return out


def test_the_overview_small_multiples_tell_area_from_municipality_without_colour():
    from helhedsplan_eval.report.board import Overview

    ov = Overview(2020, ROOT / "data" / "sample")
    fig = ov.register_chart(3)
    styles = {label: (marker, ls) for label, marker, ls in _series_styles(fig)}
    assert set(styles) == {"Høje Gladsaxe", "Gladsaxe Kommune"}
    (m1, l1), (m2, l2) = styles["Høje Gladsaxe"], styles["Gladsaxe Kommune"]
    assert m1 != m2 and l1 != l2
    assert fig.axes[0].get_legend() is not None


def test_a_criterion_chart_gives_each_series_its_own_marker_and_line_style():
    from helhedsplan_eval.report.board import AreaReport

    area = AreaReport("tryghed_og_trivsel", 2020, ROOT / "data" / "sample")
    crit = area.cat.criteria["TT-3"]  # area, municipality, gap and target path
    styles = _series_styles(area.criterion_chart(crit))
    pairs = {(m, ls) for _label, m, ls in styles}
    labels = {label for label, _m, _ls in styles}
    assert {"Høje Gladsaxe", "Gladsaxe Kommune", "Målsti"} <= labels
    assert len({(m, ls) for label, m, ls in styles if label != "Forskel"}) == len(labels - {"Forskel"})
    assert len(pairs) >= 3


def test_survey_and_fit_charts_do_not_rely_on_colour_alone():
    from helhedsplan_eval.analysis.survey.charts import LIKERT_HATCHES, WAVE_MARKERS

    assert len(set(LIKERT_HATCHES.values())) == len(LIKERT_HATCHES)
    assert len(set(WAVE_MARKERS.values())) == len(WAVE_MARKERS)
    import pandas as pd

    from helhedsplan_eval.analysis.fit.charts import plot_intake_last

    il = pd.DataFrame({"stream": ["A"], "Målgruppe": ["Forældre"], "year": [2020], "n": [10],
                       "mean_intake": [20.0], "mean_last": [26.0]})
    ax = plot_intake_last(il)
    markers = {c.get_label(): c.get_paths()[0].vertices.shape[0] for c in ax.collections if c.get_label()[0] != "_"}
    assert set(markers) == {"Første måling", "Seneste måling"}
    assert len(set(markers.values())) == 2  # a square and a circle have different outlines
    assert ax.get_legend() is not None


# ----------------------------------------------------------------------------- the statement and the browser check


def test_the_statement_file_is_checked_with_every_problem_named(tmp_path):
    from helhedsplan_eval.report.accessibility import StatementError, load_statement

    assert load_statement(tmp_path)["contact"] is None  # no file: every field to be filled in
    (tmp_path / "tilgaengelighed.yml").write_text(
        "contact: tilgaengelighed@example.org\ncompliance: næsten\nknown_issues: ikke en liste\nkontakt: x\n",
        encoding="utf-8")
    with pytest.raises(StatementError) as err:
        load_statement(tmp_path)
    msg = str(err.value)
    assert "ukendt felt 'kontakt'" in msg and "'known_issues' skal være en liste" in msg and "»næsten«" in msg
    (tmp_path / "tilgaengelighed.yml").write_text(
        "contact: tilgaengelighed@example.org\ncompliance: delvist\nknown_issues: [Diagrammerne er billeder.]\n",
        encoding="utf-8")
    values = load_statement(tmp_path)
    from helhedsplan_eval.report.accessibility import statement_html

    page = statement_html(2020, "Planen", "0.1", "", values)
    assert "tilgaengelighed@example.org" in page and "overholder delvist" in page
    assert "<li>Diagrammerne er billeder.</li>" in page and "[Udfyldes af evaluator: hvem" in page


def test_the_shipped_statement_file_is_valid():
    from helhedsplan_eval.report.accessibility import load_statement

    values = load_statement(ROOT / "params")
    assert values["known_issues"] == [] and values["publisher"] is None


def test_without_chromium_the_browser_tests_skip_on_a_developers_machine_and_fail_under_ci(monkeypatch, tmp_path):
    import a11y_run

    monkeypatch.setenv("HELHEDSPLAN_CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="NOT RUN: the system's Chromium is not installed"):
        a11y_run.require_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="under CI they must run"):
        a11y_run.require_chromium()


def test_dev_py_says_loudly_when_chromium_is_missing(monkeypatch, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    monkeypatch.setenv("HELHEDSPLAN_CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("CI", "false")
    msg = dev.missing_chromium()
    assert "Chromium is MISSING" in msg and "DO NOT RUN" in msg and "SKIPPED" in msg
    monkeypatch.setenv("CI", "true")
    assert "they FAIL" in dev.missing_chromium()
    chromium = tmp_path / "chromium"
    chromium.write_text("", encoding="utf-8")
    monkeypatch.setenv("HELHEDSPLAN_CHROMIUM", str(chromium))
    assert dev.missing_chromium() is None


def test_an_image_without_alt_text_gets_a_danish_one_and_one_with_alt_keeps_it():
    # the board exporter leaves out nbconvert's BeautifulSoup pass (which added an English alt text and tabindex);
    # its own substitute gives an img without alt a Danish one and leaves every other img and the order alone
    import nbformat

    from helhedsplan_eval.run.render import render_page

    nb = nbformat.v4.new_notebook()
    pixel = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    nb.cells = [nbformat.v4.new_markdown_cell(f'<img src="{pixel}"> og <img alt="Logo" src="{pixel}">'),
                nbformat.v4.new_markdown_cell("<IMG SRC='x.png' ALT='stort'>")]
    html, _hidden = render_page(nb, "Prøve", {"year": 2020, "title": "Prøve", "version": "t", "run_timestamp": "t",
                                              "pages": []})
    alts = re.findall(r'<img[^>]*\balt="([^"]*)"', html, flags=re.I) + re.findall(r"<img[^>]*\balt='([^']*)'", html,
                                                                                  flags=re.I)
    assert sorted(alts) == sorted(["Billedet har ingen beskrivelse", "Logo", "stort"])
    assert "No description" not in html and "tabindex" not in html
