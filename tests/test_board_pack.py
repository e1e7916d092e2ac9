"""The board pack (issue 12): printable pages and the PDF, targets in words and units, charts with
title, axis label and alt text, history of every run and the page 'Udvikling siden sidste år'.

One module fixture runs the real runner twice on copies of the tiny fixture with three notebooks
(overview, change page, Tryghed og trivsel): 2019 on the data as they are, then 2020 on the same data
with two late complaints dated 2019. Hand-computed: TT-2 counts 3 complaints in 2019 (K-rows dated
2019 in tests/fixtures/tiny/inspector_complaints.csv), 5 after the late ones; the 2019 report says
'På vej (usikkert)'; in 2020 the mean 2018-2020 is (4 + 5 + 5) / 3 = 4,7 against at most
5 · 0,8 = 4, so 'Ikke opfyldt'.
"""

from __future__ import annotations

import html as html_lib
import re
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helhedsplan_eval.report import history  # noqa: E402
from helhedsplan_eval.report import pdf
from helhedsplan_eval.report import board as report
from helhedsplan_eval.run import runner
from helhedsplan_eval.catalogue.criteria import load_catalogue  # noqa: E402
from helhedsplan_eval.analysis.evaluate import evaluate_year  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"
CSS = ROOT / "helhedsplan_eval" / "report" / "templates" / "board" / "static" / "board.css"
SPECS = [s for s in runner.NOTEBOOKS if s.stem in ("oversigt", "udvikling", "tryghed_og_trivsel")]
LATE = "K19,2019-11-10,upassende,ja\nK20,2019-12-10,upassende,ja\n"


