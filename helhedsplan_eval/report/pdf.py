"""The printable board pack: one tagged, archivable PDF built from the rendered (already disclosure-controlled) pages.

``build_board_pdf(folder, year, pages)`` reads ``index.html`` (whose first section is "Til bestyrelsen") and the
board pages of a finished run folder and lays every page out with WeasyPrint on A4 portrait as its own *part*
(:func:`layout_part`; in a run, the worker that rendered the page does it), the front page last; report.pdf_assemble
and report.pdf_merge put the parts together with their structure trees. Each part is numbered on its own by CSS page
counters in the @page margin boxes ("Bilag 3 · Tryghed og trivsel · Side 2 af 9", the front page "Side 1 af 4"), so
that no part depends on another's length. :func:`build_one_piece` lays the whole pack out at once instead ("Side N
af M" of the pack): the reference the tests compare the parts with, and the fallback. WeasyPrint writes the
synthetic-data notice in the header of every sheet on synthetic data, one bookmark per heading (each page's h1 is a
bilag's bookmark), the structure tree (headings, tables with TH cells, a Figure with the HTML alt text for every
chart), /Lang and the displayed title; it writes PDF/A-3a, and :func:`_identify_ua` adds the PDF/UA-1
identification to the same XMP packet (README, "The board pack"). No number is computed here: the PDF shows exactly
the text and images the HTML pages show.
"""

from __future__ import annotations

import contextlib
import functools
import html
import re
import struct
from pathlib import Path
from typing import Iterable

from helhedsplan_eval.report.reading_guide import STATUS_GUIDE
from helhedsplan_eval.report.style import board_css, weasyprint_fonts

#: Extra rules for the PDF on top of board.css's print rules (A4, page numbers, headers).
PDF_CSS = """
@page {
  size: A4 portrait;
  font-family: "Helhed Sans", sans-serif;
  margin: 1.8cm 1.5cm 1.8cm 1.5cm;
  @bottom-right { content: "Side " counter(page) " af " counter(pages); font-size: 8pt; color: #5b6670; }
  @bottom-left { content: string(pack-title); font-size: 8pt; color: #5b6670; }
}
.pdf-title-string { string-set: pack-title content(); display: block; height: 0; overflow: hidden; margin: 0;
  font-size: 0; line-height: 0; }  /* not display: none: an element without a box sets no string */
.pdf-part + .pdf-part { break-before: page; }  /* each page of the pack starts a sheet; no blank first sheet */
.page-list a::after { content: " (side " target-counter(attr(href url), page) ")"; }
.screen-only { display: none; }  /* what only the web page needs: the link to this PDF, the notebooks folder */
.board-summary h3 { break-after: avoid; }
.board-summary table { font-size: 7.5pt; }
.board-summary .attention-table tbody th { white-space: nowrap !important; }
.board-summary .status-summary { width: auto !important; min-width: 40%; }
.board-summary .status-summary td, .board-summary .status-summary th { padding: 0 0.35rem !important; }
.attention-table tr, .awaiting-table tr { break-inside: avoid; }
/* "Til bestyrelsen" on at most 4 sheets (issue 22; the sample's 22 attention rows took 5): the tables' lines
   a little closer than the prose's 1,55, at the same type size; the attention table's badge may wrap before
   "(usikkert)" (its status word is unbreakable, report.board.summary), which gives the Bemærkning column the room
   that a one-line "Ikke opfyldt (usikkert)" took; the short tables stay whole, with the sentence above them */
.board-summary table { line-height: 1.35; }
.board-summary .attention-table .status { white-space: normal !important; }
.board-summary .budget-summary, .board-summary .status-summary { break-inside: avoid; break-before: avoid; }
.page-list li { margin: 0.1rem 0; font-size: 1rem; }
details.provenance-files > :not(summary) { display: none; }
details > summary { list-style: none; font-weight: 600; }
"""

