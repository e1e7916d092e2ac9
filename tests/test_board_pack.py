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
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("pack")
    a, b, out = base / "data2019", base / "data2020", base / "out"
    shutil.copytree(TINY, a)
    shutil.copytree(TINY, b)
    with open(b / "inspector_complaints.csv", "a", encoding="utf-8") as f:
        f.write(LATE)
    runner.run_year(2019, data_dir=a, out_root=out, jobs=2, notebooks=SPECS, progress=False)
    runner.run_year(2020, data_dir=b, out_root=out, jobs=2, notebooks=SPECS, progress=False)
    return out


def _page(out: Path, year: int, name: str) -> str:
    return (out / str(year) / name).read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- PDF

def test_pdf_holds_every_overview_id_and_its_target(runs):
    from pypdf import PdfReader

    pdf_path = runs / "2020" / "bestyrelsespakke_2020.pdf"
    reader = PdfReader(str(pdf_path))
    text = _squash(" ".join(p.extract_text() or "" for p in reader.pages))
    overview = _page(runs, 2020, "oversigt.html")
    rows = re.findall(r"<tr><td data-label=.Id.[^>]*>(.*?)</td>.*?<td data-label=.Mål.[^>]*>(.*?)</td></tr>", overview,
                      flags=re.S)
    assert len(rows) == 43
    for cid_html, target_html in rows:
        cid, target = _text(cid_html), _text(target_html)
        assert _squash(cid) in text, cid
        assert _squash(target) in text, (cid, target)
    assert "Side1af" in text  # page numbers
    # the running title in every sheet's footer (string-set; it was missing while its element had display: none)
    assert all("Bestyrelsespakke2020·HelhedsplanHøjeGladsaxe" in _squash(p.extract_text() or "") for p in reader.pages)
    assert "Syntetiskeeksempeldata" in _squash(reader.pages[-1].extract_text())  # the notice on every sheet
    assert "Udviklingsidensidsteår" in text  # the change page is part of the pack
    assert re.search(r"Bestyrelsesoversigt\(side\d+\)", text)  # the front page's list gives each page's sheet


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
    # the pack breaks cell text at word ends only (fast); a 400-character token cannot fit that way, so the
    # pack is laid out again with overflow-wrap: anywhere, and then every table fits
    token = "Forbrugsoversigt" * 25
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

    prev = frame("20190301T100000", [(2019, "KP-2", "label", 2019, "På vej"), (2019, "KP-2", "figure", 2018, "6"),
                                     (2019, "KP-3", "label", 2019, "Opfyldt"), (2019, "KP-3", "figure", 2018, "–")])
    cur = frame("x", [(2020, "KP-2", "label", 2020, "Ikke opfyldt"), (2020, "KP-2", "explanation", 2020, "Fordi."),
                      (2020, "KP-2", "figure", 2018, "7"), (2020, "KP-3", "label", 2020, "Opfyldt"),
                      (2020, "KP-3", "figure", 2018, "–"), (2020, "KP-3", "warning", 2020, "Ny advarsel.")])
    ch = history.changes(cur, prev, 2020, cat)
    assert [(d["id"], d["from"], d["to"], d["why"]) for d in ch.status] == [("KP-2", "På vej", "Ikke opfyldt", "Fordi.")]
    assert [(d["id"], d["year"], d["before"], d["now"]) for d in ch.revised] == [("KP-2", 2018, "6", "7")]
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


# ----------------------------------------------------------------------------- the pack from parts (issue 13)