def _text(page: str) -> str:
    page = re.sub(r"<style\b.*?</style>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html_lib.unescape(page).split())


def _squash(s: str) -> str:
    """Text without white space, and without the hyphens of words hyphenated at a line end (table cells)."""
    return re.sub(r"\s+", "", re.sub(r"(?<=[a-zæøå])-\s*\n\s*(?=[a-zæøå])", "", s))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("pack")
    a, b, out = base / "data2019", base / "data2020", base / "out"
    shutil.copytree(TINY, a)
    shutil.copytree(TINY, b)
    with open(b / "inspector_complaints.csv", "a", encoding="utf-8") as f:
        f.write(LATE)
    runner.run_year(2019, data_dir=a, out_root=out, jobs=2, notebooks=SPECS, progress=False)
    from helhedsplan_eval.report import pdf_assemble

    real = pdf_assemble.layout_part  # which parts the runner lays out itself (the workers are other processes)
    pdf_assemble.layout_part = lambda folder, year, name, *a, **k: (
        RUNNER_PARTS.append(name) or real(folder, year, name, *a, **k))
    try:
        runner.run_year(2020, data_dir=b, out_root=out, jobs=2, notebooks=SPECS, progress=False)
    finally:
        pdf_assemble.layout_part = real
    return out


#: The parts of the 2020 pack that the runner laid out itself (the fixture ``runs`` records them).
RUNNER_PARTS: list[str] = []


def _page(out: Path, year: int, name: str) -> str:
    return (out / str(year) / name).read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- PDF

def test_pdf_holds_every_overview_id_and_its_target(runs):
    from pypdf import PdfReader

    pdf_path = runs / "2020" / "bestyrelsespakke_2020.pdf"
    reader = PdfReader(str(pdf_path))
    text = _squash(" ".join(p.extract_text() or "" for p in reader.pages))
    overview = _page(runs, 2020, "oversigt.html")
    rows = re.findall(r"<tr><t[dh][^>]*data-label=.Id.[^>]*>(.*?)</t[dh]>.*?<td data-label=.Mål.[^>]*>(.*?)</td></tr>", overview,
                      flags=re.S)
    assert len(rows) == len(load_catalogue().criteria)  # every criterion of the plan tested
    for cid_html, target_html in rows:
        cid, target = _text(cid_html), _text(target_html)
        assert _squash(cid) in text, cid
        assert _squash(target) in text, (cid, target)
    assert "Side1af" in text  # page numbers
    # the running title in every sheet's footer (string-set; it was missing while its element had display: none)
    assert all(_squash(pdf.pack_title(2020)) in _squash(p.extract_text() or "") for p in reader.pages)
    assert "Syntetiskeeksempeldata" in _squash(reader.pages[-1].extract_text())  # the notice on every sheet
    assert "Udviklingsidensidsteår" in text  # the change page is part of the pack
    assert re.search(r"Bilag1·Bestyrelsesoversigt\(\d+sider\)", text)  # the list of bilag: number, sheets


def test_no_table_wider_than_the_printable_width(runs):
    pages = [s.html_name for s in SPECS]
    doc = pdf.render_document(pdf.pack_html(runs / "2020", 2020, pages, synthetic=True))
    assert len(doc.pages) > 5
    assert pdf.table_overflows(doc) == []


def test_the_width_check_finds_a_table_that_does_not_fit():
    # the check itself can fail: a long unbreakable row without the board's print stylesheet
    cell = "<td style='white-space:nowrap'>" + "Forbrug " * 80 + "</td>"
    doc = pdf.render_document(f"<html><body><table><tr>{cell}</tr></table></body></html>")
    assert pdf.table_overflows(doc)


def test_a_table_that_does_not_fit_with_whole_words_is_laid_out_again_and_fits(tmp_path):
    # the pack breaks cell text at word ends and, hyphenated, between syllables only (fast); a 400-character token
    # without syllables cannot fit that way, so the pack is laid out again with overflow-wrap: anywhere, and then
    # every table fits
    token = "0123456789" * 40
    row = f"<tr><td>TT-1</td><td>{token}</td><td>12,5 %</td></tr>"
    (tmp_path / "index.html").write_text("<html><body><h1>Forside</h1></body></html>", encoding="utf-8")
    (tmp_path / "side.html").write_text(
        "<html><body><main><table class='board-table'><thead><tr><th>Id</th><th>Tekst</th><th>Værdi</th></tr></thead>"
        f"<tbody>{row}</tbody></table>"
        "<figure class='board-chart chart-wide'><img alt='bred'></figure>"
        "<figure class='board-chart chart-narrow'><img alt='smal'></figure></main></body></html>", encoding="utf-8")
    fast = pdf.pack_html(tmp_path, 2020, ["side.html"], synthetic=False)
    assert "alt='bred'" in fast and "alt='smal'" not in fast  # the phone chart is never printed: left out
    assert pdf.table_overflows(pdf.render_document(fast))  # whole words alone do not fit
    doc = pdf.render_pack(tmp_path, 2020, ["side.html"], synthetic=False)
    assert pdf.table_overflows(doc) == []
    out = pdf.build_board_pdf(tmp_path, 2020, ["side.html"])
    from pypdf import PdfReader

    assert token[:40] in _squash(" ".join(p.extract_text() or "" for p in PdfReader(str(out)).pages))


def test_inline_styles_become_one_rule_per_distinct_style():
    body = ("<p style='color:#444'>a</p><div class='x' style=\"color:#444\">b</div><span style='x{}'>c</span>"
            "<p>style='color:red' står i teksten</p><b style='font-weight:600'>d</b>")
    out, rules = pdf._styles_to_rules(body)
    assert out.count('data-pdf-style="0"') == 2 and out.count('data-pdf-style="1"') == 1
    assert "<div class='x' data-pdf-style=\"0\">" in out
    assert "<span style='x{}'>" in out  # not a plain declaration list: left inline
    assert "<p>style='color:red' står i teksten</p>" in out  # text is not an attribute
    assert rules == ('#pdf-pack [data-pdf-style="0"] { color:#444 }\n'
                     '#pdf-pack [data-pdf-style="1"] { font-weight:600 }')
    doc = pdf.render_document(f"<html><head><style>{rules}</style></head><body id='pdf-pack'>{out}</body></html>")

    def texts(box):
        if getattr(box, "text", None):
            yield box
        for child in getattr(box, "children", None) or []:
            yield from texts(child)

    colour = {b.text: tuple(round(255 * v) for v in b.style["color"][:3]) for b in texts(doc.pages[0]._page_box)}
    assert colour["a"] == colour["b"] == (0x44, 0x44, 0x44) and colour["c"] == (0, 0, 0)  # the rule applies


def test_print_stylesheet_reflows_tables_and_removes_scroll_boxes():
    css = CSS.read_text(encoding="utf-8")
    print_block = css[css.index("@media print"):]
    assert re.search(r"table\s*\{[^}]*width:\s*100%\s*!important", print_block)
    assert re.search(r"overflow:\s*visible\s*!important", print_block)
    assert "white-space: normal !important" in print_block
    assert re.search(r"@page\s*\{[^}]*size:\s*A4 portrait", css)
    phone = css[css.index("@media screen and (max-width: 640px)"):css.index("@page")]
    assert ".board-table tr" in phone and "display: block" in phone and "attr(data-label)" in phone


# ----------------------------------------------------------------------------- overview and charts

def test_overview_targets_in_words_attention_first_and_linked(runs):
    overview = _page(runs, 2020, "oversigt.html")
    assert re.search(r"<a href=.tryghed_og_trivsel\.html#TT-2.>TT-2</a>", overview)
    assert re.search(r"<a href=.forebyggelse_og_foraeldreansvar\.html#FF-BYD-2.>FF-BYD-2</a>", overview)
    text = _text(overview)
    assert "højst 4 i gennemsnit 2018–2020" in text  # TT-2: 5 complaints in 2017, 20 % fewer
    assert "mindst 60 personer i 2017 (gælder kun det år)" in text  # FF-BYD-2 in a later year
    # in each area table the criteria not met / not on track come first
    tables = re.findall(r"<table class=.board-table criteria-table.*?</table>", overview, flags=re.S)
    assert len(tables) == 3
    for table in tables:
        statuses = [_text(s) for s in re.findall(r"<td data-label=.Status 2020.[^>]*>(.*?)</td>", table, flags=re.S)]
        attention = [s.startswith(("Ikke opfyldt", "Ikke på vej")) for s in statuses]
        assert attention == sorted(attention, reverse=True), statuses
    assert "evaluation_year" not in text and "min_cell" not in text


@pytest.fixture(scope="module")
def tiny_area():
    return report.AreaReport("tryghed_og_trivsel", 2020, TINY)


def test_every_chart_has_title_axis_label_and_only_drawn_legend_entries(tiny_area):
    drawn = 0
    for crit in tiny_area.criteria:
        fig = tiny_area.criterion_chart(crit)
        if fig is None:
            continue
        drawn += 1
        try:
            assert fig._suptitle.get_text() == crit.id  # the card's own id (TT-KOM-1, not TT-4)
            ax = fig.axes[0]
            assert crit.short in ax.get_title()
            assert ax.get_ylabel() and ax.get_xlabel().startswith("År")
            for a in fig.axes:
                lines = {ln.get_label() for ln in a.get_lines() if len(ln.get_xdata())}
                legend = a.get_legend()
                if legend is not None:
                    assert {t.get_text() for t in legend.get_texts()} <= lines
                fig.canvas.draw()
                for axis in (a.xaxis, a.yaxis):
                    labels = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
                    assert len(labels) == len(set(labels)), labels
                for t in a.get_xticklabels() + a.get_yticklabels():
                    assert t.get_fontsize() >= 10
        finally:
            plt.close(fig)
    assert drawn >= 5


def test_linked_card_shows_its_own_id():
    area = report.AreaReport("tryghed_og_trivsel", 2020, TINY)
    crit = area.cat.criteria["TT-KOM-1"]
    assert crit.linked_to == "TT-4"
    card = area.criterion_html(crit) + area.criterion_chart_html(crit)
    assert "TT-KOM-1 · Tryghedsforskel til politikredsen" in card
    alt = re.findall(r'alt="([^"]*)"', card)
    assert len(alt) == 1 and alt[0].startswith("Diagram for TT-KOM-1 (")
    assert "TT-4" not in alt[0]


def test_figure_html_draws_the_board_charts_once_at_their_size(tiny_area):
    # tight=False: the whole 6,5 × 3,9 in figure at 150 dpi (975 × 585 px), shown at 100 CSS px per inch;
    # tight=True (other figures): cropped to what is drawn, so never larger
    crit = next(c for c in tiny_area.criteria if c.id == "TT-2")
    plain = report.figure_html(tiny_area.criterion_chart(crit), "a", tight=False)
    assert "width='650' height='390'" in plain
    cropped = report.figure_html(tiny_area.criterion_chart(crit), "a")
    w, h = map(int, re.search(r"width='(\d+)' height='(\d+)'", cropped).groups())
    assert w <= 650 and h <= 390 and (w, h) != (650, 390)
    assert "width='650' height='390'" in tiny_area.criterion_chart_html(crit)  # the cards use the single draw
    plt.close("all")


def test_rendered_charts_are_images_with_meaningful_alt_text(runs):
    page = _page(runs, 2020, "tryghed_og_trivsel.html")
    alts = re.findall(r'<img alt="([^"]*)"', page)
    assert len(alts) >= 5
    for alt in alts:
        assert alt.startswith("Diagram for TT-"), alt
        assert re.search(r"20\d\d–20\d\d|20\d\d", alt) and "Status 2020: " in alt
    assert 'alt="Figur"' not in page and 'alt="Figur"' not in _page(runs, 2020, "oversigt.html")


def test_goal_text_says_direction_and_unit():
    cat = load_catalogue()
    res = evaluate_year(2020, TINY, cat)
    g = {cid: report.goal_text(cat.resolve(c), res.board_evaluation(cid), 2020).replace("\xa0", " ")
         for cid, c in cat.criteria.items()}
    assert g["TT-2"] == "højst 4 i gennemsnit 2018–2020"
    assert g["FF-BYD-2"] == "mindst 60 personer i 2017 (gælder kun det år)"
    assert g["TT-FRI-1"] == "≥ 5 % om året"  # the tiny volunteer corps is small: its path is hidden
    sample = evaluate_year(2020, ROOT / "data" / "sample", cat)
    fri = cat.criteria["TT-FRI-1"]
    # data/sample: 40 volunteers in 2017, 1,05³ · 40 = 46,3 in 2020 (volunteers.csv)
    assert report.goal_text(fri, sample.board_evaluation("TT-FRI-1"), 2020).replace("\xa0", " ") == \
        "mindst 46,3 personer (≥ 5 % om året)"
    assert g["TT-4"].startswith("forskel højst 7,5 procentpoint")
    assert g["TT-SKUR-1"] == "mindst 70 om året"


def test_board_language_on_the_pages(runs):
    for name in ("oversigt.html", "tryghed_og_trivsel.html", "udvikling.html", "index.html"):
        page = _page(runs, 2020, name)
        text = _text(page)
        assert "evaluation_year =" not in text and "„" not in text, name
        assert len(re.findall(r"class=['\"]run-timestamp", page)) <= 1, name
        assert not re.search(r"\b1 advarsler\b", text)


# ----------------------------------------------------------------------------- history and changes

def test_history_is_kept_per_year_in_long_format(runs):
    files = history.history_files(runs / "historik")
    years = sorted(int(p.name.split("_")[1]) for p in files)
    assert years == [2019, 2020]
    df = history.load_history(runs / "historik")
    assert list(df.columns) == history.COLUMNS
    fig = df[(df["criterion_id"] == "TT-2") & (df["measure"] == "figure") & (df["year"] == 2019)]
    assert dict(zip(fig["evaluation_year"], fig["text"])) == {2019: "3", 2020: "5"}
    # board-safe texts only: no person count between 1 and min_cell - 1
    cat = load_catalogue()
    persons = {cid for cid, c in cat.criteria.items() if cat.resolve(c).unit == "persons"}
    shown = df[df["criterion_id"].isin(persons) & (df["measure"] == "figure")]["text"]
    assert not set(shown) & {"1", "2", "3", "4"}


def test_rerun_of_the_same_year_is_a_new_version(tmp_path):
    res = evaluate_year(2019, TINY)
    p1 = history.write_history(tmp_path, res, "20200101T120000")
    p2 = history.write_history(tmp_path, res, "20200101T120000")
    assert p1 != p2 and p1.is_file() and p2.is_file()
    assert history.history_files(tmp_path / "historik", 2019) == [p1, p2]


def test_change_page_lists_status_changes_and_revised_figures(runs):
    text = _text(_page(runs, 2020, "udvikling.html"))
    assert "rapporteret i 2019: 3, nu: 5" in text and "Revideret" in text
    m = re.search(r"TT-2 Henvendelser om utryg adfærd (.*?) → (\S+ \S+)", text)
    assert m and m.group(1).startswith("På vej") and m.group(2) == "Ikke opfyldt"
    first = _text(_page(runs, 2019, "udvikling.html"))
    assert "ingen gemt rapport for 2018" in first


def test_changes_by_hand():
    cat = load_catalogue()

    def frame(run, rows):
        return pd.DataFrame([dict(evaluation_year=y, run=run, criterion_id=c, measure=m, year=fy, text=t)
                             for y, c, m, fy, t in rows], columns=history.COLUMNS)

    prev = frame("20190301T100000", [(2019, "KP-2", "label", 2019, "På vej"), (2019, "TT-2", "figure", 2018, "6"),
                                     (2019, "KP-3", "label", 2019, "Opfyldt"), (2019, "KP-3", "figure", 2018, "–")])
    cur = frame("x", [(2020, "KP-2", "label", 2020, "Ikke opfyldt"), (2020, "KP-2", "explanation", 2020, "Fordi."),
                      (2020, "TT-2", "figure", 2018, "7"), (2020, "KP-3", "label", 2020, "Opfyldt"),
                      (2020, "KP-3", "figure", 2018, "–"), (2020, "KP-3", "warning", 2020, "Ny advarsel.")])
    ch = history.changes(cur, prev, 2020, cat)
    assert [(d["id"], d["from"], d["to"], d["why"]) for d in ch.status] == [("KP-2", "På vej", "Ikke opfyldt", "Fordi.")]
    # TT-2 counts complaints (units): both figures are shown (a restated count of persons: tests/test_history.py)
    assert [(d["id"], d["year"], d["before"], d["now"]) for d in ch.revised] == [("TT-2", 2018, "6", "7")]
    assert [(d["id"], d["text"]) for d in ch.new_warnings] == [("KP-3", "Ny advarsel.")]
    page = _text(history.changes_html(ch, cat))
    assert "rapporteret i 2019: 6, nu: 7" in page and "1 kriterium har skiftet status" in page
    assert "første evalueringsår" in history.changes_html(history.changes(cur, None, 2017, cat), cat)


def test_index_of_all_years(runs):
    page = (runs / "index.html").read_text(encoding="utf-8")
    assert page.index('href="2020/index.html"') < page.index('href="2019/index.html"')
    assert 'href="2020/bestyrelsespakke_2020.pdf"' in page and 'href="2019/bestyrelsespakke_2019.pdf"' in page
    assert (runs / "2019" / "bestyrelsespakke_2019.pdf").is_file()


def test_a_target_for_one_year_is_not_judged_again_in_later_years():
    # FF-BYD-2: "60 besøgte familier i 2017" (years: [2017]); later rows say so instead of a green 'Opfyldt'
    area = report.AreaReport("forebyggelse_og_foraeldreansvar", 2020, TINY)
    header, rows = area.figures_rows(area.cat.criteria["FF-BYD-2"])
    status = {r[0]: _text(r[-1]) for r in rows}
    assert status["2018"] == status["2019"] == status["2020"] == "Ikke aktuel (målet gælder 2017)"
    assert not status["2017"].startswith("Ikke aktuel")


def test_index_of_all_years_never_replaces_a_foreign_index(tmp_path):
    (tmp_path / "index.html").write_text("<html>mit eget skrivebord</html>", encoding="utf-8")
    assert history.write_years_index(tmp_path) is None
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == "<html>mit eget skrivebord</html>"
    (tmp_path / "index.html").unlink()
    assert history.write_years_index(tmp_path) == tmp_path / "index.html"
    assert "Der er endnu ingen rapporter." in (tmp_path / "index.html").read_text(encoding="utf-8")
    assert history.write_years_index(tmp_path) == tmp_path / "index.html"  # its own page is rewritten


# ----------------------------------------------------------------------------- the tagged pack (issue 22)

def _reader(runs):
    from pypdf import PdfReader

    return PdfReader(str(runs / "2020" / "bestyrelsespakke_2020.pdf"))


def _elements(reader) -> list:
    """Every structure element of the PDF's structure tree (dictionaries with /S), depth first."""
    from pypdf.generic import ArrayObject, DictionaryObject

    out, stack = [], [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        kids = node.get("/K") if isinstance(node, DictionaryObject) else None
        if isinstance(node, DictionaryObject) and "/S" in node:
            out.append(node)
        if kids is not None:
            kids = kids.get_object()
            items = list(kids) if isinstance(kids, ArrayObject) else [kids]
            stack += reversed([k for k in items if isinstance(k.get_object(), (DictionaryObject, ArrayObject))])
    return out


def _outline(reader, items=None):
    """(title, sheet, depth) of every bookmark."""
    out = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            out += [(t, p, d + 1) for t, p, d in _outline(reader, item)]
        else:
            out.append((item.title, reader.get_destination_page_number(item), 0))
    return out


def test_the_pack_is_tagged_pdf_ua_1_and_pdf_a_3a(runs):
    reader = _reader(runs)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "da"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    title = pdf.pack_title(2020)
    assert reader.metadata.title == title and load_catalogue().plan["name"] in title and "2020" in title
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    import xml.etree.ElementTree as ET

    rdf = ET.fromstring(xmp[xmp.index("<x:xmpmeta"):xmp.index("</x:xmpmeta>") + len("</x:xmpmeta>")])
    ns = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
          "pdfaid": "http://www.aiim.org/pdfa/ns/id/", "dc": "http://purl.org/dc/elements/1.1/"}
    assert [e.text for e in rdf.iterfind(".//pdfuaid:part", ns)] == ["1"]
    pdfa = [d.attrib for d in rdf.iterfind(".//rdf:Description", ns) if f"{{{ns['pdfaid']}}}part" in d.attrib]
    assert [(a[f"{{{ns['pdfaid']}}}part"], a[f"{{{ns['pdfaid']}}}conformance"]) for a in pdfa] == [("3", "A")]
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp  # the UA schema declared for PDF/A
    assert [e.text for e in rdf.iterfind(".//dc:title//rdf:li", ns)] == [title]
    kinds = {str(e["/S"]) for e in _elements(reader)}
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Figure", "/P", "/L", "/LI", "/Link"} <= kinds, kinds


def test_every_chart_is_a_figure_with_the_html_alt_text(runs):
    # the printed pages' images (the phone charts are not printed) have the same alt texts as Figures' /Alt
    doc = pdf.pack_html(runs / "2020", 2020, [s.html_name for s in SPECS], synthetic=True)
    alts = sorted(html_lib.unescape(m[1]) for m in re.findall(r"<img\b[^>]*?\balt=([\"'])(.*?)\1", doc, flags=re.S))
    assert len(alts) >= 5 and all(a.strip() for a in alts)
    figures = [e for e in _elements(_reader(runs)) if e["/S"] == "/Figure"]
    assert sorted(str(f.get("/Alt")) for f in figures) == alts


def test_every_table_has_header_cells(runs):
    reader = _reader(runs)
    tables = [e for e in _elements(reader) if e["/S"] == "/Table"]
    assert len(tables) >= 10
    for table in tables:
        assert any(e["/S"] == "/TH" for e in _elements_under(table)), "a table without TH"


def _elements_under(node) -> list:
    from pypdf.generic import ArrayObject, DictionaryObject

    out, stack = [], [node]
    while stack:
        n = stack.pop().get_object()
        kids = n.get("/K") if isinstance(n, DictionaryObject) else None
        if n is not node and isinstance(n, DictionaryObject) and "/S" in n:
            out.append(n)
        if kids is not None:
            kids = kids.get_object()
            stack += [k for k in (list(kids) if isinstance(kids, ArrayObject) else [kids])
                      if isinstance(k.get_object(), (DictionaryObject, ArrayObject))]
    return out


def test_every_font_is_embedded(runs):
    reader = _reader(runs)
    seen = {}
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font") or {}
        for name, font in fonts.get_object().items():
            font = font.get_object()
            for f in [font, *[d.get_object() for d in font.get("/DescendantFonts") or []]]:
                desc = f.get("/FontDescriptor")
                if desc is not None:
                    desc = desc.get_object()
                    seen[str(f["/BaseFont"])] = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            assert font.get("/Subtype") != "/Type1" or "/FontDescriptor" in font, (name, font.get("/BaseFont"))
    assert seen and all(seen.values()), seen
    assert not any("Helvetica" in f for f in seen)  # no stamped, unembedded page numbers any more


def _part_starts(reader) -> list[int]:
    """The first sheet of every part: the top-level bookmarks' sheets (the front page, then one per bilag)."""
    return [p for _t, p, d in _outline(reader) if d == 0]


def test_page_numbers_notice_and_title_on_every_sheet(runs):
    # WeasyPrint lays out the page numbers (CSS page counters), each part numbered on its own: the front page
    # "Side 1 af 4", bilag 2 "Bilag 2 · Udvikling siden sidste år · Side 1 af 3"; and on every sheet the
    # synthetic-data notice and the running title
    reader = _reader(runs)
    n = len(reader.pages)
    starts = _part_starts(reader)
    assert len(starts) == len(SPECS) + 1 and starts[0] == 0
    title = _squash(pdf.pack_title(2020))
    for part, (start, end) in enumerate(zip(starts, [*starts[1:], n])):
        label = "" if part == 0 else _squash(f"Bilag {part} · {SPECS[part - 1].title} · ")
        for j, page in enumerate(reader.pages[start:end], start=1):
            text = _squash(page.extract_text())
            assert f"{label}Side{j}af{end - start}" in text, (part, j)
            assert "Syntetiskeeksempeldata" in text and title in text, (part, j)


def test_page_labels_follow_the_printed_numbering(runs):
    # the viewer shows the numbers printed on the sheets: "Til bestyrelsen, s. 2", "Bilag 3, s. 1"
    reader = _reader(runs)
    starts = _part_starts(reader)
    labels = reader.page_labels
    assert labels[0] == "Til bestyrelsen, s. 1" and labels[starts[1] - 1] == f"Til bestyrelsen, s. {starts[1]}"
    for k, start in enumerate(starts[1:], start=1):
        assert labels[start] == f"Bilag {k}, s. 1", k
    assert labels[-1] == f"Bilag {len(SPECS)}, s. {len(reader.pages) - starts[-1]}"


def _mcids(page) -> int:
    """The number of marked-content sequences with an MCID in a sheet's content (pikepdf)."""
    import pikepdf

    contents = page.obj.Contents
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    ids = [int(m) for s in streams for m in re.findall(rb"/MCID\s+(\d+)", s.read_bytes())]
    assert sorted(ids) == list(range(len(ids)))  # 0, 1, 2, … on every sheet
    return len(ids)


def _number_tree(node) -> dict:
    out, stack = {}, [node]
    while stack:
        n = stack.pop()
        nums = n.get("/Nums")
        if nums is not None:
            out.update({int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)})
        stack += list(n.get("/Kids") or [])
    return out


