"""Command line: ``spinesite build | check | ...``. Exit codes: 0 ok, 1 content problems, 2 usage."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .build import BuildResult, build
from .diagnostics import format_github, format_json, format_text
from .schema import TYPES
from .writer import OutputError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except OutputError as exc:
        print(f"spinesite: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("spinesite: interrupted; the previous output is unchanged", file=sys.stderr)
        return 130


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spinesite", description="Build patient-education websites about spine conditions.")
    p.add_argument("--version", action="version", version=f"spinesite {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser("build", help="build the site into an output folder")
    _site_arg(b)
    b.add_argument("-o", "--output", type=Path, help="output folder (default: SITE_DIR/_site)")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    _format_arg(b)
    b.set_defaults(func=cmd_build)

    c = sub.add_parser("check", help="validate the site and run content checks; writes nothing")
    _site_arg(c)
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    _format_arg(c)
    c.set_defaults(func=cmd_check)
    return p


def _site_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("site", nargs="?", type=Path, default=Path("."), metavar="SITE_DIR", help="site folder (default: .)")
    p.add_argument("-q", "--quiet", action="store_true", help="print problems only")


def _format_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("text", "json", "github"), default="text", help="diagnostics format (default: text)")


def _check_site(site: Path) -> None:
    if not site.is_dir():
        raise OutputError(f"site folder {site} does not exist")


def cmd_build(args: argparse.Namespace) -> int:
    _check_site(args.site)
    result = build(args.site, args.output, strict=args.strict)
    return report(result, args, "Built")


def cmd_check(args: argparse.Namespace) -> int:
    _check_site(args.site)
    result = build(args.site, strict=args.strict, write=False)
    return report(result, args, "Checked")


def report(result: BuildResult, args: argparse.Namespace, verb: str) -> int:
    diags = result.diagnostics.sorted()
    failed = result.diagnostics.failed(args.strict)
    n_err = sum(d.level == "error" for d in diags)
    n_warn = len(diags) - n_err
    kinds = ", ".join(f"{result.counts[k]} {k}" for k in TYPES if result.counts[k])
    summary = {"pages": dict(result.counts), "errors": n_err, "warnings": n_warn, "seconds": round(result.seconds, 3)}
    if args.format == "json":
        sys.stdout.write(format_json(diags, summary))
    elif args.format == "github":
        sys.stdout.write(format_github(diags))
    else:
        sys.stderr.write(format_text(diags))
    if args.format != "json" and not args.quiet:
        counts = f"{n_err} error{'s' * (n_err != 1)}, {n_warn} warning{'s' * (n_warn != 1)}"
        if failed:
            strict = " (--strict: warnings count as errors)" if args.strict and n_warn and not n_err else ""
            print(f"Failed: {counts}{strict}; nothing was written.", file=sys.stderr)
        else:
            total = sum(result.counts.values())
            print(f"{verb} {total} pages ({kinds}); {counts}; {result.seconds:.2f} s.", file=sys.stderr)
    return EXIT_PROBLEMS if failed else EXIT_OK
