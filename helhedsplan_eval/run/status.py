"""The year's status table as the run uses it: computed, written, counted per status word, styled.

The status engine (``analysis.evaluate``) computes the table with the run's disclosure threshold and writes it as
CSV and Excel; :func:`status_counts` counts its rows per status word in the board's order (``STATUS_ORDER``) and the
uncertain ones; :func:`status_css_class` gives the CSS classes the board stylesheet defines for a status word.
"""

from __future__ import annotations

from pathlib import Path

from helhedsplan_eval.analysis.status import STATUSES as STATUS_ORDER
from helhedsplan_eval.analysis.status import UNCERTAIN_SUFFIX as _UNCERTAIN
from helhedsplan_eval.report.style import status_css_class  # noqa: F401  (the run's front page uses it)
from helhedsplan_eval.run.errors import RunError


#: Status words in the order the board reads them (STATUS_ORDER) and the uncertainty mark.
UNCERTAIN_SUFFIX = _UNCERTAIN.strip()  # "(usikkert)"
ASSESSMENT_PREFIX = "Vurdering"  # labels of qualitative assessments: "Vurdering: <label>"


def load_status_table(year: int, data, min_cell: int = 5):
    """The year's status table from the status engine (one row per success criterion); ``data``
    is a data folder or an already loaded bundle, ``min_cell`` the run's disclosure threshold."""
    from helhedsplan_eval.analysis.evaluate import evaluate_year

    return status_frame_for(evaluate_year(year, data, min_cell=min_cell), min_cell)


def status_frame_for(res, min_cell: int):
    """``evaluate.status_frame(res, min_cell=…)``: the table with the run's disclosure threshold."""
    from helhedsplan_eval.analysis.evaluate import status_frame

    return status_frame(res, min_cell=min_cell)


def write_status_tables(df, out_dir: Path, year: int, min_cell: int = 5) -> None:
    """Write ``maalopfyldelse_<year>.csv`` and ``.xlsx`` into ``out_dir`` (status engine's writer).
    ``df`` is already built with the run's ``min_cell``."""
    from helhedsplan_eval.analysis.evaluate import write_status_files

    write_status_files(df, out_dir, year)


def status_word(label: str) -> str | None:
    """The status word of a label in the status table: 'På vej (usikkert)' -> 'På vej',
    'Vurdering: Gennemført' -> 'Kvalitativ vurdering'; None if it is no known status."""
    text = str(label).strip()
    for word in sorted(STATUS_ORDER, key=len, reverse=True):
        if text == word or text.startswith(word + " ") or text.startswith(word + ":"):
            return word
    if text.startswith(ASSESSMENT_PREFIX) and "Kvalitativ vurdering" in STATUS_ORDER:
        return "Kvalitativ vurdering"
    return None


def status_counts(df, year: int | None = None) -> tuple[dict[str, int], int]:
    """Counts per status word (in STATUS_ORDER) of the status table, and how many are "(usikkert)".

    Reads the column ``Status`` (the table of helhedsplan_eval.analysis.evaluate; ``status`` also works);
    a ``year``/``År`` column, when present, restricts the rows to ``year``."""
    if df is None or len(df) == 0:
        return {s: 0 for s in STATUS_ORDER}, 0
    if year is not None:
        for ycol in ("year", "evaluation_year", "År", "år"):
            if ycol in df.columns:
                df = df[df[ycol] == year]
                break
    col = next((c for c in ("Status", "status") if c in df.columns), None)
    if col is None:
        raise RunError(
            "Statustabellen mangler kolonnen 'Status'; "
            f"kolonner: {', '.join(map(str, df.columns))}."
        )
    counts = {s: 0 for s in STATUS_ORDER}
    uncertain = 0
    unknown = []
    for label in df[col].astype(str):
        word = status_word(label)
        if word is None:
            unknown.append(label)
            continue
        counts[word] += 1
        uncertain += label.strip().endswith(UNCERTAIN_SUFFIX)
    if unknown:
        raise RunError(f"Ukendte statusord i statustabellen: {sorted(set(unknown))}.")
    return counts, uncertain


def board_summary_html(year: int, bundle, min_cell: int, history_dir: Path) -> str:
    """The front page's "Til bestyrelsen" after its status counts (report.board.summary): the criteria that need
    attention, what changed since the stored report of ``year`` − 1 in ``history_dir``, missing data, budget."""
    from helhedsplan_eval.analysis.evaluate import evaluate_year
    from helhedsplan_eval.report.board.summary import board_summary, summary_html

    return summary_html(board_summary(evaluate_year(year, bundle, min_cell=min_cell), history_dir))
