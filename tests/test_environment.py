"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies and bounds."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _norm(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    name = m.group(1).lower().replace("_", "-")
    return name, m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    specs = list(data["project"]["dependencies"]) + list(data["project"]["optional-dependencies"]["dev"])
    return dict(_norm(s) for s in specs)


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, bound = _norm(dep)
            if name not in ("python", "pip"):
                out[name] = bound
    return out


def test_same_packages_and_bounds():
    py, conda = _pyproject(), _conda()
    assert set(py) - set(conda) == set(), f"in pyproject.toml but not environment.yml: {sorted(set(py) - set(conda))}"
    assert set(conda) - set(py) == set(), f"in environment.yml but not pyproject.toml: {sorted(set(conda) - set(py))}"
    diff = {k: (py[k], conda[k]) for k in py if py[k] != conda[k]}
    assert diff == {}, f"lower bounds differ (pyproject, conda): {diff}"


def test_python_version_agrees():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert data["project"]["requires-python"] == ">=3.11"
    assert "python>=3.11" in env["dependencies"]


def test_environment_installs_the_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = [d for d in env["dependencies"] if isinstance(d, dict)][0]["pip"]
    assert "-e ." in pip
