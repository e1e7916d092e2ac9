"""Putting the board pack together from parts laid out on their own, so that the run's workers can lay the parts
out in parallel while other notebooks still run (run.execute) instead of one process laying out all 80-odd sheets
at the end.

:func:`assemble_pack` lays out what is still missing (every part, when called without parts: the pack is then
the same as laid out in one piece), then the front page last, with the first sheet of every part written in its
page list; appends the parts in order with pypdf; writes "Side N af M" on every sheet where WeasyPrint writes it
in the pack laid out in one piece (Helvetica, metric-compatible with the page's Liberation Sans, 8 pt, grey,
right-aligned at the right margin); and adds the internal links (the overview's criterion ids, the front page's
page list), whose targets may lie in another part, as PDF link annotations to the target's place. No number is
computed here: every figure is the pages' own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from helhedsplan_eval.report.pdf import PdfError, layout_part, pack_names, pack_title, render_part, write_part

#: PDF points per CSS px (WeasyPrint's 96 dpi against PDF's 72).
PX = 0.75

#: Helvetica's advance widths (1/1000 em) of the characters of "Side N af M".
_HELVETICA = {"S": 667, "i": 222, "d": 556, "e": 556, " ": 278, "a": 556, "f": 278, **{str(d): 556 for d in range(10)}}

#: Where WeasyPrint puts the page number in the pack laid out in one piece (PDF_CSS's @bottom-right): 8 pt,
#: #5b6670, right edge at the right margin (1,5 cm), baseline 22,74 pt above the sheet's lower edge.
NUMBER_SIZE, NUMBER_RGB, NUMBER_RIGHT_MARGIN, NUMBER_BASELINE = 8.0, (0.357, 0.4, 0.439), 1.5 / 2.54 * 72, 22.74


def page_number_text(n: int, total: int) -> str:
    return f"Side {n} af {total}"


def text_width(text: str, size: float) -> float:
    """Width in points of ``text`` set in Helvetica at ``size`` points."""
    return sum(_HELVETICA[c] for c in text) * size / 1000


#: The front page's number of sheets when it was last laid out in this process: the first guess for the next
#: (the years of --all-years), so that it is usually laid out once.
_FRONT_SHEETS = {"last": 2}


def _front_page(folder: Path, year: int, names: list[str], pages: list[str], synthetic: bool, parts: dict) -> dict:
    """The front page laid out with each part's first sheet in its page list; the sheets of the front page itself
    count, so it is laid out again when the guess of its own length (its length the last time) was wrong. Only the
    layout that is kept is written."""
    own = _FRONT_SHEETS["last"]
    for _ in range(4):
        refs, n = {}, own + 1
        for name in names[1:]:
            refs[Path(name).stem] = n
            n += parts[name]["sheets"]
        doc = render_part(folder, year, names[0], pages, synthetic, page_refs=refs)
        if len(doc.pages) == own:
            return write_part(doc, folder, names[0])
        own = _FRONT_SHEETS["last"] = len(doc.pages)
    raise PdfError("Forsiden i PDF-bestyrelsespakken skifter længde med sine egne sidetal.")  # pragma: no cover


def assemble_pack(folder: Path, year: int, pages: Iterable[str], synthetic: bool = False,
                  parts: dict[str, dict] | None = None) -> Path:
    """Write ``folder/bestyrelsespakke_<year>.pdf`` from the parts (``{page name: layout_part(...) result}``, laid
    out elsewhere, e.g. by the workers) and lay out here whatever part is missing; return the path. The parts'
    files are removed afterwards."""
    folder, pages = Path(folder), list(pages)
    names = pack_names(folder, pages)
    given = list((parts or {}).values())
    if not names:
        raise PdfError("Der er ingen sider at samle i PDF-bestyrelsespakken.")
    parts = {n: p for n, p in (parts or {}).items() if n in names and Path(p["path"]).is_file()}
    body = names[1:] if names[0] == "index.html" else names
    try:
        for name in body:
            if name not in parts:
                parts[name] = layout_part(folder, year, name, pages, synthetic)
        order = [parts[n] for n in body]
        if body is not names:
            parts["index.html"] = _front_page(folder, year, names, pages, synthetic, parts)
            order.insert(0, parts["index.html"])
        out = folder / f"bestyrelsespakke_{year}.pdf"
        _merge(order, out, year)
        return out
    finally:
        for part in [*given, *parts.values()]:  # none is published, whether used or not
            Path(part["path"]).unlink(missing_ok=True)


def _merge(order: list[dict], out: Path, year: int) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    offsets = []
    for part in order:
        offsets.append(len(writer.pages))
        writer.append(part["path"])  # with its bookmarks (WeasyPrint's, from the part's headings)
    total = len(writer.pages)
    if total != sum(p["sheets"] for p in order):
        raise PdfError(f"PDF-bestyrelsespakken fik {total} sider, delene har {sum(p['sheets'] for p in order)}.")
    for i, page in enumerate(writer.pages):
        _stamp(writer, page, page_number_text(i + 1, total))
    _link(writer, order, offsets)
    _describe(writer, year)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "wb") as fh:
        writer.write(fh)
    tmp.replace(out)


def _describe(writer, year: int) -> None:
    """The document's title and language, as WeasyPrint writes them for the pack laid out in one piece (the
    ``<title>`` and ``lang`` of report.pdf's document)."""
    from pypdf.generic import NameObject, TextStringObject

    writer.add_metadata({"/Title": pack_title(year)})
    writer._root_object[NameObject("/Lang")] = TextStringObject("da")


