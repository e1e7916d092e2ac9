"""Command line: ``helhedsplan-eval <kommando>``, in Danish throughout (help, messages, errors).

Commands
  targets    the criterion catalogue as a table (``--format text|json|csv``)
  status     the målopfyldelse table for a year in the terminal (CSV and Excel only with --out DIR)
  validate   check a data folder against the data contract
  templates  write empty, correctly headed files (CSV and Excel with a guide sheet) per source
  contract   print the data contract as Markdown (data/README.md is generated from it)
  sample     regenerate the synthetic sample data set
  run        the annual report: execute every notebook and render the board HTML

Every command uses the same exit codes (:data:`EXIT_CODES`, also in ``--help``): 0 done, 1 a problem with
the data or the run, 2 a usage problem (unknown command or option, a missing or invalid value, a year outside
the plan, an invalid parameter file or catalogue), 130 interrupted. Messages start with ``Fejl:`` and go to
stderr; input problems are reported in plain words, never as a stack trace; a closed pipe
(``helhedsplan-eval targets | head``) ends quietly with exit code 0.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
import textwrap
from pathlib import Path

from helhedsplan_eval import __version__

OK, DATA_ERROR, USAGE_ERROR, INTERRUPTED = 0, 1, 2, 130

EXIT_CODES = """\
afslutningskoder (ens for alle kommandoer):
  0    udført uden fejl
  1    fejl i data eller i kørslen: valideringsfejl, en datamappe der ikke findes eller ikke kan bruges,
       en mappe der ikke må eller kan skrives i, en notesbog der fejler
  2    forkert brug: ukendt kommando eller tilvalg, en manglende eller ugyldig værdi, et år uden for
       helhedsplanens år, en ugyldig parameterfil (params/<år>.yml) eller et ugyldigt målkatalog
  130  afbrudt (Ctrl-C)"""

def _cmd_targets(args) -> int:
    from helhedsplan_eval.catalogue.criteria import load_catalogue

    cat = load_catalogue(args.params or args.plan)
    recs = cat.records()
    if args.format == "json":
        sys.stdout.write(cat.to_json() + "\n")
        return 0
    if args.format == "csv":
        import json

        cols = list(recs[0].keys())
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for r in recs:
            w.writerow({k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list, tuple)) else
                            ("" if v is None else v)) for k, v in r.items()})
        sys.stdout.write(buf.getvalue())
        return 0
    sys.stdout.write(targets_table(cat, recs))
    return 0


TARGET_COLUMNS = (("Id", 10), ("Art", 24), ("Periode", 9), ("Parametre", 30), ("Kilde", 30))


def _param_value(v) -> str:
    from helhedsplan_eval import formatting as F

    if isinstance(v, bool):
        return "ja" if v else "nej"
    if isinstance(v, (int, float)):  # years and counts without thousands separators (2021, not 2.021)
        text = str(int(v)) if v == int(v) else F.fmt_number(v, 4).rstrip("0").rstrip(",").replace(".", "")
        return text.replace("-", "\u2212")
    if isinstance(v, (list, tuple)):
        return ", ".join(_param_value(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{k} {_param_value(x)}" for k, x in v.items())
    return str(v)


def params_text(params: dict) -> str:
    """A criterion's ``params`` for people: ``baseline_year 2021 · change −0,2`` (Danish numbers, no braces)."""
    return " · ".join(f"{k} {_param_value(v)}" for k, v in params.items()) or "–"


def _table_rows(cells: list[str]) -> list[str]:
    """One table row, each cell wrapped to its column width."""
    wrapped = [textwrap.wrap(c, w) or [""] for c, (_, w) in zip(cells, TARGET_COLUMNS)]
    height = max(len(w) for w in wrapped)
    return ["  ".join((w[i] if i < len(w) else "").ljust(width) for w, (_, width) in zip(wrapped, TARGET_COLUMNS))
            .rstrip() for i in range(height)]