def test_the_merged_structure_tree_is_whole(runs):
    # the parts' structure trees under one Document: every element's /Pg is a sheet of this document, every
    # sheet's /StructParents key holds one element per MCID (each on that sheet), every annotation's
    # /StructParent an element with an OBJR to it; the parts are Parts of the one Document
    import pikepdf

    with pikepdf.open(runs / "2020" / "bestyrelsespakke_2020.pdf") as doc:
        sheets = {page.objgen for page in doc.pages}
        root = doc.Root.StructTreeRoot
        tree = _number_tree(root.ParentTree)
        assert int(root.ParentTreeNextKey) == max(tree) + 1
        top = root.K if isinstance(root.K, pikepdf.Dictionary) else root.K[0]
        assert top.S == "/Document" and [str(k.S) for k in top.K] == ["/Part"] * (len(SPECS) + 1)
        elements, stack, seen = 0, [root], set()
        while stack:
            node = stack.pop()
            if not isinstance(node, pikepdf.Dictionary) or (node.is_indirect and node.objgen in seen):
                continue
            seen.add(node.objgen)
            if "/Pg" in node:
                elements += 1
                assert node.Pg.objgen in sheets
            kids = node.get("/K")
            stack += list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        assert elements > 500
        keys = []
        for page in doc.pages:
            key = int(page.obj.StructParents)
            keys.append(key)
            marked = tree[key]
            assert len(marked) == _mcids(page)
            assert all(e.Pg.objgen == page.objgen for e in marked if "/Pg" in e)
            for annot in page.obj.get("/Annots") or []:
                owner = tree[int(annot.StructParent)]
                assert any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR" and k.Obj.objgen == annot.objgen
                           for k in owner.K)
        assert len(set(keys)) == len(keys)


