"""Putting the board pack together from parts laid out on their own, so that the run's workers lay the bilag out
in parallel while other notebooks still run (run.execute) instead of one process laying out every sheet at the end.

Each part is numbered on its own ("Bilag 3 · Tryghed og trivsel · Side 2 af 9"; the front page "Side 1 af 4"), by
WeasyPrint's CSS page counters: no part depends on another's length, so a worker lays its page's part out as soon
as the page is rendered. :func:`assemble_pack` lays out what is still missing (every part, when called without
parts), then the front page last, with each bilag's number of sheets in its list of bilag, and merges the tagged
parts with their structure trees (report.pdf_merge). Should the merge fail, the pack is laid out in one piece
instead (report.pdf.build_one_piece). No number is computed here: every figure is the pages' own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from helhedsplan_eval.report.pdf import PdfError, build_one_piece, layout_part, pack_names


def page_label(part: dict, number: int) -> str:
    """The viewer's page label prefix of a part: "Bilag 3, s. " (its number in the list of bilag), the front page's
    "Til bestyrelsen, s. "."""
    return "Til bestyrelsen, s. " if part["name"] == "index.html" else f"Bilag {number}, s. "


def assemble_pack(folder: Path, year: int, pages: Iterable[str], synthetic: bool = False,
                  parts: dict[str, dict] | None = None, titles: dict[str, str] | None = None) -> Path:
    """Write ``folder/bestyrelsespakke_<year>.pdf`` from the parts (``{page name: layout_part(...) result}``, laid
    out elsewhere, e.g. by the workers), laying out here whatever part is missing; return the path. ``titles``: the
    bilag's titles as the front page lists them, by page name (report.pdf.part_label). The parts' files are removed
    afterwards."""
    from helhedsplan_eval.report.pdf_merge import merge_parts

    folder, pages = Path(folder), list(pages)
    names = pack_names(folder, pages)
    given = list((parts or {}).values())
    if not names:
        raise PdfError("Der er ingen sider at samle i PDF-bestyrelsespakken.")
    parts = {n: p for n, p in (parts or {}).items() if n in names and Path(p["path"]).is_file()}
    body = [n for n in names if n != "index.html"]
    bilag = [p for p in dict.fromkeys(pages) if p != "index.html"]
    out = folder / f"bestyrelsespakke_{year}.pdf"
    try:
        for name in body:
            if name not in parts:
                parts[name] = layout_part(folder, year, name, pages, synthetic, titles=titles)
        order = [parts[n] for n in body]
        if "index.html" in names:
            sheets = {Path(p["name"]).stem: p["sheets"] for p in order}
            parts["index.html"] = layout_part(folder, year, "index.html", pages, synthetic, sheets=sheets)
            order.insert(0, parts["index.html"])
        labels = [page_label(p, bilag.index(p["name"]) + 1 if p["name"] in bilag else 0) for p in order]
        try:
            merge_parts(order, out, labels)
        except Exception:  # the parts cannot be merged: the pack in one piece, numbered as a whole
            build_one_piece(folder, year, pages, synthetic)
        return out
    finally:
        for part in [*given, *parts.values()]:  # none is published, whether used or not
            Path(part["path"]).unlink(missing_ok=True)
