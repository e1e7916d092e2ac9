"""Command line: ``helhedsplan-eval <command>``.

Commands
  targets    list the criterion catalogue (``--format text|json|csv``)
  status     the målopfyldelse table for a year in the terminal (CSV and Excel only with --out DIR)
  validate   check a data folder against the data contract; exit 1 on errors
  templates  write empty, correctly headed files (CSV and Excel with a guide sheet) per source
  contract   print the data contract as Markdown (data/README.md is generated from it)
  sample     regenerate the synthetic sample data set
  run        the annual report: execute every notebook and render the board HTML

Errors in input are reported in plain words, never as a stack trace.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from . import __version__


def _cmd_targets(args) -> int:
    from .catalogue import load_catalogue

    cat = load_catalogue(args.params)
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
    print(f"{cat.plan.get('name', 'Helhedsplan')}: {len(recs)} succeskriterier\n")
    for area in cat.areas.values():
        print(f"== {area.name} ==")
        for r in recs:
            if r["area"] != area.id:
                continue
            act = r["activity_name"] or "indsatsområdet"
            link = f" (= {r['linked_to']})" if r["linked_to"] else ""
            print(f"  {r['id']:<10} [{act}] {r['text']}{link}")
            print(f"             {r['kind_label']}; periode {r['period_start']}-{r['period_end']}; "
                  f"parametre {r['params']}; kilde: {r['source']}")
        print()
    return 0


def _cmd_status(args) -> int:
    """The målopfyldelse table in the terminal, with params/<year>.yml's data_dir and min_cell;
    CSV and Excel only with --out DIR (never into a run's report folder without --force)."""
    import pandas as pd

    from .contract import format_report
    from .evaluate import evaluate_year, status_counts, write_status_files
    from .runner import (RunError, check_data, check_output_root, check_year, is_report_folder, load_data,
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
        print("Kilder med fejl er udeladt; deres kriterier afventer data.\n", file=sys.stderr)
    res = evaluate_year(year, bundle, min_cell=min_cell)
    df = status_frame_for(res, min_cell)
    if res.bundle.synthetic:
        print("OBS: syntetiske eksempeldata - tallene siger intet om Høje Gladsaxe.\n")
    with pd.option_context("display.max_rows", 200, "display.width", 200, "display.max_colwidth", 60):
        print(df[["Id", "Status", "Værdi", "Mål", "Aktivitet"]].to_string(index=False))
    print()
    print(status_counts(df).to_string())
    if out is not None:
        files = write_status_files(df, out, year)
        print("\nSkrevet: " + ", ".join(str(f) for f in files))
    return 0


def _cmd_validate(args) -> int:
    from .contract import ERROR, format_report, load_bundle
    from .paths import resolve_path

    d = resolve_path(args.data_dir)
    bundle = load_bundle(d)
    print(format_report(bundle.issues, args.data_dir, coverage=bundle.coverage()))
    from .survey import validation_warnings

    survey_lines = validation_warnings(bundle)
    for line in survey_lines:
        print(f"  ADVARSEL: {line}")
    return 1 if any(i.severity == ERROR for i in bundle.issues) else 0


def _cmd_templates(args) -> int:
    from .templates_xlsx import write_templates

    files = write_templates(args.out_dir)
    print(f"Skrev {len(files)} skabeloner i {args.out_dir}")
    return 0


def _cmd_contract(args) -> int:
    from .contract_doc import contract_markdown

    sys.stdout.write(contract_markdown())
    return 0


def _cmd_sample(args) -> int:
    from .sample import SEED, generate

    files = generate(args.out_dir, seed=args.seed if args.seed is not None else SEED)
    print(f"Skrev {len(files)} filer i {args.out_dir} (syntetiske data)")
    return 0


def _cmd_run(args) -> int:
    from .runner import run_cli

    return run_cli(args.year, args.data, args.out, args.jobs, args.all_years, args.allow_data_errors)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="helhedsplan-eval", description="Evaluering af Helhedsplan Høje Gladsaxe 2017-2020")
    p.add_argument("--version", action="version", version=f"helhedsplan-eval {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("targets", help="list the criterion catalogue")
    t.add_argument("--format", choices=("text", "json", "csv"), default="text")
    t.add_argument("--params", default=None, help="folder with plan.yml and criteria.yml (default: params/)")
    t.set_defaults(func=_cmd_targets)
    s = sub.add_parser("status", help="the målopfyldelse table for a year (terminal; CSV/Excel with --out)")
    s.add_argument("--year", type=int, required=True, help="evalueringsåret (et af helhedsplanens år)")
    s.add_argument("--data", default=None,
                   help="datamappe (standard: data_dir i params/<år>.yml, som ved run)")
    s.add_argument("--out", default=None,
                   help="skriv også maalopfyldelse_<år>.csv og .xlsx i denne mappe (standard: kun terminalen)")
    s.add_argument("--force", action="store_true",
                   help="skriv også i en rapportmappe fra run (erstatter dens tabeller)")
    s.set_defaults(func=_cmd_status)
    v = sub.add_parser("validate", help="validate a data folder")
    v.add_argument("data_dir")
    v.set_defaults(func=_cmd_validate)
    tp = sub.add_parser("templates", help="write empty templates per source")
    tp.add_argument("out_dir")
    tp.set_defaults(func=_cmd_templates)
    c = sub.add_parser("contract", help="print the data contract (Markdown)")
    c.set_defaults(func=_cmd_contract)
    sm = sub.add_parser("sample", help="regenerate the synthetic sample data")
    sm.add_argument("out_dir", nargs="?", default="data/sample")
    sm.add_argument("--seed", type=int, default=None)
    sm.set_defaults(func=_cmd_sample)
    r = sub.add_parser("run", help="run the annual report (papermill + HTML)")
    r.add_argument("--year", type=int, default=None, help="evalueringsåret (et af helhedsplanens år)")
    r.add_argument("--all-years", action="store_true", help="kør alle år med en params/<år>.yml")
    r.add_argument("--data", default=None, help="datamappe (standard: data_dir i params/<år>.yml)")
    r.add_argument("--out", default=None,
                   help="mappe til rapporterne (standard: outputs); aldrig datamappen, og en eksisterende "
                        "<out>/<år> erstattes kun, hvis den er en rapport fra run")
    r.add_argument("--jobs", type=int, default=None, help="antal parallelle processer (standard: kerner, højst 4)")
    r.add_argument("--allow-data-errors", action="store_true",
                   help="udgiv selv om data har valideringsfejl (kilder med fejl udelades; forsiden siger det)")
    r.set_defaults(func=_cmd_run)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("Afbrudt.", file=sys.stderr)
        return 130
    except Exception as exc:  # never a stack trace for the evaluator
        from .catalogue import CatalogueError

        if isinstance(exc, CatalogueError):
            print(str(exc), file=sys.stderr)
            return 2
        print(f"Fejl: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("(Kør med HELHEDSPLAN_DEBUG=1 for teknisk detalje.)", file=sys.stderr)
        import os

        if os.environ.get("HELHEDSPLAN_DEBUG"):
            raise
        return 1


if __name__ == "__main__":
    sys.exit(main())
