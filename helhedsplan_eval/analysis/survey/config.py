"""The survey's definition: ``params/survey.yml`` read and checked (:class:`SurveyConfig`,
:func:`load_config`), the column names of the survey files and :class:`SurveyDataError`.

One reason to change: what the survey configuration holds or how it is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from helhedsplan_eval.formatting import short_repr
from helhedsplan_eval.paths import params_dir
from helhedsplan_eval.yaml_io import safe_load

SOURCES = ("survey_responses", "survey_margins")
BASE_COLUMNS = ("respondent_id", "wave", "department", "age_group", "gender", "mode")
MARGIN_COLUMNS = ("wave", "variable", "category", "population")
WAVE_COLUMNS = ("wave", "invited", "responded", "fieldwork_start", "fieldwork_end")
VARIABLE_LABELS = {"department": "Afdeling", "age_group": "Aldersgruppe", "gender": "Køn"}


class SurveyDataError(ValueError):
    """Invalid survey input; the message names file, row, column, value and what was expected."""


@dataclass(frozen=True)
class SurveyConfig:
    """The index and item definition from ``params/survey.yml``."""

    raw: dict

    @property
    def waves(self) -> list[int]:
        return [int(w) for w in self.raw["waves"]]

    @property
    def baseline_wave(self) -> int:
        return int(self.raw["baseline_wave"])

    @property
    def end_wave(self) -> int:
        return int(self.raw["end_wave"])

    @property
    def items(self) -> list[str]:
        return list(self.raw["items"].keys())

    @property
    def index_items(self) -> list[str]:
        return list(self.raw["index"]["items"])

    @property
    def reverse_items(self) -> list[str]:
        return list(self.raw["index"].get("reverse", []))

    @property
    def min_answered(self) -> int:
        return int(self.raw["index"]["min_answered"])

    @property
    def strong_threshold(self) -> float:
        return float(self.raw["index"]["strong_threshold"])

    @property
    def dont_know(self) -> int:
        return int(self.raw["scale"]["dont_know"])

    @property
    def agree_codes(self) -> list[int]:
        return [int(c) for c in self.raw["scale"]["agree_codes"]]

    @property
    def scale_labels(self) -> dict[int, str]:
        return {int(k): v for k, v in self.raw["scale"]["labels"].items()}

    @property
    def level(self) -> float:
        return float(self.raw["decision"]["confidence_level"])

    @property
    def min_meaningful(self) -> float:
        return float(self.raw["decision"]["min_meaningful"])

    @property
    def unit_label(self) -> str:
        return str(self.raw["decision"]["unit_label"])

    @property
    def weight_variables(self) -> list[str]:
        return list(self.raw["weighting"]["variables"])

    @property
    def weight_bounds(self) -> tuple[float, float] | None:
        b = self.raw["weighting"].get("weight_bounds")
        return None if b is None else (float(b[0]), float(b[1]))

    @property
    def collapse_rules(self) -> dict[str, dict[str, str]]:
        """``weighting.collapse``: per raking variable, category -> the category it is merged into
        when it has too few respondents (applied to every wave alike)."""
        rules = self.raw["weighting"].get("collapse") or {}
        return {str(v): {str(k): str(t) for k, t in (r or {}).items()} for v, r in rules.items()}

    @property
    def min_respondents_per_category(self) -> int:
        return int(self.raw.get("reliability", {}).get("min_respondents_per_category", 10))

    @property
    def max_weight_share(self) -> float:
        return float(self.raw.get("reliability", {}).get("max_weight_share", 0.10))

    def categories(self, variable: str) -> list[str]:
        return [str(c) for c in self.raw["categories"][variable]]

    def item_text(self, item: str) -> str:
        return self.raw["items"][item]["text"]

    def item_short(self, item: str) -> str:
        return self.raw["items"][item].get("short", item)

    def item_family(self, item: str) -> str:
        return self.raw["items"][item].get("family", "")

    def is_reversed(self, item: str) -> bool:
        return item in self.reverse_items or bool(self.raw["items"][item].get("reverse", False))


def load_config(path: str | Path | None = None) -> SurveyConfig:
    """Read ``params/survey.yml`` (or ``path``) and check that it is internally consistent."""
    p = Path(path) if path is not None else params_dir() / "survey.yml"
    return _load_config_cached(str(p))


@lru_cache(maxsize=8)
def _load_config_cached(path: str) -> SurveyConfig:
    with open(path, encoding="utf-8") as fh:
        try:
            raw = safe_load(fh, path)
        except yaml.YAMLError as exc:
            raise SurveyDataError(f"{path}: er ikke gyldig YAML ({short_repr(str(exc), 300)})") from None
    cfg = SurveyConfig(raw)
    unknown = [i for i in cfg.index_items if i not in cfg.items]
    if unknown:
        raise SurveyDataError(f"{path}: index items {unknown} are not declared under 'items'")
    if not 1 <= cfg.min_answered <= len(cfg.index_items):
        raise SurveyDataError(f"{path}: index.min_answered must be between 1 and the number of index items")
    problems = []
    rules = (raw.get("weighting") or {}).get("collapse") or {}
    if not isinstance(rules, dict):
        problems.append(f"weighting.collapse: værdien {short_repr(rules)}; forventet en variabel med regler 'gruppe: nabogruppe'")
        rules = {}
    for var, r in rules.items():
        if var not in cfg.weight_variables:
            problems.append(f"weighting.collapse.{var}: ukendt vægtningsvariabel; forventet en af "
                            f"{cfg.weight_variables}")
            continue
        if not isinstance(r, dict):
            problems.append(f"weighting.collapse.{var}: værdien {short_repr(r)}; forventet regler 'gruppe: nabogruppe'")
            continue
        cats = cfg.categories(var)
        for k, t in r.items():
            for which, c in (("gruppen", k), ("nabogruppen", t)):
                if str(c) not in cats:
                    problems.append(f"weighting.collapse.{var}.{k}: {which} {short_repr(str(c))} findes ikke; forventet en af "
                                    f"{cats}")
    rel = raw.get("reliability") or {}
    share = rel.get("max_weight_share", 0.10)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        problems.append(f"reliability.max_weight_share: værdien {short_repr(share)}; forventet en andel over 0 og højst 1 "
                        "(fx 0.10)")
    mn = rel.get("min_respondents_per_category", 10)
    if isinstance(mn, bool) or not isinstance(mn, int) or mn < 1:
        problems.append(f"reliability.min_respondents_per_category: værdien {short_repr(mn)}; forventet et helt tal ≥ 1")
    if problems:
        raise SurveyDataError(f"{path}: " + "; ".join(problems) + ".")
    return cfg