def targets_table(cat, recs: list[dict]) -> str:
    """The catalogue as a plain-text table per intervention area: id, kind, period, parameters and source,
    and under each row the agreement's text (with the activity, and the criterion it repeats, if any)."""
    width = sum(w for _, w in TARGET_COLUMNS) + 2 * (len(TARGET_COLUMNS) - 1)
    lines = [f"{cat.plan.get('name', 'Helhedsplan')}: {len(recs)} succeskriterier", ""]
    for area in cat.areas.values():
        rows = [r for r in recs if r["area"] == area.id]
        lines += [f"{area.name} ({len(rows)} succeskriterier)", "=" * width]
        lines += _table_rows([h for h, _ in TARGET_COLUMNS])
        lines.append("-" * width)
        for r in rows:
            lines += _table_rows([r["id"], r["kind_label"], f"{r['period_start']}-{r['period_end']}",
                                  params_text(r["params"]), r["source"]])
            where = r["activity_name"] or "indsatsområdet"
            link = f" Samme kriterium som {r['linked_to']}." if r["linked_to"] else ""
            lines += textwrap.wrap(f"{where}: {r['text']}{link}", width - 4, initial_indent="    ",
                                   subsequent_indent="    ")
        lines.append("")
    lines.append("Alle felter: --format json eller --format csv.")
    return "\n".join(lines) + "\n"


def _cmd_status(args) -> int:
    """The målopfyldelse table in the terminal, with params/<year>.yml's data_dir and min_cell;
    CSV and Excel only with --out DIR (never into a run's report folder without --force)."""
    import pandas as pd

    from helhedsplan_eval.data.contract import format_report
    from helhedsplan_eval.analysis.evaluate import evaluate_year, status_counts, write_status_files
    from helhedsplan_eval.run.runner import (RunError, check_data, check_output_root, check_year, is_report_folder, load_data,
                         load_params, status_frame_for, _display_path)

    try:
        year = check_year(args.year)
        params = load_params(year, data_dir=args.data)
        data = Path(params["data_dir"])
        min_cell = int(params["min_cell"])
        out = None
        if args.out:
            out = check_output_root(args.out, data, None, what="Mappen til --out")
            if is_report_folder(out) and not args.force:
                raise RunError(
                    f"{args.out} er en rapportmappe fra helhedsplan-eval run; status skriver ikke i den "
                    "(index.html linker til dens tabeller). Vælg en anden --out, eller brug --force for at "
                    "erstatte tabellerne. Intet er skrevet.")
        bundle = load_data(data)
        errors = check_data(bundle, data, allow_data_errors=True)
    except RunError as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        return exc.exit_code
    if errors:
        print(format_report(bundle.issues, _display_path(data)), file=sys.stderr)
        print("Kilder med fejl er udeladt; deres kriterier afventer data (i opgørelser og vurderinger kun "
              "rækken med fejlen).\n", file=sys.stderr)
    res = evaluate_year(year, bundle, min_cell=min_cell)
    df = status_frame_for(res, min_cell)
    if res.bundle.synthetic:
        from helhedsplan_eval.catalogue.names import plan_names

        print(f"OBS: syntetiske eksempeldata - tallene siger intet om {plan_names().area_name}.\n")
    with pd.option_context("display.max_rows", 200, "display.width", 200, "display.max_colwidth", 60):
        print(df[["Id", "Status", "Værdi", "Mål", "Aktivitet"]].to_string(index=False))
    print()
    print(status_counts(df).to_string())
    if out is not None:
        files = write_status_files(df, out, year)
        print("\nSkrevet: " + ", ".join(str(f) for f in files))
    return 0


def _cmd_validate(args) -> int:
    from helhedsplan_eval.data.contract import ERROR, format_report, load_bundle
    from helhedsplan_eval.paths import resolve_path

    d = resolve_path(args.data_dir)
    bundle = load_bundle(d)
    print(format_report(bundle.issues, args.data_dir, coverage=bundle.coverage()))
    from helhedsplan_eval.analysis.survey import validation_warnings

    survey_lines = validation_warnings(bundle)
    for line in survey_lines:
        print(f"  Advarsel: {line}")
    return 1 if any(i.severity == ERROR for i in bundle.issues) else 0


def _cmd_templates(args) -> int:
    from helhedsplan_eval.data.templates import write_templates

    files = write_templates(args.out_dir)
    print(f"Skrev {len(files)} skabeloner i {args.out_dir}")
    return 0


def _cmd_contract(args) -> int:
    from helhedsplan_eval.data.contract_doc import contract_markdown

    sys.stdout.write(contract_markdown())
    return 0