#: The pack's table cells break long words only where they must (``break-word``), not anywhere: with
#: board.css's ``overflow-wrap: anywhere`` WeasyPrint measures every cell's narrowest width character by
#: character (quadratic in the text's length), which was half of the pack's build time. Words of prose never
#: decide a column's width at A4, so the layout is the same; a table that does not fit with it is laid out
#: again with ``anywhere`` (see :func:`render_pack`).
FAST_WRAP_CSS = """
td, tbody th { overflow-wrap: break-word; }
"""

def synthetic_page_css(area_name: str) -> str:
    """The synthetic-data notice in the header of every sheet, naming the plan's area (params/plan.yml)."""
    text = f"Syntetiske eksempeldata – siger intet om {area_name}".replace("\\", "").replace('"', "'")
    return ('@page { @top-center { font-family: "Helhed Sans", sans-serif; '
            f'content: "{text}"; font-size: 8.5pt; font-weight: bold; color: #92400e; border: 1.5pt solid #b45309; '
            "background: #fef3c7; padding: 2pt 8pt; } }\n")


#: The last resort for a table that does not fit even so (a 400-character token): words break anywhere. board.css
#: itself breaks words in cells only where they must, hyphenated ("Krit/eri/um" was issue 22).
ANYWHERE_CSS = """
td, tbody th { overflow-wrap: anywhere; }
"""


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S | re.I)
_GUIDE_LINES = [ln.strip() for ln in STATUS_GUIDE.strip().splitlines()]
#: The reading guide as a notebook's Markdown output renders it: its bold title, its list, its last sentence.
_STATUS_GUIDE = re.compile(r"<p>\s*<strong>" + re.escape(_GUIDE_LINES[0].strip("*")) + r"</strong>\s*</p>\s*<ul>.*?</ul>\s*"
                           r"<p>\s*" + re.escape(_GUIDE_LINES[-1]) + r"\s*</p>", re.S)
_NARROW_CHART = re.compile(r"<figure class=(['\"])board-chart chart-narrow\1.*?</figure>", re.S)


class PdfError(RuntimeError):
    pass


def _body(page_html: str) -> str:
    m = _BODY.search(page_html)
    body = m.group(1) if m else page_html
    body = _STYLE.sub("", body)
    # the navigation and links between the HTML pages mean nothing on paper
    body = re.sub(r"<nav\b.*?</nav>", "", body, flags=re.S | re.I)
    # the phone version of a chart is never shown on paper (board.css): not parsed, not decoded
    body = _NARROW_CHART.sub("", body)
    return body


def _part_body(folder: Path, name: str, names: list[str]) -> str:
    """One page of the pack as a ``pdf-part`` div: its body without navigation, notebook cell anchors, styles
    or the phone charts; links to pages of the pack point inside the PDF, other page links are dropped."""

    def link(m: re.Match) -> str:
        # a link to a section of a page in the pack jumps inside the PDF; links to pages that are not
        # in the pack (and the page list's links) mean nothing on paper
        page, anchor = m.group(2), m.group(3)
        if page not in names:
            return ""
        return f'href="#{anchor}"' if anchor else f'href="#pdf-{Path(page).stem}"'

    body = _body((folder / name).read_text(encoding="utf-8"))
    if name != "index.html":  # "Sådan læses status" is printed once, in "Til bestyrelsen" (report.board.summary)
        body = _STATUS_GUIDE.sub("", body)
    body = re.sub(r'\bid=(["\'])cell-id=[^"\']*\1', "", body)  # notebook cell anchors repeat across pages
    body = re.sub(r'href=(["\'])([\w.-]+\.(?:html|csv|xlsx|pdf))(?:#([\w-]+))?\1', link, body)
    return f"<div class='pdf-part' id='pdf-{html.escape(Path(name).stem)}'>{body}</div>"


def pack_names(folder: Path, pages: Iterable[str]) -> list[str]:
    """The pack's pages in order: the front page, then every listed page that exists in ``folder``."""
    return [n for n in dict.fromkeys(["index.html", *pages]) if (Path(folder) / n).is_file()]


def _plan() -> dict:
    """params/plan.yml's ``plan`` (its name and area name), read alone, as paths.plan_years reads it: a worker laying
    out its part needs no more, and the whole catalogue (criteria.yml, checked) cost each worker about a second.
    The run has checked the file before any page is laid out."""
    from helhedsplan_eval.paths import params_dir

    return _plan_at(str(params_dir() / "plan.yml"))