def _without_numbers(text: str) -> str:
    """A sheet's text without what the parts number differently from the pack in one piece: the page numbers,
    the list of bilag's "(side N)" / "(N sider)"."""
    text = re.sub(r"(Bilag \d+ · [^\n]*? · )?Side \d+ af \d+", "", text)
    return _squash(re.sub(r"\((side \d+|\d+ sider?)\)", "", text))


def test_the_workers_lay_out_the_bilag_and_the_runner_only_the_front_page(runs):
    # the pack's layout runs beside the notebooks: every bilag's part comes from the worker that rendered its page
    assert RUNNER_PARTS == ["index.html"]
    assert not list((runs / "2020").glob(".pdf-*"))  # no part file is published


def test_links_between_parts_lead_to_their_anchor_and_each_part_is_numbered_on_its_own(tmp_path):
    # front page (1 sheet), a.html (2 sheets), b.html (2 sheets), each laid out as its own part and merged: the
    # front page's link to b.html#maal leads to b's second sheet (sheet 5 of the pack), the list of bilag to each
    # bilag's first sheet (2 and 4); a link to an anchor no page holds leads nowhere; no part file is left
    from pypdf import PdfReader

    (tmp_path / "index.html").write_text(
        "<html><body><main><h1>Forside</h1><p><a href='b.html#maal'>til målet</a> <a href='a.html#ingen'>intet</a></p>"
        "<ol class='page-list'><li><a href='a.html'>Bilag 1 · A</a></li><li><a href='b.html'>Bilag 2 · B</a></li></ol>"
        "</main></body></html>", encoding="utf-8")
    (tmp_path / "a.html").write_text("<html><body><h1>A</h1><p>et</p><p style='break-before: page'>to</p></body></html>",
                                     encoding="utf-8")
    (tmp_path / "b.html").write_text("<html><body><h1>B</h1><p>et</p><p id='maal' style='break-before: page'>målet</p>"
                                     "</body></html>", encoding="utf-8")
    reader = PdfReader(str(pdf.build_board_pdf(tmp_path, 2020, ["a.html", "b.html"])))
    assert len(reader.pages) == 5 and not list(tmp_path.glob(".pdf-*"))
    texts = [_squash(p.extract_text()) for p in reader.pages]
    assert "Bilag1·A(2sider)" in texts[0] and "Bilag2·B(2sider)" in texts[0] and "Side1af1" in texts[0]
    assert "Bilag1·A·Side2af2" in texts[2] and "Bilag2·B·Side1af2" in texts[3] and "Bilag2·B·Side2af2" in texts[4]
    links = {str(a.get_object()["/Contents"]): a.get_object().get("/Dest") for a in reader.pages[0]["/Annots"]}
    named = reader.named_destinations
    assert {k: reader.get_destination_page_number(named[v]) for k, v in links.items() if v is not None} == \
        {"maal": 4, "pdf-a": 1, "pdf-b": 3}
    assert links["ingen"] is None  # kept as a Link element, leading nowhere
    assert reader.page_labels == ["Til bestyrelsen, s. 1", "Bilag 1, s. 1", "Bilag 1, s. 2", "Bilag 2, s. 1",
                                  "Bilag 2, s. 2"]


