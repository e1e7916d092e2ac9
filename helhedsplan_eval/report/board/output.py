"""Board output: what a notebook shows the board carries the package's mark; nothing else reaches a board page.

Every board building block displays its content through :class:`BoardOutput`, which hands Jupyter the content
(HTML or Markdown) together with the output metadata ``{"helhedsplan_eval": {"board": true}}``. The annual run
renders only outputs with that mark onto the board's HTML pages (and so into the PDF pack): anything else a cell
shows — a ``print``, a bare DataFrame, a chart made by hand — stays in the executed notebook for researchers and
is named in the run log (``run.render.board_outputs``). Notebooks use :func:`html`, :func:`markdown` and
:func:`table` for content the package computed (``report.html(report.figure_html(fig, alt))``, ``report.table(df,
"fit-status")``); JupyterLab shows them as before.
"""

from __future__ import annotations

#: The key of the mark in an output's metadata, and the mark itself.
BOARD_KEY = "helhedsplan_eval"
BOARD_MARK = {"board": True}

# What IPython's own HTML/Markdown objects show as plain text (the kept notebook's text/plain stays as it was).
_PLAIN = {"text/html": "<IPython.core.display.HTML object>", "text/markdown": "<IPython.core.display.Markdown object>"}


class BoardOutput:
    """Content for the board page: one MIME type and its text, displayed with the board's mark."""

    def __init__(self, mime: str, text: str):
        self.mime, self.text = mime, str(text)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {self.mime: self.text, "text/plain": _PLAIN.get(self.mime, "")}, {BOARD_KEY: dict(BOARD_MARK)}

    def __repr__(self) -> str:
        return _PLAIN.get(self.mime, f"<BoardOutput {self.mime}>")


def html(text: str) -> BoardOutput:
    """HTML the package made (a board building block, a chart's ``figure_html``), marked for the board page."""
    return BoardOutput("text/html", text)


def markdown(text: str) -> BoardOutput:
    """Markdown text for the board page (rendered by the page as Jupyter renders it), marked."""
    return BoardOutput("text/markdown", text)


def table(df, uuid: str, caption: str = "") -> BoardOutput | None:
    """A table of the package (already disclosure-controlled) as the board sees it: accessible HTML
    (:func:`.tables.frame_table_html`: the caption, one header row, the index as row headers, every cell escaped)
    with a fixed id ``uuid`` (so two runs give the same page); None for None."""
    if df is None:
        return None
    from helhedsplan_eval.report.board.tables import frame_table_html

    return html(frame_table_html(df, uuid, caption))


def is_board_output(output) -> bool:
    """True if a notebook output (a dict of nbformat) carries the board's mark."""
    meta = output.get("metadata") or {}
    mark = meta.get(BOARD_KEY) if isinstance(meta, dict) else None
    return isinstance(mark, dict) and mark.get("board") is True
