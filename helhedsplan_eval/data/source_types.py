"""The building blocks of the data contract: a column (:class:`Col`) and a source (:class:`Source`).

:mod:`.declared` makes them from the plan's ``sources.yml``; they are re-exported by :mod:`.sources`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Col:
    name: str
    type: str  # str | int | float | date | bool
    description: str
    required: bool = True  # the column must exist
    nullable: bool = False  # cells may be empty
    allowed: tuple | None = None
    min: float | None = None
    max: float | None = None
    unit: str = ""
    pseudonym: bool = False  # a pseudonymous person/family id: never shown in reports

    def expected(self) -> str:
        """What a valid cell looks like, in Danish, for error messages."""
        t = {"str": "tekst", "int": "et helt tal", "float": "et tal", "date": "en dato som ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ",
             "bool": "ja eller nej"}[self.type]
        if self.allowed:
            return "en af " + ", ".join(f"'{a}'" for a in self.allowed)
        if self.min is not None and self.max is not None:
            return f"{t} mellem {self.min:g} og {self.max:g}"
        if self.min is not None:
            return f"{t} ≥ {self.min:g}"
        return t


@dataclass(frozen=True)
class Source:
    name: str
    title: str  # Danish name of the source as the agreement names it
    description: str
    columns: tuple[Col, ...]
    key: tuple[str, ...] = ()
    references: tuple[tuple[str, str, str], ...] = ()  # (column, other source, other column)
    feeds: tuple[str, ...] = ()
    required: bool = False  # a run without it is refused (else: its criteria await data)
    aggregate: bool = False  # the source publishes aggregates only
    year_column: str | None = None  # for the 'year without records' warning
    date_column: str | None = None
    record_years: tuple[int, ...] = ()  # years that should have records (sources.yml: default the plan's years)
    # a spell: (start column(s), the first non-empty wins; end column); an end before its start is an error
    spell: tuple[tuple[str, ...], str] | None = None
    # each row is a figure of its own (a year's aggregate, one assessment): a row with an error is left out and
    # the rest of the file is used; otherwise an error leaves the whole source out (a missing record would
    # silently lower a count)
    independent_rows: bool = False
    extra_columns_allowed: bool = False
    sensitive: bool = False
    # the kind of record (sources.yml: event, spell, person, yearly, yearly_population)
    kind: str = ""

    def col(self, name: str) -> Col:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def id_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.pseudonym]


def _yes_no(name, description, required=True, nullable=False):
    return Col(name, "bool", description, required=required, nullable=nullable)
