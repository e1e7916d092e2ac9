"""Rendering: executed notebooks made reproducible and path-free, and their code-free board pages.

:func:`_clean_executed` strips papermill's and Jupytext's metadata and fixes the cell ids; :func:`scrub_paths`
replaces the evaluator's absolute paths (:func:`path_replacements`) in every text of a kept notebook;
:func:`render_html` renders the board page with the ``board`` nbconvert template (no code, no prompts, images
embedded), keeping only the outputs the package marked for the board (:func:`board_outputs`): whatever else a cell
printed or showed stays in the kept notebook and is named in the run log.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Sequence

from helhedsplan_eval.paths import BOARD_TEMPLATE, TEMPLATES_DIR, project_root


#: Placeholder for a data folder outside the project in the kept notebooks and provenance.json.
OUTSIDE_DATA = "<datamappe uden for projektet>"


def _clean_executed(nb, source_path: str | os.PathLike | None = None):
    """Strip run-dependent metadata so the kept .ipynb and the HTML are reproducible.

    Cell ids become fixed: the injected parameters cell is ``injected-parameters``; cells the
    source notebook saved without an id (nbformat < 4.5; papermill/nbformat then invent random
    ones) get ``cell-<n>`` by their position in the source notebook."""
    nb.metadata.pop("papermill", None)
    # the kept copy is an output, not a source: without the pairing a researcher who opens and saves it in
    # JupyterLab does not get a stray Jupytext .py beside it
    nb.metadata.pop("jupytext", None)
    src_ids: list | None = None
    src_had_injected = False
    if source_path is not None:
        with open(source_path, encoding="utf-8") as f:
            src_cells = json.load(f).get("cells", [])
        src_ids = [c.get("id") for c in src_cells]
        src_had_injected = any("injected-parameters" in c.get("metadata", {}).get("tags", []) for c in src_cells)
    k = 0  # position in the source notebook
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
            k += 1 if src_had_injected else 0  # it replaced the source's own injected cell
            continue
        if src_ids is not None and k < len(src_ids):
            cell["id"] = src_ids[k] or f"cell-{k + 1}"
        k += 1
    if src_ids is not None:
        nb.nbformat, nb.nbformat_minor = 4, max(int(nb.get("nbformat_minor", 5)), 5)
    return nb


def path_replacements(data_dir: str | os.PathLike | None = None, extra: Sequence[tuple[str, str]] = ()) -> list:
    """``(path, replacement)`` pairs that make the evaluator's absolute paths disappear from kept
    notebooks: the data folder (relative to the project, or a placeholder when outside it), the
    project root (paths become relative to it), the home folder (``~``) and the temp folder."""
    pairs: list[tuple[str, str]] = list(extra)
    root = project_root()
    if data_dir is not None:
        data = Path(data_dir).resolve()
        try:
            rel = data.relative_to(root).as_posix()
        except ValueError:
            rel = None
        if rel is None:
            pairs.append((str(data), OUTSIDE_DATA))
    pairs.append((str(root), "."))
    home = Path.home()
    if str(home) not in ("/", ""):
        pairs.append((str(home), "~"))
    for tmp in {tempfile.gettempdir(), os.path.realpath(tempfile.gettempdir())}:
        if tmp not in ("/", ""):
            pairs.append((tmp, "<tmp>"))
    # longest first, so that a folder inside another is replaced as a whole
    return sorted(dict.fromkeys(pairs), key=lambda kv: len(kv[0]), reverse=True)


_PATH_END = r"""(?=$|[/\\\s'"`),:;\]}>|]|\x1b)"""


def _scrub_text(text: str, pairs) -> str:
    import re

    for old, new in pairs:
        if old not in text:
            continue
        if new == ".":  # inside the project root: relative paths
            text = re.sub(re.escape(old) + r"[/\\]", "", text)
        text = re.sub(re.escape(old) + _PATH_END, lambda m: new, text)
    return text


def scrub_paths(nb, pairs):
    """The executed notebook with the absolute paths of ``pairs`` replaced in every text: cell
    sources, text outputs, tracebacks, metadata (images and other binary outputs are left as is)."""
    if not pairs:
        return nb

    def walk(obj, key=None):
        if isinstance(obj, str):
            return _scrub_text(obj, pairs)
        if isinstance(obj, list):
            return [walk(v) for v in obj]
        if isinstance(obj, dict):
            for k in list(obj):
                if isinstance(k, str) and k.startswith("image/") and k != "image/svg+xml":
                    continue
                obj[k] = walk(obj[k], k)
            return obj
        return obj

    for cell in nb.cells:
        walk(cell)
    walk(nb.metadata)
    return nb


#: Cells the board page leaves out whole (``remove-cell``: shown in the notebook only; the parameter cells), and cells
#: whose outputs it leaves out (``remove-output``): the exporter's TagRemovePreprocessor removes them.
REMOVED_CELL_TAGS = frozenset({"remove-cell", "parameters", "injected-parameters"})
REMOVED_OUTPUT_TAGS = frozenset({"remove-output"})


def board_outputs(nb):
    """The notebook as the board may see it, and the cells that showed something else.

    Only outputs with the board's mark (:mod:`helhedsplan_eval.report.board.output`, set where the package
    displays board content) stay; every other output of a shown cell (a ``print``, a bare DataFrame, a chart made
    by hand, a warning, a traceback) is left out. Returns ``(copy, cells)``: ``cells`` are the numbers (1-based,
    as in the source notebook: the injected parameters cell is not counted) of the cells with an output left out,
    not counting cells the page leaves out anyway (tags ``remove-cell``, ``remove-output``, the parameters)."""
    from helhedsplan_eval.report.board.output import is_board_output

    nb = copy.deepcopy(nb)
    hidden, number = [], 0
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "injected-parameters" not in tags:
            number += 1
        if cell.cell_type != "code":
            continue
        kept = [o for o in cell.get("outputs", []) if is_board_output(o)]
        if len(kept) < len(cell.get("outputs", [])) and not tags & (REMOVED_CELL_TAGS | REMOVED_OUTPUT_TAGS):
            hidden.append(number)
        cell.outputs = kept
    return nb, hidden


def hidden_output_lines(notebook: str, cells) -> list[str]:
    """What the run log and the terminal say about outputs left off the board page, one line per cell."""
    return [f"{notebook}, celle {n}: output ikke vist for bestyrelsen" for n in cells]


_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)", re.I)


def _board_exporter_class():
    """nbconvert's HTML exporter without its last step. ``HTMLExporter.from_notebook_node`` parses every page it
    made with BeautifulSoup and writes it out again, for two things: an English alt text on each ``img`` without
    one, and ``tabindex="0"`` on every cell under ``.jp-Notebook``, which the board template does not use (WCAG:
    no tabindex on what is not interactive). That round trip was a tenth of a CPU-second per page. Here the
    template's output is kept as it is, and an ``img`` without alt text gets a Danish one."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class BoardExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code",
                                 self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _IMG_WITHOUT_ALT.sub('<img alt="Billedet har ingen beskrivelse"', html), resources

    return BoardExporter


@functools.lru_cache(maxsize=1)
def _exporter():
    """The board's HTML exporter, made once per process: nbconvert compiles its Jinja templates per exporter,
    about 0,1 CPU-second per page when each page had its own. Reusable: it keeps no state between calls."""
    from traitlets.config import Config

    c = Config()
    c.CSSHTMLHeaderPreprocessor.enabled = False  # Pygments CSS: no code is shown
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVED_CELL_TAGS)
    c.TagRemovePreprocessor.remove_input_tags = {"remove-input"}
    c.TagRemovePreprocessor.remove_all_outputs_tags = set(REMOVED_OUTPUT_TAGS)
    return _board_exporter_class()(
        config=c,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name=BOARD_TEMPLATE,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
        language_code="da",
    )


def _with_plan(board: dict) -> dict:
    """The page's programme line (the active plan's title) and the year's label, unless given."""
    from helhedsplan_eval.catalogue.names import plan_names
    from helhedsplan_eval.catalogue.period import plan_period

    out = dict(board)
    out.setdefault("programme", plan_names().title)
    out.setdefault("year_label", plan_period().label(int(board["year"])))
    return out


def render_html(nb, title: str, board: dict, nb_dir: str | os.PathLike | None = None) -> str:
    """Render an executed notebook to the self-contained board HTML page; ``nb_dir`` is the
    folder relative to which markdown images are found and embedded."""
    return render_page(nb, title, board, nb_dir)[0]


def render_page(nb, title: str, board: dict, nb_dir: str | os.PathLike | None = None) -> tuple[str, list[int]]:
    """:func:`render_html` and the numbers of the cells whose outputs the page left out (:func:`board_outputs`)."""
    exporter = _exporter()
    nb, hidden = board_outputs(nb)
    nb.metadata["title"] = f"{title} – {board['year']}"
    from helhedsplan_eval.report.style import board_css  # the shipped fonts, board.css, the status colours

    board = _with_plan(board)
    resources = {"board": {**board, "css": board_css()}, "metadata": {"name": title, "path": str(nb_dir or ".")}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body, hidden