def _stamp(writer, page, text: str) -> None:
    """Write ``text`` at the page number's place, after the sheet's own content (wrapped in q … Q, because
    WeasyPrint leaves its coordinate transformation in force at the end of a sheet)."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    x = float(page.mediabox.right) - NUMBER_RIGHT_MARGIN - text_width(text, NUMBER_SIZE)
    r, g, b = NUMBER_RGB
    ops = (f"Q q BT /HEPageNo {NUMBER_SIZE:g} Tf {r} {g} {b} rg {x:.2f} {NUMBER_BASELINE} Td "
           f"({text}) Tj ET Q").encode("latin-1")
    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q ")
    after.set_data(b" " + ops)
    raw = page.raw_get("/Contents")
    own = raw.get_object()
    streams = list(own) if isinstance(own, ArrayObject) else [raw]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(before), *streams, writer._add_object(after)])
    resources = page["/Resources"]
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = DictionaryObject()
        resources[NameObject("/Font")] = fonts
    fonts.get_object()[NameObject("/HEPageNo")] = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    })


def _link(writer, order: list[dict], offsets: list[int]) -> None:
    """Every internal link of every part as a link annotation to its anchor's place (the first anchor of that
    name in the pack, as WeasyPrint does; a link to no anchor is left out, as WeasyPrint does)."""
    from pypdf.annotations import Link
    from pypdf.generic import Fit

    anchors: dict[str, tuple[int, float, float, float]] = {}
    for part, off in zip(order, offsets):
        for name, (sheet, x, y) in part["anchors"].items():
            anchors.setdefault(name, (off + sheet, x, y, part["size"][1]))
    for part, off in zip(order, offsets):
        height = part["size"][1]
        for sheet, (x1, y1, x2, y2), target in part["links"]:
            if target not in anchors:
                continue
            t, x, y, t_height = anchors[target]
            rect = (x1 * PX, (height - y2) * PX, x2 * PX, (height - y1) * PX)
            writer.add_annotation(off + sheet, Link(rect=rect, border=[0, 0, 0], target_page_index=t,
                                                    fit=Fit.xyz(left=x * PX, top=(t_height - y) * PX, zoom=0)))