def _cmd_sample(args) -> int:
    from helhedsplan_eval.catalogue.period import plan_file
    from helhedsplan_eval.data.sample import SEED, generate
    from helhedsplan_eval.yaml_io import safe_load

    plan_doc = safe_load(plan_file().read_text(encoding="utf-8"), str(plan_file())) if plan_file().is_file() else {}
    shifted = ((plan_doc or {}).get("plan") or {}).get("sample")
    if shifted:  # this plan's sample is the default sample moved in time (plan.yml, plan.sample)
        from helhedsplan_eval.catalogue.names import plan_names
        from helhedsplan_eval.data.sample_shifted import shift_sample
        from helhedsplan_eval.paths import resolve_path

        out = args.out_dir or f"data/sample-{plan_names().id}"
        files = shift_sample(resolve_path(shifted["from"]), resolve_path(out), int(shifted["shift_months"]),
                             skip=tuple(shifted.get("skip") or ()),
                             description=f"Syntetiske eksempeldata for {plan_names().name}: {shifted['from']} "
                                         f"flyttet {shifted['shift_months']} måneder frem (helhedsplan-eval sample).")
        print(f"Skrev {len(files)} filer i {out} (syntetiske data)")
        return 0
    files = generate(args.out_dir or "data/sample", seed=args.seed if args.seed is not None else SEED)
    print(f"Skrev {len(files)} filer i {args.out_dir or 'data/sample'} (syntetiske data)")
    return 0


def _cmd_run(args) -> int:
    from helhedsplan_eval.run.command import run_cli

    return run_cli(args.year, args.data, args.out, args.jobs, args.all_years, args.allow_data_errors)


# ----------------------------------------------------------------------------- parser (Danish throughout)

#: argparse's own English messages, in Danish (Python 3.11-3.13 wording; anything else passes unchanged).
_ARGPARSE_DA = (
    (r"^the following arguments are required: (.*)$", r"mangler: \1"),
    (r"^one of the arguments (.*) is required$", r"et af tilvalgene \1 skal angives"),
    (r"^unrecognized arguments: (.*)$", r"ukendt tilvalg eller argument: \1"),
    (r"^argument (\S+): invalid choice: (.*?) \(choose from (.*)\)$", r"\1: ugyldigt valg \2 (vælg mellem \3)"),
    (r"^argument (\S+): invalid (\S+) value: (.*)$", r"\1: ugyldig værdi \3"),
    (r"^argument (\S+): expected one argument$", r"\1 mangler en værdi"),
    (r"^argument (\S+): expected at least one argument$", r"\1 mangler mindst én værdi"),
    (r"^argument (\S+): ignored explicit argument (.*)$", r"\1 tager ingen værdi (fik \2)"),
    (r"^argument (\S+): not allowed with argument (.*)$", r"\1 kan ikke bruges sammen med \2"),
    (r"^ambiguous option: (\S+) could match (.*)$", r"tvetydigt tilvalg \1: kan være \2"),
    (r"^argument (\S+): (.*)$", r"\1: \2"),
)


def danish_argparse_message(message: str) -> str:
    """argparse's English error message in Danish (unknown wordings pass unchanged)."""
    for pattern, repl in _ARGPARSE_DA:
        if re.match(pattern, message):
            return re.sub(pattern, repl, message)
    return message


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="brug: " if prefix is None else prefix)


class DanishArgumentParser(argparse.ArgumentParser):
    """argparse with Danish help and errors: ``Fejl: …`` on stderr, exit code 2 for every usage problem."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        kwargs.setdefault("epilog", EXIT_CODES)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumenter"
        self._optionals.title = "tilvalg"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="vis denne hjælp og afslut")

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"Fejl: {danish_argparse_message(message)}\n"
                               f"Se '{self.prog} --help'.\n")


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} er ikke et helt tal") from None


def _positive_number(text: str) -> int:
    n = _whole_number(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} skal være et helt tal ≥ 1")
    return n


def _plan_title() -> str:
    """The default plan's name for --help, as plan.yml writes it ("en helhedsplan" if it cannot be read)."""
    from helhedsplan_eval.catalogue.names import plan_names

    try:
        return plan_names().name
    except ValueError:
        return "en helhedsplan"


