"""One voice on the command line: Danish help and messages, the same exit code for the same problem in every
command (0 done, 1 data or run problem, 2 usage problem), help text and default for every option, a readable
``targets`` table, and a closed pipe that ends quietly."""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helhedsplan_eval import cli
from helhedsplan_eval.catalogue.criteria import load_catalogue

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"
COMMANDS = ("targets", "status", "validate", "templates", "contract", "sample", "run")
ENGLISH = ("usage:", "error:", "show this help", "options:", "positional arguments", "default:", "(done)",
           "(error)", "required", "invalid", "Traceback", "FEJL (")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def run(args, capsys) -> tuple[int, str, str]:
    """The CLI in-process; argparse's usage errors end in SystemExit, like the real command."""
    try:
        rc = cli.main(args)
    except SystemExit as exc:
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


# ------------------------------------------------------------------------------------------- help

def test_every_command_exists_with_danish_help():
    assert set(_subparsers(cli.build_parser())) == set(COMMANDS)


@pytest.mark.parametrize("args", [[]] + [[c] for c in COMMANDS], ids=lambda a: a[0] if a else "main")
def test_help_is_danish_and_documents_the_exit_codes(args, capsys):
    rc, out, err = run(args + ["--help"], capsys)
    assert rc == 0 and err == ""
    assert out.startswith("brug: helhedsplan-eval")
    assert "vis denne hjælp og afslut" in out
    assert "afslutningskoder (ens for alle kommandoer):" in out
    assert re.search(r"^  0 +udført uden fejl$", out, re.M)
    assert re.search(r"^  1 +fejl i data", out, re.M)
    assert re.search(r"^  2 +forkert brug", out, re.M)
    for word in ENGLISH:
        assert word not in out, word


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_has_help_and_says_its_default(name):
    sub = _subparsers(cli.build_parser())[name]
    for action in sub._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"{name} {action.dest}: no help text"
        if action.option_strings:  # optional: the help says what happens without it
            assert "standard:" in action.help or "påkrævet" in action.help, (name, action.option_strings)
        if action.option_strings and action.default not in (None, False, argparse.SUPPRESS):
            assert f"standard: {action.default}" in action.help, (name, action.option_strings, action.default)


def test_version(capsys):
    rc, out, _ = run(["--version"], capsys)
    assert rc == 0 and out.startswith("helhedsplan-eval ")


# ------------------------------------------------------------------------------------- exit codes

USAGE_PROBLEMS = [
    ([], "mangler: KOMMANDO"),
    (["bogus"], "KOMMANDO: ugyldigt valg 'bogus'"),
    (["targets", "--bogus"], "ukendt tilvalg eller argument: --bogus"),
    (["targets", "--format", "xml"], "--format: ugyldigt valg 'xml' (vælg mellem 'text', 'json', 'csv')"),
    (["status"], "mangler: --year"),
    (["status", "--year", "tyve"], "--year: 'tyve' er ikke et helt tal"),
    (["status", "--year"], "--year mangler en værdi"),
    (["status", "--year", "2031"], "Året 2031 ligger uden for helhedsplanens år; gyldige år er 2017-2020"),
    (["run", "--year", "2031"], "Året 2031 ligger uden for helhedsplanens år; gyldige år er 2017-2020"),
    (["run"], "angiv --year ÅR eller --all-years"),
    (["run", "--year", "2020", "--jobs", "0"], "--jobs: '0' skal være et helt tal ≥ 1"),
    (["validate"], "mangler: MAPPE"),
    (["sample", "--seed", "x"], "--seed: 'x' er ikke et helt tal"),
]