def test_the_merge_keeps_a_parts_role_map_and_id_tree(tmp_path):
    # WeasyPrint writes neither; a part that has them (here added by hand to the second part) keeps them, and the id
    # leads to the same element, now on the merged document's second sheet
    import pikepdf

    from helhedsplan_eval.report import pdf_merge

    for name, text in (("index.html", "Forside"), ("a.html", "A")):
        (tmp_path / name).write_text(f"<html><body><h1>{text}</h1></body></html>", encoding="utf-8")
    parts = [pdf.layout_part(tmp_path, 2020, n, ["a.html"]) for n in ("index.html", "a.html")]
    with pikepdf.open(parts[1]["path"], allow_overwriting_input=True) as part:
        root = part.Root.StructTreeRoot
        heading = next(e for e in root.ParentTree.Nums[1] if e.get("/S") == "/H1" or e.P.get("/S") == "/H1")
        root.RoleMap = pikepdf.Dictionary(Diagram=pikepdf.Name.Figure)
        root.IDTree = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("overskrift-a"), heading]))
        part.save(parts[1]["path"])
    pdf_merge.merge_parts(parts, tmp_path / "pakke.pdf", ["Til bestyrelsen, s. ", "Bilag 1, s. "])
    with pikepdf.open(tmp_path / "pakke.pdf") as doc:
        root = doc.Root.StructTreeRoot
        assert root.RoleMap.Diagram == pikepdf.Name.Figure
        names = root.IDTree.Names
        assert str(names[0]) == "overskrift-a" and names[1].Pg.objgen == doc.pages[1].objgen