@functools.lru_cache(maxsize=4)
def _plan_at(path: str) -> dict:
    from helhedsplan_eval.yaml_io import safe_load

    plan = (safe_load(Path(path).read_text(encoding="utf-8"), path) or {}).get("plan")
    return plan if isinstance(plan, dict) else {}


def pack_title(year: int) -> str:
    """The PDF's title (shown by the viewer, DisplayDocTitle): the plan's name from params/plan.yml."""
    from helhedsplan_eval.catalogue.period import plan_period

    return f"Bestyrelsespakke {plan_period().label(year)} · {_plan().get('name', '')}".rstrip(" ·")


def _document(year: int, parts: list[str], synthetic: bool, wrap_anywhere: bool, extra_css: str = "") -> str:
    css = board_css(fonts=False)  # board.css and the status colours; the shipped fonts come in render_document
    title = pack_title(year)
    body, style_rules = _styles_to_rules("".join(parts))
    extra = (PDF_CSS + (ANYWHERE_CSS if wrap_anywhere else FAST_WRAP_CSS)
             + (synthetic_page_css(_plan().get("area_name", "")) if synthetic else "") + extra_css)
    return (f"<!DOCTYPE html><html lang='da'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{css}</style><style>{extra}</style><style>{style_rules}</style></head>"
            f"<body class='board-report board-pdf' id='pdf-pack'>"
            f"<span class='pdf-title-string'>{html.escape(title)}</span>{body}</body></html>")


def pack_html(folder: Path, year: int, pages: Iterable[str], synthetic: bool, wrap_anywhere: bool = False) -> str:
    """The single HTML document the PDF is rendered from: the front page, then every page in order.

    ``wrap_anywhere`` keeps board.css's ``overflow-wrap: anywhere`` in table cells (slow, for tables that do
    not fit otherwise); by default cells break words only where they must (:data:`FAST_WRAP_CSS`)."""
    folder = Path(folder)
    names = pack_names(folder, pages)
    return _document(year, [_part_body(folder, n, names) for n in names], synthetic, wrap_anywhere)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "").replace('"', "'") + '"'


def part_label(body: str, name: str, pages: list[str], titles: dict[str, str] | None = None) -> str:
    """The bilag's name in its page numbers: "Bilag 3 · Tryghed og trivsel" (its place among ``pages``, the order of
    the front page's list of bilag, and its title there, ``titles[name]``; without it, its h1), "" for the front
    page."""
    bilag = [p for p in dict.fromkeys(pages) if p != "index.html"]
    if name not in bilag:
        return ""
    h1 = re.search(r"<h1\b[^>]*>(.*?)</h1>", body, flags=re.S | re.I)
    title = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", h1.group(1))).split()) if h1 else ""
    title = (titles or {}).get(name, title)
    return " · ".join(x for x in (f"Bilag {bilag.index(name) + 1}", title) if x)


def sheets_text(n: int) -> str:
    return "1 side" if n == 1 else f"{n} sider"


def part_html(folder: Path, year: int, name: str, pages: Iterable[str], synthetic: bool,
              wrap_anywhere: bool = False, sheets: dict[str, int] | None = None,
              titles: dict[str, str] | None = None) -> str:
    """One page of the pack as a document of its own (a part, see report.pdf_assemble), as it looks inside the whole
    pack but numbered on its own: "Bilag 3 · Tryghed og trivsel · Side 2 af 9", the front page "Side 1 af 4".
    ``sheets`` (the front page, laid out after the bilag): each bilag's number of sheets by its page's stem, written
    after its entry in the list of bilag ("(9 sider)") instead of the one-piece pack's "(side N)"."""
    folder, pages = Path(folder), list(pages)
    # links are kept to every page of the pack, also to those not yet written when a worker lays this part out
    body = _part_body(folder, name, ["index.html", *pages])
    label = part_label(body, name, pages, titles)
    extra = ("@page { @bottom-right { content: " + (_css_string(label + " · Side ") if label else '"Side "')
             + ' counter(page) " af " counter(pages); } }\n')
    if sheets is not None:
        def entry(m: re.Match) -> str:
            n = sheets.get(m.group(2))
            return m.group(0) if n is None else f"{m.group(1)}{m.group(3)} ({sheets_text(n)})</a>"

        def page_list(m: re.Match) -> str:
            return re.sub(r'(<a href="#pdf-([\w-]+)"[^>]*>)(.*?)</a>', entry, m.group(0), flags=re.S)

        body = re.sub(r'<ol class=(["\'])page-list\1.*?</ol>', page_list, body, flags=re.S)
        extra += ".page-list a::after { content: none; }\n"
    return _document(year, [body], synthetic, wrap_anywhere, extra)