def _sheets(path):
    """Per sheet: its text, and the places its links lead to (sheet, top in points, rounded)."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    named = reader.named_destinations
    index = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    sheets = []
    for page in reader.pages:
        targets = set()
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            dest = annot.get("/Dest")
            if annot.get("/Subtype") != "/Link" or dest is None:
                continue
            if isinstance(dest, str):  # WeasyPrint's named destination
                d = named[dest]
                targets.add((reader.get_page_number(d.page), round(float(d.top))))
            else:  # the assembly's explicit destination
                targets.add((index[dest[0].idnum], round(float(dest[3]))))
        sheets.append((page.extract_text(), targets))
    return sheets


def _number_places(path):
    """Per sheet: where 'Side N af M' stands, (x, baseline) in points from the lower left corner."""
    from pypdf import PdfReader

    places = []
    for page in PdfReader(str(path)).pages:
        found = []

        def visit(text, cm, tm, font, size):
            if text.startswith("Side ") and " af " in text:
                a, b, c, d, e, f = cm
                found.append((round(a * tm[4] + c * tm[5] + e, 1), round(b * tm[4] + d * tm[5] + f, 1)))

        page.extract_text(visitor_text=visit)
        places.append(found)
    return places


def test_the_pack_from_the_workers_parts_equals_the_pack_laid_out_in_one_piece(runs, tmp_path):
    # the run's pack is put together from parts its workers laid out; laid out in one piece by WeasyPrint, the
    # same pages give the same sheets: the same text on each (page numbers, the running title and the front page's
    # "(side N)" included), links to the same places, the same bookmarks, title and language
    folder, pages = runs / "2020", [s.html_name for s in SPECS]
    one = tmp_path / "one.pdf"
    pdf.render_pack(folder, 2020, pages, synthetic=True).write_pdf(one)
    assembled = folder / "bestyrelsespakke_2020.pdf"
    a, b = _sheets(one), _sheets(assembled)
    assert len(a) == len(b) > 5
    for n, ((text_a, links_a), (text_b, links_b)) in enumerate(zip(a, b), start=1):
        assert text_a == text_b, n
        assert links_a == links_b, n
    assert sum(len(links) for _, links in b) >= len(pages)  # the front page's list and the overview's ids
    assert not list(folder.glob(".pdf-*"))  # the parts' files are not published
    from pypdf import PdfReader

    ra, rb = PdfReader(str(one)), PdfReader(str(assembled))

    def outline(reader, items=None):  # (title, sheet, depth) of every bookmark (WeasyPrint's, from the headings)
        out = []
        for item in reader.outline if items is None else items:
            if isinstance(item, list):
                out += [(t, p, d + 1) for t, p, d in outline(reader, item)]
            else:
                out.append((item.title, reader.get_destination_page_number(item), 0))
        return out

    assert outline(ra) == outline(rb) and len(outline(rb)) >= len(pages)
    assert rb.metadata.title == ra.metadata.title == "Bestyrelsespakke 2020 · Helhedsplan Høje Gladsaxe"
    assert rb.trailer["/Root"]["/Lang"] == ra.trailer["/Root"]["/Lang"] == "da"


def test_the_stamped_page_numbers_stand_where_weasyprint_puts_them(runs, tmp_path, monkeypatch):
    # without the running title on the same line (text extraction would join the two), so that each number is a
    # text of its own: the assembly's "Side N af M" stands where WeasyPrint's stands in the pack laid out in one piece
    from helhedsplan_eval.report import pdf_assemble

    monkeypatch.setattr(pdf, "PDF_CSS", pdf.PDF_CSS.replace("content: string(pack-title);", "content: none;"))
    pages = [s.html_name for s in SPECS]
    for name in ["index.html", *pages]:
        shutil.copy2(runs / "2020" / name, tmp_path / name)
    one = tmp_path / "one.pdf"
    pdf.render_pack(tmp_path, 2020, pages, synthetic=True).write_pdf(one)
    assembled = pdf_assemble.assemble_pack(tmp_path, 2020, pages, synthetic=True)
    pa, pb = _number_places(one), _number_places(assembled)
    assert len(pa) == len(pb) > 5 and all(len(p) == 1 for p in pa + pb), (pa, pb)
    for n, (x, y) in enumerate(zip(pa, pb), start=1):
        assert abs(x[0][0] - y[0][0]) < 0.5 and abs(x[0][1] - y[0][1]) < 0.5, (n, x, y)


def test_a_part_the_worker_could_not_lay_out_is_laid_out_when_the_pack_is_put_together(runs, tmp_path):
    from helhedsplan_eval.report import pdf_assemble
    from helhedsplan_eval.run.execute import _pack_part, _Task

    for name in ["index.html", *(s.html_name for s in SPECS)]:
        shutil.copy2(runs / "2020" / name, tmp_path / name)
    pages = [s.html_name for s in SPECS]

    def task(html_name):
        return _Task(notebook="x.ipynb", title="x", out_ipynb="x.ipynb", out_html=str(tmp_path / html_name),
                     parameters={}, cwd=str(tmp_path), board={}, kernel_env={},
                     pack={"year": 2020, "pages": pages, "synthetic": True})

    part = _pack_part(task("oversigt.html"))
    assert part["name"] == "oversigt.html" and part["sheets"] >= 1 and Path(part["path"]).is_file()
    assert _pack_part(task("findes_ikke.html")) is None  # a worker's failure is no failed run: the assembly retries
    out = pdf_assemble.assemble_pack(tmp_path, 2020, pages, synthetic=True, parts={"oversigt.html": part})
    assert not Path(part["path"]).exists() and not list(tmp_path.glob(".pdf-*"))
    assert [t for t, _ in _sheets(out)] == [t for t, _ in _sheets(runs / "2020" / "bestyrelsespakke_2020.pdf")]


@pytest.mark.parametrize("guess", [1, 2, 3])
def test_the_front_page_is_laid_out_once_when_its_length_is_guessed_right(runs, tmp_path, monkeypatch, guess):
    # the front page's "(side N)" counts its own sheets: guessed (its length the last time), laid out again only when
    # the guess was wrong, and only the kept layout is written; the pack is the same whatever the guess
    from helhedsplan_eval.report import pdf_assemble

    pages = [s.html_name for s in SPECS]
    for name in ["index.html", *pages]:
        shutil.copy2(runs / "2020" / name, tmp_path / name)
    rendered, written = [], []
    real_render, real_write = pdf_assemble.render_part, pdf_assemble.write_part
    monkeypatch.setattr(pdf_assemble, "render_part", lambda *a, **k: rendered.append(a[2]) or real_render(*a, **k))
    monkeypatch.setattr(pdf_assemble, "write_part", lambda *a, **k: written.append(a[2]) or real_write(*a, **k))
    monkeypatch.setitem(pdf_assemble._FRONT_SHEETS, "last", guess)
    out = pdf_assemble.assemble_pack(tmp_path, 2020, pages, synthetic=True)
    reference = [t for t, _ in _sheets(runs / "2020" / "bestyrelsespakke_2020.pdf")]
    assert [t for t, _ in _sheets(out)] == reference
    front_sheets = pdf_assemble._FRONT_SHEETS["last"]
    assert rendered == ["index.html"] * (1 if guess == front_sheets else 2)
    assert written == ["index.html"]


def test_page_numbers_are_set_right_aligned_at_the_margin():
    from helhedsplan_eval.report import pdf_assemble as pa

    # Helvetica: S 667, i 222, d 556, e 556, space 278, digits 556, a 556, f 278 (1/1000 em)
    assert pa.text_width("Side 1 af 87", 8) == pytest.approx(5337 * 8 / 1000)
    assert pa.page_number_text(3, 12) == "Side 3 af 12"
    assert pa.NUMBER_RIGHT_MARGIN == pytest.approx(42.52, abs=0.01)  # 1,5 cm, PDF_CSS's right margin


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