def test_a_pack_whose_parts_cannot_be_merged_is_laid_out_in_one_piece(tmp_path, monkeypatch):
    # the fallback: the same pages in one piece, numbered as a whole ("Side 2 af 3"), and no part file left
    from pypdf import PdfReader

    from helhedsplan_eval.report import pdf_merge

    def broken(*a, **k):
        raise RuntimeError("kan ikke flette")

    monkeypatch.setattr(pdf_merge, "merge_parts", broken)
    (tmp_path / "index.html").write_text("<html><body><h1>Forside</h1></body></html>", encoding="utf-8")
    (tmp_path / "a.html").write_text("<html><body><h1>A</h1><p>et</p><p style='break-before: page'>to</p></body></html>",
                                     encoding="utf-8")
    reader = PdfReader(str(pdf.build_board_pdf(tmp_path, 2020, ["a.html"])))
    assert [re.findall(r"Side\d+af\d+", _squash(p.extract_text())) for p in reader.pages] == \
        [["Side1af3"], ["Side2af3"], ["Side3af3"]]
    assert not list(tmp_path.glob(".pdf-*")) and not list(tmp_path.glob("*.tmp"))


def test_a_bilag_is_named_in_its_page_numbers_as_in_the_front_pages_list():
    # its number is its place in the list of bilag (index.html not counted); its name the list's title, else its h1
    body = "<div><h1 id='x'>Fællesskabsundersøgelsen <em>2017</em> og 2020</h1></div>"
    pages = ["oversigt.html", "index.html", "survey.html"]
    assert pdf.part_label(body, "survey.html", pages) == "Bilag 2 · Fællesskabsundersøgelsen 2017 og 2020"
    assert pdf.part_label(body, "survey.html", pages, {"survey.html": "Fællesskabsundersøgelsen 2017/2020"}) == \
        "Bilag 2 · Fællesskabsundersøgelsen 2017/2020"
    assert pdf.part_label(body, "index.html", pages) == ""