_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_STYLE_ATTR = re.compile(r"""\sstyle=(["'])([^"'<>{}]*)\1""")


def _styles_to_rules(body: str) -> tuple[str, str]:
    """The pages' inline ``style`` attributes as rules of one stylesheet, one rule per distinct style.

    The board's tables repeat the same few inline styles thousands of times; WeasyPrint parses an inline
    style once per element, a rule once. Each rule is ``#pdf-pack [data-pdf-style="n"]``: no rule of
    board.css uses an id, so, like the inline style it replaces, it wins over every normal declaration
    and loses to the print stylesheet's ``!important`` ones; the laid-out pack is the same."""
    styles: dict[str, int] = {}

    def attr(m: re.Match) -> str:
        style = html.unescape(m.group(2))
        if any(c in style for c in "{}<"):  # not a plain declaration list: left inline
            return m.group(0)
        return f' data-pdf-style="{styles.setdefault(style, len(styles))}"'

    body = _TAG.sub(lambda t: _STYLE_ATTR.sub(attr, t.group(0)), body)
    rules = "\n".join(f'#pdf-pack [data-pdf-style="{n}"] {{ {style} }}' for style, n in styles.items())
    return body, rules


def render_document(doc_html: str, base_url: str | None = None):
    """The WeasyPrint document (laid out for print) of ``doc_html``."""
    try:
        from weasyprint import HTML
    except ImportError as exc:  # pragma: no cover - weasyprint is a dependency
        raise PdfError("PDF-bestyrelsespakken kræver pakken weasyprint (pip install weasyprint).") from exc
    fonts, font_config = weasyprint_fonts()  # the shipped fonts (report.style), loaded once per process
    return HTML(string=doc_html, base_url=base_url).render(stylesheets=[fonts], font_config=font_config)


def render_pack(folder: Path, year: int, pages: Iterable[str], synthetic: bool = False):
    """The laid-out pack: cells break words only where they must; if a table is then wider than the
    printable width (a long unbreakable token), the pack is laid out again with ``overflow-wrap: anywhere``."""
    folder, pages = Path(folder), list(pages)
    return _fitting(lambda anywhere: pack_html(folder, year, pages, synthetic, wrap_anywhere=anywhere), folder)


def _fitting(document, folder: Path):
    """``document(wrap_anywhere)`` laid out: with cells breaking words only where they must, and once more with
    ``overflow-wrap: anywhere`` when a table is then wider than the printable width."""
    doc = render_document(document(False), base_url=str(folder))
    if table_overflows(doc):
        doc = render_document(document(True), base_url=str(folder))
    return doc


def build_board_pdf(folder: Path, year: int, pages: Iterable[str], synthetic: bool = False,
                    titles: dict[str, str] | None = None) -> Path:
    """Write ``folder/bestyrelsespakke_<year>.pdf`` from the pages in ``folder`` and return its path: every page laid
    out as its own tagged part, the front page last, merged with their structure trees (report.pdf_assemble; a run
    has its workers lay the bilag out, and lays out here only what they did not)."""
    from helhedsplan_eval.report.pdf_assemble import assemble_pack

    return assemble_pack(folder, year, pages, synthetic, titles=titles)