def build_parser() -> argparse.ArgumentParser:
    p = DanishArgumentParser(
        prog="helhedsplan-eval",
        description=f"Evaluering af {_plan_title()}: målkatalog, datakontrakt, status pr. år og bestyrelsens "
                    "årsrapport. Planen er en mappe (--plan MAPPE; standard: projektets params/).")
    p.add_argument("--version", action="version", version=f"helhedsplan-eval {__version__}",
                   help="vis programmets version og afslut")
    sub = p.add_subparsers(dest="command", required=True, title="kommandoer", metavar="KOMMANDO")

    def command(name, helptext, func):
        c = sub.add_parser(name, help=helptext, description=helptext[0].upper() + helptext[1:] + ".")
        c.set_defaults(func=func)
        c.add_argument("--plan", default=None, metavar="MAPPE",
                       help="planmappen: plan.yml, criteria.yml og en <år>.yml pr. evalueringsår "
                            "(standard: projektets params/)")
        return c

    _catalogue_commands(command)
    _data_commands(command)
    _run_command(command)
    return p


def _catalogue_commands(command) -> None:
    t = command("targets", "målkataloget: alle succeskriterier som tabel (eller JSON/CSV med alle felter)",
                _cmd_targets)
    t.add_argument("--format", choices=("text", "json", "csv"), default="text",
                   help="text: læsbar tabel pr. indsatsområde; json og csv: alle felter (standard: text)")
    t.add_argument("--params", default=None, metavar="MAPPE",
                   help="mappe med plan.yml og criteria.yml (standard: projektets params/)")
    s = command("status", "målopfyldelsestabellen for et år i terminalen (CSV og Excel kun med --out)", _cmd_status)
    s.add_argument("--year", type=_whole_number, required=True, metavar="ÅR",
                   help="evalueringsåret, et af helhedsplanens år (påkrævet)")
    s.add_argument("--data", default=None, metavar="MAPPE",
                   help="datamappe (standard: data_dir i params/<år>.yml, som ved run)")
    s.add_argument("--out", default=None, metavar="MAPPE",
                   help="skriv også maalopfyldelse_<år>.csv og .xlsx i denne mappe (standard: kun terminalen)")
    s.add_argument("--force", action="store_true",
                   help="skriv også i en rapportmappe fra run og erstat dens tabeller (standard: fra)")


def _data_commands(command) -> None:
    v = command("validate", "kontrollér en datamappe mod datakontrakten (alle problemer på én gang)",
                _cmd_validate)
    v.add_argument("data_dir", metavar="MAPPE", help="datamappen, fx data/sample")
    tp = command("templates", "skriv tomme skabeloner med korrekte overskrifter (CSV og Excel) pr. datakilde",
                 _cmd_templates)
    tp.add_argument("out_dir", metavar="MAPPE", help="mappen, skabelonerne skrives i (oprettes om nødvendigt)")
    command("contract", "udskriv datakontrakten som Markdown (data/README.md laves herfra)", _cmd_contract)
    sm = command("sample", "lav de syntetiske eksempeldata igen (byte for byte ens med samme frø)", _cmd_sample)
    sm.add_argument("out_dir", nargs="?", default=None, metavar="MAPPE",
                    help="mappen, data skrives i (standard: data/sample; for en plan med sample: i plan.yml "
                         "data/sample-<plan-id>)")
    sm.add_argument("--seed", type=_whole_number, default=None, metavar="FRØ",
                    help="frø til tilfældighedsgeneratoren (standard: pakkens faste frø)")


def _run_command(command) -> None:
    r = command("run", "kør årsrapporten: alle notesbøger og bestyrelsens HTML-sider", _cmd_run)
    r.add_argument("--year", type=_whole_number, default=None, metavar="ÅR",
                   help="evalueringsåret, et af helhedsplanens år (standard: intet; angiv --year eller --all-years)")
    r.add_argument("--all-years", action="store_true",
                   help="kør alle helhedsplanens år, der har en params/<år>.yml (standard: fra)")
    r.add_argument("--data", default=None, metavar="MAPPE", help="datamappe (standard: data_dir i params/<år>.yml)")
    r.add_argument("--out", default=None, metavar="MAPPE",
                   help="mappe til rapporterne (standard: outputs); aldrig datamappen, og en eksisterende "
                        "<out>/<år> erstattes kun, hvis den er en rapport fra run")
    r.add_argument("--jobs", type=_positive_number, default=None, metavar="ANTAL",
                   help="antal parallelle processer (standard: antal kerner, højst 4)")
    r.add_argument("--allow-data-errors", action="store_true",
                   help="udgiv selv om data har valideringsfejl: kilder med fejl udelades, og forsiden siger det "
                        "(standard: fra)")