def test_the_pack_from_parts_is_the_pack_in_one_piece(runs, tmp_path):
    # the same sheets with the same text, apart from the page numbers: nothing lost or moved by the parts
    from pypdf import PdfReader

    pages = [s.html_name for s in SPECS]
    for name in ["index.html", *pages]:
        shutil.copy2(runs / "2020" / name, tmp_path / name)
    one = PdfReader(str(pdf.build_one_piece(tmp_path, 2020, pages, synthetic=True)))
    parts = _reader(runs)
    assert len(one.pages) == len(parts.pages)
    for i, (a, b) in enumerate(zip(one.pages, parts.pages)):
        assert _without_numbers(a.extract_text()) == _without_numbers(b.extract_text()), i
    assert [(t, p) for t, p, d in _outline(one)] == [(t, p) for t, p, d in _outline(parts)]


def test_bookmarks_links_and_the_reading_guide_once(runs):
    reader = _reader(runs)
    outline = _outline(reader)
    top = [(t, p) for t, p, d in outline if d == 0]
    # the front page, then one bookmark per bilag in the plan's order, each on its first sheet
    assert [t for t, _ in top][1:] == [s.title for s in SPECS]
    assert [p for _, p in top] == sorted(p for _, p in top) and top[0][1] == 0
    assert ("Til bestyrelsen", 0, 1) in outline
    # the front page's list of bilag gives each bilag's number and number of sheets, and its links lead there
    text = _squash(" ".join(p.extract_text() for p in reader.pages[:top[1][1]]))
    ends = [p for _, p in top[2:]] + [len(reader.pages)]
    for k, ((title, sheet), end) in enumerate(zip(top[1:], ends), start=1):
        assert _squash(f"Bilag {k} · {title} ({end - sheet} sider)") in text, title
    named = reader.named_destinations
    targets = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                dest = annot["/Dest"]
                assert dest in named, dest  # every internal link leads to an anchor of the pack
                targets += 1
    assert targets >= len(SPECS)
    full = " ".join(p.extract_text() for p in reader.pages)
    from helhedsplan_eval.report.board import STATUS_GUIDE

    last = STATUS_GUIDE.strip().splitlines()[-1]
    assert _squash(full).count(_squash(last)) == 1  # "Sådan læses status" printed once, not on every area page
    assert "Sådan læses status" in _text(_page(runs, 2020, "tryghed_og_trivsel.html"))  # the web page keeps it


