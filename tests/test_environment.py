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
        elif isinstance(dep, dict):  # the pip: section (packages conda-forge does not have), less the project
            for spec in dep.get("pip", []):
                if not spec.startswith("-"):
                    name, bound = _norm(spec)
                    out[name] = bound
    return out


def test_same_packages_and_bounds():
    py, conda = _pyproject(), _conda()
    assert set(py) - set(conda) == set(), f"in pyproject.toml but not environment.yml: {sorted(set(py) - set(conda))}"
    assert set(conda) - set(py) == set(), f"in environment.yml but not pyproject.toml: {sorted(set(conda) - set(py))}"
    diff = {k: (py[k], conda[k]) for k in py if py[k] != conda[k]}
    assert diff == {}, f"lower bounds differ (pyproject, conda): {diff}"


CI_PYTHON = "3.11"  # the minor version CI tests (.ci/run on the project's machine; README, Performance)


def test_python_version_agrees():
    # pip: any Python from the tested minor version on; conda: exactly the tested minor version
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert data["project"]["requires-python"] == f">={CI_PYTHON}"
    pythons = [d for d in env["dependencies"] if isinstance(d, str) and re.match(r"^python\b", d)]
    assert pythons == [f"python={CI_PYTHON}"], pythons
    assert f"Python {CI_PYTHON}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_jupytext_is_a_dependency_for_the_paired_notebooks():
    assert _pyproject().get("jupytext", "").startswith(">=1.16")


# ----------------------------------------------------------------------------- dev.py


def _dev():
    import importlib.util

    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_dev_uses_conda_only_when_it_is_the_projects_own():
    dev = _dev()
    env_name = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))["name"]
    assert dev.PROJECT_CONDA_ENV == env_name == "helhedsplan-eval"
    own = {"CONDA_DEFAULT_ENV": "helhedsplan-eval", "CONDA_PREFIX": "/opt/conda/envs/helhedsplan-eval"}
    assert dev.active_environment(own, prefix="/opt/conda/envs/helhedsplan-eval") == "conda"
    base = {"CONDA_DEFAULT_ENV": "base", "CONDA_PREFIX": "/opt/conda"}
    assert dev.active_environment(base, prefix="/opt/conda") is None  # base is left alone: ./.venv
    other = {"CONDA_DEFAULT_ENV": "andet-projekt", "CONDA_PREFIX": "/opt/conda/envs/andet-projekt"}
    assert dev.active_environment(other, prefix="/opt/conda/envs/andet-projekt") is None
    assert dev.active_environment({"CONDA_PREFIX": "/opt/conda"}, prefix="/opt/conda") is None
    assert dev.active_environment({}, prefix="/usr") is None


def test_dev_uses_an_activated_virtualenv_it_runs_in(tmp_path):
    dev = _dev()
    assert dev.active_environment({"VIRTUAL_ENV": str(tmp_path)}, prefix=str(tmp_path)) == "virtualenv"
    # a VIRTUAL_ENV left in the environment while another Python runs dev.py is not used
    assert dev.active_environment({"VIRTUAL_ENV": str(tmp_path)}, prefix="/usr") is None


def test_dev_install_shows_progress():
    dev = _dev()
    cmd = [str(c) for c in dev.install_command(Path("python"))]
    assert "-q" not in cmd and "--quiet" not in cmd
    assert cmd[cmd.index("--progress-bar") + 1] == "on"
    assert cmd[-2:] == ["-e", f"{ROOT}[dev]"]


def test_environment_installs_the_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = [d for d in env["dependencies"] if isinstance(d, dict)][0]["pip"]
    assert "-e ." in pip
