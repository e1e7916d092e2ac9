"""The loaded data of one data folder: one validated table per source of the data contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class DataBundle:
    """Tables by source name (see :mod:`helhedsplan_eval.data.contract`).

    ``table(name)`` returns a DataFrame, or ``None`` when the source was not delivered (its
    criteria then show "Afventer data"). ``issues`` holds validation problems and warnings
    (:class:`helhedsplan_eval.data.contract.Issue`), ``files`` the input files read (for provenance).
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    data_dir: Path | None = None
    issues: list = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)

    @classmethod
    def from_frames(cls, frames: dict[str, pd.DataFrame], **kw) -> "DataBundle":
        return cls(tables=dict(frames), **kw)

    def table(self, name: str) -> pd.DataFrame | None:
        df = self.tables.get(name)
        return None if df is None else df

    def has(self, name: str) -> bool:
        return name in self.tables

    @property
    def synthetic(self) -> bool:
        return self.manifest.get("synthetic") is True  # a real boolean only ('nej' is not true)

    def coverage(self, horizon: int | None = None) -> dict[str, list[int]]:
        """Each delivered source's covered years: years with records, years a spell register has an active
        spell in, and manifest.yml's declared coverage. Other years are missing, never 0."""
        from helhedsplan_eval.analysis.indicators import source_coverage
        from helhedsplan_eval.catalogue.period import plan_period

        return source_coverage(self, horizon=horizon or plan_period().last_year)

    def warnings_for(self, sources) -> list:
        names = set(sources)
        return [i for i in self.issues if i.source in names]