def test_til_bestyrelsen_comes_first_on_the_front_page_and_the_first_sheet(runs):
    page = _page(runs, 2020, "index.html")
    summary = page[page.index("id=\"til-bestyrelsen\""):page.index("</section>")]
    text = _text(summary)
    # TT-2: 'På vej (usikkert)' in the stored 2019 report, 'Ikke opfyldt' in 2020 (module docstring): listed, worse
    row = re.search(r"<tr><t[dh][^>]*><a href='tryghed_og_trivsel.html#TT-2'>TT-2</a></t[dh]>(.*?)</tr>", summary, flags=re.S)
    assert row and "Ikke opfyldt" in _text(row.group(1)) and "4,7" in _text(row.group(1))
    assert re.search(r"til dårligere \([^)]*TT-2", text)
    assert "Ændret siden 2019" in text and "Budget" in text and "Sådan læses status" in text
    assert page.index("id=\"til-bestyrelsen\"") < page.index('<ol class="page-list"')  # the summary before the list of bilag
    first = _squash(_reader(runs).pages[0].extract_text())
    assert "Tilbestyrelsen" in first and "Status2020" in first


def test_a_chart_is_the_same_picture_with_the_faster_png_compression():
    # figure_html writes zlib level 1 (speed, issue 13): lossless, so the pixels are those of the default level
    import base64
    import io

    import numpy as np
    from PIL import Image

    def pixels(png: bytes):
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))

    fig, ax = plt.subplots(figsize=(4, 2))
    ax.plot([2017, 2018, 2019, 2020], [3, 5, 4, 6], marker="o", label="Høje Gladsaxe")
    ax.set_title("TT-2 Henvendelser")
    ax.legend()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, metadata={"Software": None})  # Pillow's default level
    html = report.figure_html(fig, "TT-2", tight=False)
    fast = base64.b64decode(re.search(r"base64,([^'\"]+)", html).group(1))
    assert fast != buf.getvalue()  # other bytes …
    assert np.array_equal(pixels(fast), pixels(buf.getvalue()))  # … the same picture


# ----------------------------------------------------------------------------- --all-years, pipelined (issue 13)

def test_years_are_pipelined_and_the_change_page_waits_for_the_previous_years_history(tmp_path, monkeypatch, capsys):
    # run_years queues 2020's notebooks while 2019's report is written, but holds back the change page (it reads the
    # history) until 2019 is published: the 2020 change page finds the 2019 report
    from helhedsplan_eval.run import command
    from helhedsplan_eval.run import runner as run_mod
    from helhedsplan_eval.report import history as hist

    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(TINY, data)
    events = []
    real_submit, real_publish = run_mod.TaskBatch.submit, hist.publish_history

    def submit(self, tasks):
        events.extend(("submit", self.year, Path(t.notebook).stem) for t in tasks)
        return real_submit(self, tasks)

    def publish(out_root, year, *a, **k):
        events.append(("published", year, ""))
        return real_publish(out_root, year, *a, **k)

    monkeypatch.setattr(run_mod.TaskBatch, "submit", submit)
    monkeypatch.setattr(hist, "publish_history", publish)
    rc = command.run_years([2019, 2020], 2, lines=True, data_dir=data, out_root=out, notebooks=SPECS)
    stdout = capsys.readouterr().out
    assert rc == 0
    i = events.index
    assert i(("submit", 2020, "oversigt")) < i(("published", 2019, ""))  # queued before 2019 was written …
    assert i(("published", 2019, "")) < i(("submit", 2020, "udvikling"))  # … the change page only after it
    assert "Der findes ingen gemt rapport" in _page(out, 2019, "udvikling.html")  # 2018 has none
    assert "Der findes ingen gemt rapport" not in _page(out, 2020, "udvikling.html")
    assert stdout.index("Færdig 2019 (år 1 af 2)") < stdout.index("Færdig 2020 (år 2 af 2)")
    assert "2020 (år 2 af 2): udvikling.ipynb – ok" in stdout
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []  # no temporary folders


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")  # no traceback on the terminal
def test_an_interrupted_pipelined_run_leaves_no_temporary_folder_and_no_process(tmp_path, monkeypatch, capsys):
    from helhedsplan_eval.run import command
    from helhedsplan_eval.run.processes import descendants

    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(TINY, data)
    before = set(descendants())

    def interrupted(started):
        assert list(out.glob(".2020.tmp-*"))  # the next year is already queued when the first is written
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "_finish", interrupted)
    rc = command.run_years([2019, 2020], 2, lines=True, data_dir=data, out_root=out, notebooks=SPECS)
    assert rc == 130 and "Afbrudt" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) in ([], ["historik"])  # nothing published, nothing left
    def alive(pid):  # a killed child not yet reaped (state Z) runs no more; multiprocessing's resource tracker
        try:           # lives as long as the test process and is not the run's
            state = Path(f"/proc/{pid}/stat").read_text(errors="replace").rsplit(")", 1)[1].split()[0]
            return state != "Z" and "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
        except (OSError, IndexError):
            return False

    assert {p for p in descendants() if alive(p)} <= before  # no worker, no kernel