_ERRNO_DA = {2: "findes ikke", 13: "adgang nægtet", 17: "findes allerede", 20: "er ikke en mappe",
             21: "er en mappe", 28: "der er ikke mere plads på disken", 30: "kan kun læses"}


def _quiet_broken_pipe() -> int:
    """The reader of our stdout went away (``| head``): stop quietly. stdout is pointed at /dev/null so that
    the interpreter's final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass
    return OK


def _use_plan(args) -> str | None:
    """Make ``--plan`` the active plan; every problem of its plan.yml as a message (targets' older ``--params``
    only names the folder its catalogue is read from)."""
    from helhedsplan_eval.catalogue.criteria import plan_problems
    from helhedsplan_eval.paths import params_dir, plan_label, resolve_path, use_plan

    if getattr(args, "params", None) and not getattr(args, "plan", None):
        return None
    plan = getattr(args, "plan", None)
    if plan is not None and not resolve_path(plan).is_dir():
        return f"planmappen {plan} findes ikke (--plan skal være en mappe med plan.yml og criteria.yml)."
    use_plan(plan)
    problems = plan_problems(params_dir())
    if problems:
        return (f"{plan_label()} har {len(problems)} problem(er); intet er udført:\n"
                + "\n".join(f"  - {p}" for p in problems))
    return None


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    from helhedsplan_eval.paths import PLAN_ENV

    before = os.environ.get(PLAN_ENV)
    try:
        problem = _use_plan(args)
        if problem:
            print(f"Fejl: {problem}", file=sys.stderr)
            return USAGE_ERROR
        from helhedsplan_eval.data.sources import check_declarations, load_plan_sources

        if os.environ.get(PLAN_ENV) != before:
            load_plan_sources()  # the sources of the plan --plan names
        check_declarations()  # the plan's sources.yml, checked like the catalogue
        rc = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's final flush
        return rc
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt:
        print("Afbrudt.", file=sys.stderr)
        return INTERRUPTED
    except Exception as exc:  # never a stack trace for the evaluator
        from helhedsplan_eval.catalogue.criteria import CatalogueError

        from helhedsplan_eval.data.declared import SourcesError

        if isinstance(exc, SourcesError):
            print(f"Fejl: kildeerklæringerne (sources.yml) har {len(exc.problems)} problem(er); intet er udført:",
                  file=sys.stderr)
            print("\n".join(f"  - {p}" for p in exc.problems), file=sys.stderr)
            return USAGE_ERROR
        if isinstance(exc, CatalogueError):
            print(f"Fejl: målkataloget har {len(exc.problems)} problem(er); intet er udført:", file=sys.stderr)
            print("\n".join(f"  - {p}" for p in exc.problems), file=sys.stderr)
            return USAGE_ERROR
        if isinstance(exc, OSError) and exc.errno in _ERRNO_DA:
            where = f" {exc.filename}" if exc.filename else ""
            print(f"Fejl:{where} {_ERRNO_DA[exc.errno]}.", file=sys.stderr)
            return DATA_ERROR
        print(f"Fejl: uventet fejl ({type(exc).__name__}: {exc}).", file=sys.stderr)
        print("Kør med HELHEDSPLAN_DEBUG=1 for at se de tekniske detaljer.", file=sys.stderr)
        if os.environ.get("HELHEDSPLAN_DEBUG"):
            raise
        return DATA_ERROR
    finally:  # the plan of this command only (main may be called again in the same process)
        changed = os.environ.get(PLAN_ENV) != before
        if before is None:
            os.environ.pop(PLAN_ENV, None)
        else:
            os.environ[PLAN_ENV] = before
        if changed:
            from helhedsplan_eval.data.sources import load_plan_sources

            load_plan_sources()  # the sources of the plan that was active before


def console() -> None:
    """The ``helhedsplan-eval`` command: :func:`main`, then the process ends without tearing the interpreter down
    (freeing every object of a run one by one took about half a second after the report was published). The
    ``atexit`` handlers run first (multiprocessing's finalizers among them), and the output is flushed."""
    import atexit

    try:
        rc = main()
    except SystemExit as exc:  # argparse's --help and usage errors
        rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed pipe: nothing more can be said
            pass
    os._exit(rc)


if __name__ == "__main__":
    console()