def build_one_piece(folder: Path, year: int, pages: Iterable[str], synthetic: bool = False) -> Path:
    """Write ``folder/bestyrelsespakke_<year>.pdf`` laid out once, in one piece (the structure tree, bookmarks, links
    and page counters span the whole pack: "Side N af M" of the pack), and return its path. The reference the parts
    are tested against, and the fallback when the parts cannot be merged."""
    folder = Path(folder)
    doc = render_pack(folder, year, pages, synthetic)
    out = folder / f"bestyrelsespakke_{year}.pdf"
    tmp = out.with_name(out.name + ".tmp")
    write_pdf(doc, tmp)
    tmp.replace(out)
    return out


#: PDF/A-3a (tagged, fonts embedded, sRGB output intent, XMP) is WeasyPrint's variant; PDF/UA-1 adds no more to
#: the file than PDF/A-3a's tags already give (DisplayDocTitle, MarkInfo, /Lang, Alt), but its identification.
PDF_VARIANT = "pdf/a-3a"

#: The PDF/UA identification, and its schema described for PDF/A (whose validators accept no undeclared schema).
UA_XMP = (
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
    b"<pdfuaid:part>1</pdfuaid:part></rdf:Description>"
    b'<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
    b'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    b"<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">"
    b"<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>"
    b"<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix><pdfaSchema:schema>PDF/UA identification schema</pdfaSchema:schema>"
    b"<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\"><pdfaProperty:category>internal</pdfaProperty:category>"
    b"<pdfaProperty:description>PDF/UA version identifier</pdfaProperty:description><pdfaProperty:name>part</pdfaProperty:name>"
    b"<pdfaProperty:valueType>Integer</pdfaProperty:valueType></rdf:li></rdf:Seq></pdfaSchema:property>"
    b"</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"
)


def _identify_ua(doc) -> None:
    """Add the PDF/UA-1 identification to the XMP packet WeasyPrint writes for ``doc`` (its variant option names one
    standard; this document's metadata object only is changed)."""
    meta = doc.metadata
    generate = meta.generate_rdf_metadata

    def with_ua(*args, **kwargs):
        rdf = generate(*args, **kwargs)
        if b"pdfuaid:part" in rdf:
            return rdf
        return rdf.replace(b"</rdf:RDF>", UA_XMP + b"</rdf:RDF>")

    meta.generate_rdf_metadata = with_ua


def render_part(folder: Path, year: int, name: str, pages: Iterable[str], synthetic: bool = False,
                sheets: dict[str, int] | None = None, titles: dict[str, str] | None = None):
    """The laid-out (WeasyPrint) document of one part (:func:`part_html`); a table that does not fit is laid out
    again with ``anywhere``, as in :func:`render_pack`."""
    folder, pages = Path(folder), list(pages)
    return _fitting(lambda anywhere: part_html(folder, year, name, pages, synthetic, wrap_anywhere=anywhere,
                                               sheets=sheets, titles=titles), folder)


def layout_part(folder: Path, year: int, name: str, pages: Iterable[str], synthetic: bool = False,
                out: Path | None = None, sheets: dict[str, int] | None = None,
                titles: dict[str, str] | None = None) -> dict:
    """Lay out one page of the pack as its own tagged PDF (PDF/A-3a, PDF/UA-1 identification), written to ``out``
    (default ``folder/.pdf-<stem>.pdf``), and return what the merge needs (report.pdf_assemble): its path and number
    of sheets, and the ``foreign`` anchors. A link to an anchor in another part would be dropped by WeasyPrint
    (no such anchor here), taking its Link structure element with it; so each such target gets a stand-in anchor on
    the part's first sheet, the link keeps its named destination, and the merge resolves the name against the part
    that really holds it (the stand-ins are left out). Pure data in the result: a worker process can return it."""
    doc = render_part(folder, year, name, pages, synthetic, sheets, titles)
    own = {a for page in doc.pages for a in page.anchors}
    foreign = sorted({t for page in doc.pages for kind, t, _r, _b in page.links if kind == "internal"} - own)
    for anchor in foreign:
        doc.pages[0].anchors[anchor] = (0, 0, 0, 0)
    out = Path(out) if out is not None else Path(folder) / f".pdf-{Path(name).stem}.pdf"
    write_pdf(doc, out)
    return {"name": name, "path": str(out), "sheets": len(doc.pages), "foreign": foreign}