@pytest.mark.parametrize("args,needle", USAGE_PROBLEMS, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_usage_problems_exit_2_with_a_danish_message(args, needle, capsys):
    rc, out, err = run(args, capsys)
    assert rc == 2, (rc, err)
    assert out == ""
    lines = err.splitlines()
    fejl = [ln for ln in lines if ln.startswith("Fejl: ")]
    assert len(fejl) == 1 and needle in fejl[0], err
    for word in ENGLISH:
        assert word not in err, (word, err)


def test_catalogue_problems_exit_2_all_at_once(tmp_path, capsys):
    rc, out, err = run(["targets", "--params", str(tmp_path / "ingen")], capsys)
    assert rc == 2 and out == ""
    assert err.startswith("Fejl: målkataloget har 2 problem(er); intet er udført:")
    assert "plan.yml" in err and "criteria.yml" in err and "Traceback" not in err


def test_data_problems_exit_1(tmp_path, capsys):
    rc, out, err = run(["validate", str(tmp_path / "ingen")], capsys)
    assert rc == 1 and "datamappen findes ikke" in out
    rc, out, err = run(["status", "--year", "2020", "--data", str(tmp_path / "ingen")], capsys)
    assert rc == 1 and err.startswith("Fejl: ") and "findes ikke" in err
    (tmp_path / "fil").write_text("x", encoding="utf-8")
    rc, out, err = run(["templates", str(tmp_path / "fil")], capsys)
    assert rc == 1 and err.startswith("Fejl: ") and "er ikke en mappe" in err and "Error" not in err


@pytest.mark.parametrize("args", [["validate", "{missing}"], ["status", "--year", "2020", "--data", "{missing}"],
                                  ["run", "--year", "2020", "--data", "{missing}", "--out", "{out}"]],
                         ids=["validate", "status", "run"])
def test_same_problem_same_code_in_every_command_missing_data_folder(args, tmp_path, capsys):
    args = [a.format(missing=tmp_path / "ingen", out=tmp_path / "ud") for a in args]
    rc, out, err = run(args, capsys)
    assert rc == 1, (rc, err)
    assert "findes ikke" in (out + err).lower()
    assert not (tmp_path / "ud").exists()


def test_success_exit_0(capsys):
    rc, out, err = run(["validate", str(TINY)], capsys)
    assert rc == 0 and "Ingen fejl: data kan bruges." in out
    rc, out, err = run(["targets", "--format", "json"], capsys)
    assert rc == 0 and err == "" and out.lstrip().startswith(("[", "{"))


def test_unexpected_errors_are_danish_without_traceback(capsys, monkeypatch):
    monkeypatch.setattr(cli, "_cmd_contract", lambda args: 1 / 0)
    rc, out, err = run(["contract"], capsys)
    assert rc == 1
    assert err.startswith("Fejl: uventet fejl (ZeroDivisionError: division by zero).")
    assert "HELHEDSPLAN_DEBUG=1" in err and "Traceback" not in err


@pytest.mark.parametrize("english,danish", [
    ("the following arguments are required: --year", "mangler: --year"),
    ("unrecognized arguments: --x y", "ukendt tilvalg eller argument: --x y"),
    ("argument --format: invalid choice: 'x' (choose from 'a', 'b')", "--format: ugyldigt valg 'x' (vælg mellem 'a', 'b')"),
    ("argument --year: invalid int value: 'x'", "--year: ugyldig værdi 'x'"),
    ("argument --year: expected one argument", "--year mangler en værdi"),
    ("argument --force: ignored explicit argument 'ja'", "--force tager ingen værdi (fik 'ja')"),
    ("ambiguous option: --a could match --all, --any", "tvetydigt tilvalg --a: kan være --all, --any"),
    ("argument --year: 'x' er ikke et helt tal", "--year: 'x' er ikke et helt tal"),
])
def test_argparse_messages_in_danish(english, danish):
    assert cli.danish_argparse_message(english) == danish


# ----------------------------------------------------------------------------------------- targets

def test_params_text_is_readable_danish():
    assert cli.params_text({"baseline_year": 2017, "change": -0.2, "uncertainty": "poisson"}) == \
        "baseline_year 2017 · change \u22120,2 · uncertainty poisson"
    assert cli.params_text({"target": 65, "rate": 0.05, "yearly": True, "due": "2017-12-31"}) == \
        "target 65 · rate 0,05 · yearly ja · due 2017-12-31"
    assert cli.params_text({}) == "–"


def test_targets_prints_a_table_not_python_dicts(capsys):
    rc, out, err = run(["targets"], capsys)
    assert rc == 0 and err == ""
    cat = load_catalogue()
    assert out.startswith(f"{cat.plan['name']}: {len(cat.criteria)} succeskriterier\n")
    for ch in "{}[]":
        assert ch not in out, ch  # no Python reprs of params, lists or dicts
    assert not re.search(r"'\w+': ", out)  # no dict keys
    lines = out.splitlines()
    # one header per area, with the columns in order
    headers = [ln for ln in lines if ln.startswith("Id ")]
    assert len(headers) == len(cat.areas)
    assert re.fullmatch(r"Id +Art +Periode +Parametre +Kilde", headers[0])
    # each criterion starts a row at the left margin, in catalogue order, with its period
    ids = [ln.split()[0] for ln in lines if re.match(r"^[A-Z]{2}-[A-Z0-9-]+ ", ln)]
    assert ids == list(cat.criteria)
    tt2 = next(ln for ln in lines if ln.startswith("TT-2 "))
    assert "Periodegennemsnit mod" in tt2 and "2018-2020" in tt2 and "baseline_year 2017" in tt2
    # linked criteria say which criterion they repeat; no row is wider than the table
    assert "Samme kriterium som TT-4." in out.replace("\n    ", " ")
    width = len(next(ln for ln in lines if set(ln) == {"="}))
    assert max(len(ln) for ln in lines) <= width


# ------------------------------------------------------------------------------------ closed pipe

def test_broken_pipe_in_process_is_quiet(capsys, monkeypatch):
    class Closed(io.StringIO):
        def write(self, s):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    rc = cli.main(["targets"])
    monkeypatch.undo()
    assert rc == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("args", [["targets"], ["contract"]])
def test_closed_pipe_ends_quietly(args):
    # `helhedsplan-eval targets | head` with the reader already gone: no traceback, exit 0
    code = "import sys; from helhedsplan_eval.cli import main; sys.exit(main(sys.argv[1:]))"
    r, w = os.pipe()
    os.close(r)  # closed before the command writes a byte
    try:
        proc = subprocess.run([sys.executable, "-c", code, *args], stdout=w, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT, timeout=120)
    finally:
        os.close(w)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
