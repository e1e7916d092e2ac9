"""The closing provenance note of every page: input files with checksums, versions and the run's settings."""

from __future__ import annotations

import html
import platform

from helhedsplan_eval import __version__
from helhedsplan_eval.data.contract import sha256
from helhedsplan_eval.paths import resolve_path
from helhedsplan_eval.report.board.parameters import _html
from helhedsplan_eval.report.board.tables import html_table

E = html.escape

PARAM_NAMES_DA = {"evaluation_year": "evalueringsår", "min_cell": "mindste viste antal personer"}


def provenance_html(data_dir, **params) -> str:
    """Closing provenance note: input files with checksums, package version and the run's settings in
    Danish (the time of the run stands once, in the page footer)."""
    d = resolve_path(data_dir)
    from helhedsplan_eval.data.contract import contract_files  # the files the contract reads, never anything else of the folder

    files = sorted(contract_files(d))
    rows = [[p.name, sha256(p)[:16]] for p in files]
    ptxt = ", ".join(f"{PARAM_NAMES_DA.get(k, k.replace('_', ' '))} {v}" for k, v in params.items() if k != "data_dir")
    return (f"<h2>Dokumentation af kørslen</h2><p>helhedsplan-eval {E(__version__)} · Python {E(platform.python_version())} · "
            f"indstillinger: {E(ptxt)} · datamappe: {E(d.name)}. Tidspunktet for kørslen står nederst på siden.</p>"
            "<details class='provenance-files'><summary>Inputfiler og kontrolsummer (SHA-256, de første 16 tegn)</summary>"
            + html_table(rows, ["Fil", "SHA-256"], caption="Inputfiler og kontrolsummer", caption_hidden=True) + "</details>")


def provenance(data_dir, **params):
    return _html(provenance_html(data_dir, **params))