def write_pdf(doc, target) -> None:
    """Write the laid-out pack as PDF/A-3a with the PDF/UA-1 identification (tagged, every font embedded)."""
    _identify_ua(doc)
    with png_passthrough():
        doc.write_pdf(target, pdf_variant=PDF_VARIANT, pdf_tags=True)


def table_overflows(doc) -> list[tuple[int, float, float]]:
    """Tables wider than the printable width: (page number, table width, printable width) in CSS px."""
    from weasyprint.formatting_structure import boxes

    out = []
    for n, page in enumerate(doc.pages, start=1):
        root = page._page_box
        printable = root.width  # content width of the page box (A4 minus margins)
        left = root.content_box_x()

        def walk(box):
            if isinstance(box, boxes.TableBox):
                right = box.position_x + box.margin_width()
                if right - left > printable + 0.5 or box.position_x < left - 0.5:
                    out.append((n, round(box.margin_width(), 1), round(printable, 1)))
            for child in getattr(box, "children", []) or []:
                walk(child)

        walk(root)
    return out


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def rgb_png_data(png: bytes) -> bytes | None:
    """The compressed image data (the IDAT chunks joined) of an 8-bit RGB, non-interlaced PNG, else None.

    That data is what a PDF image with ``/FlateDecode`` and PNG predictors (``/Predictor 15``, 3 colours, 8 bits,
    the image's width as ``/Columns``) holds: the PNG's zlib stream of filtered rows, byte for byte."""
    if not png.startswith(_PNG_SIGNATURE) or png[12:16] != b"IHDR" or len(png) < 33:
        return None
    _w, _h, depth, colour, compression, filtering, interlace = struct.unpack("!IIBBBBB", png[16:29])
    if (depth, colour, compression, filtering, interlace) != (8, 2, 0, 0, 0):
        return None
    chunks, pos = [], 8
    while pos + 8 <= len(png):
        length, kind = struct.unpack("!I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            chunks.append(png[pos + 8:pos + 8 + length])
        elif kind == b"IEND":
            return b"".join(chunks) or None
        pos += 12 + length
    return None  # no IEND: not a whole PNG, left to Pillow


_PASSTHROUGH = {"depth": 0}


@contextlib.contextmanager
def png_passthrough():
    """While WeasyPrint writes a PDF, an 8-bit RGB PNG's compressed data goes into the PDF as it is.

    WeasyPrint decodes every PNG and compresses it again at zlib level 6 (``RasterImage._get_png_data``), which
    was about a fifth of the board pack's CPU time for its 40-odd charts. The board's charts are written as RGB
    PNGs (report.board.charts.png_bytes), whose data is already what the PDF image needs (:func:`rgb_png_data`);
    any other image (RGBA, grey, palette, 16 bits, interlaced, JPEG) takes WeasyPrint's own way. The pixels in
    the PDF are the same either way (tests/test_pdf_images.py). With a WeasyPrint without that method, nothing
    changes."""
    try:
        from weasyprint.images import RasterImage
    except ImportError:  # pragma: no cover - weasyprint is a dependency
        yield
        return
    original = RasterImage.__dict__.get("_get_png_data")
    if _PASSTHROUGH["depth"] or not isinstance(original, staticmethod):
        yield
        return
    encode = original.__func__

    def get_png_data(pillow_image):
        source = getattr(pillow_image, "fp", None)
        if getattr(pillow_image, "format", None) == "PNG" and source is not None:
            try:
                at = source.tell()
                source.seek(0)
                data = rgb_png_data(source.read())
                source.seek(at)
            except (OSError, ValueError, AttributeError):
                data = None
            if data is not None:
                return data
        return encode(pillow_image)

    RasterImage._get_png_data = staticmethod(get_png_data)
    _PASSTHROUGH["depth"] += 1
    try:
        yield
    finally:
        _PASSTHROUGH["depth"] -= 1
        RasterImage._get_png_data = original
