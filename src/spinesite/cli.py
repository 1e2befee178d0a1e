"""Command line: ``spinesite build | check | ...``. Exit codes: 0 ok, 1 content problems, 2 usage."""

from __future__ import annotations

import argparse
import gc
import os
import shlex
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from spinesite import __version__
from spinesite.build import build
from spinesite.buildresult import BuildResult
from spinesite.content import contenttypes
from spinesite.content.config import CONFIG_FILE
from spinesite.content.fields import is_web_address
from spinesite.content.translations import coverage, coverage_lines
from spinesite.diagnostics import format_github, format_json, format_text
from spinesite.hints import command_hint
from spinesite.languagenames import language_name
from spinesite.output.writer import OutputError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def run() -> NoReturn:
    """The ``spinesite`` command: :func:`main`, then exit without tearing the interpreter down
    (freeing a large site's objects one by one takes a tenth of a second; mypy does the same).

    The cyclic garbage collector runs far less often than by default: a build allocates many
    objects that live to the end (pages, the graph, the cache), and the default thresholds
    re-scan them hundreds of times (a fifth of a one-page rebuild at 10,000 pages; peak
    memory measured unchanged)."""
    gc.set_threshold(50_000, 20, 100)
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    unknown = _unknown_command(parser, sys.argv[1:] if argv is None else argv)
    if unknown is not None:
        parser.print_usage(sys.stderr)
        print(f"spinesite: error: {unknown}", file=sys.stderr)
        return EXIT_USAGE
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
    except OSError as exc:  # e.g. a full disk while writing: the output was rolled back
        print(f"spinesite: error: {exc}; the previous output is unchanged", file=sys.stderr)
        return EXIT_PROBLEMS


def _unknown_command(parser: argparse.ArgumentParser, argv: Sequence[str]) -> str | None:
    """``unknown command 'biuld'; did you mean 'build'?`` (Python 3.11's argparse only lists the
    choices). The command is the first word that is not an option: no global option takes a value."""
    word = next((a for a in argv if not a.startswith("-")), None)
    sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    commands = list(sub.choices or ()) if sub is not None else []
    if word is None or word in commands:
        return None
    return f"unknown command '{word}'{command_hint(word, commands)}"


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spinesite", description="Build patient-education websites about spine conditions.")
    p.add_argument("--version", action="version", version=f"spinesite {__version__}")
    p.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    p.add_argument("-v", "--verbose", action="count", default=0, help="print more detail (serve: every request)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    i = sub.add_parser(
        "init",
        help="start a new site in an empty folder",
        description="Start a new site in DIR (default: .), which must be empty or not exist yet: spinesite.yaml with every setting, "
        "one small page per content type, .gitignore, a README for editors and a GitHub Pages workflow.",
    )
    i.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR", help="folder for the new site (default: .)")
    i.add_argument("--example", action="store_true", help="copy the whole bundled example site instead of one page per type")
    i.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print problems only")
    i.set_defaults(func=cmd_init)

    b = sub.add_parser(
        "build",
        help="build the site into an output folder",
        description="Build the site in SITE_DIR into a folder of static files (default: SITE_DIR/_site) that any web host can serve. "
        "Every content problem is listed as path:line: message; nothing is written when there are errors.",
    )
    _site_arg(b)
    b.add_argument("-o", "--output", type=Path, help="output folder (default: SITE_DIR/_site)")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    b.add_argument("-j", "--jobs", type=_int_in(1), default=None, metavar="N", help="worker processes (default: number of cores)")
    b.add_argument("--clean", action="store_true", help="ignore the incremental-build cache (.spinesite-cache/)")
    _cache_dir_arg(b, "the incremental-build cache")
    b.add_argument("--no-search", dest="search", action="store_false", help="do not build the search index")
    b.add_argument("--base-url", metavar="URL", help="public address of the site, replacing base_url in spinesite.yaml")
    b.add_argument("--drafts", action="store_true", help="also build the drafts (draft: true), marked as drafts: for a preview")
    _format_arg(b)
    b.set_defaults(func=cmd_build)

    c = sub.add_parser(
        "check",
        help="validate the site and run content checks; writes nothing",
        description="Validate every page and run the content checks (reading grade, review dates, links, orphans...). Writes nothing.",
    )
    _site_arg(c)
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.add_argument(
        "--external",
        action="store_true",
        help="also fetch every link to another site and report dead or redirected ones (needs the internet)",
    )
    _cache_dir_arg(c, "the answers of --external")
    _format_arg(c)
    c.set_defaults(func=cmd_check)
    _authoring_commands(sub)
    return p


def _site_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("site", nargs="?", type=Path, default=Path("."), metavar="SITE_DIR", help="site folder (default: .)")
    p.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print problems only")
    p.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help="print more detail")


def _cache_dir_arg(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--cache-dir", type=Path, metavar="DIR", help=f"folder for {what} (default: SITE_DIR/.spinesite-cache)")


def _int_in(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse ``type=``: a whole number from ``low`` to ``high`` (None: no limit); anything
    else is a usage error (exit 2, after argparse's usage line)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be at least {low}" if high is None else f"must be between {low} and {high}")
        return value

    return parse


def _format_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("text", "json", "github"), default="text", help="diagnostics format (default: text)")


def _authoring_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    n = sub.add_parser("new", help="start a new page from an archetype", description="Write content/<type>/<slug>.md from an archetype.")
    *others, last = (t.cli_name for t in contenttypes.TYPES)
    n.add_argument("type", metavar="TYPE", help=f"{', '.join(others)} or {last}")
    n.add_argument("title", metavar="TITLE", help="the page title (the file name is made from it)")
    _site_arg(n)
    n.add_argument("--slug", help="file name to use instead of one made from the title")
    n.set_defaults(func=cmd_new)

    tr = sub.add_parser(
        "translate",
        help="start a translation of a page",
        description="Write content/<type>/<slug>.<lang>.md beside the page: its translatable text marked TODO, translated_from filled in.",
    )
    tr.add_argument("page", metavar="PAGE", help="the page to translate, e.g. content/stretches/bridge.md")
    tr.add_argument("lang", metavar="LANG", help="a language listed under languages: in spinesite.yaml, e.g. es")
    _site_arg(tr)
    tr.set_defaults(func=cmd_translate)

    s = sub.add_parser(
        "serve",
        help="preview the site; rebuilds and reloads on every change",
        description="Preview the site at http://127.0.0.1:PORT/; every save rebuilds it and reloads the browser, with problems shown in the page.",
    )
    _site_arg(s)
    s.add_argument("--port", type=_int_in(0, 65535), default=8000, help="port (default: 8000; 0 picks a free one)")
    s.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS", help="address to listen on (default: 127.0.0.1, this computer only)")
    s.add_argument("--drafts", action="store_true", help="also show the drafts (draft: true), each marked as a draft")
    s.add_argument(
        "--no-search",
        dest="search",
        action="store_false",
        help="do not index the preview for search (a large site previews with less work)",
    )
    s.set_defaults(func=cmd_serve)

    j = sub.add_parser(
        "schema",
        help="write JSON Schemas of the front matter (for editors)",
        description="Write JSON Schemas of the front matter and of spinesite.yaml, for autocompletion in editors (docs/editing.md).",
    )
    _site_arg(j)
    j.add_argument("-o", "--output", type=Path, metavar="DIR", help="folder for the schema files (default: SITE_DIR/schemas)")
    j.add_argument("--markdown", action="store_true", help="print the front-matter reference (Markdown) instead")
    j.set_defaults(func=cmd_schema)


def cmd_new(args: argparse.Namespace) -> int:
    from spinesite.authoring.scaffold import ScaffoldError, create
    from spinesite.console import from_args

    con = from_args(args)
    try:
        created = create(args.site, args.type, args.title, slug=args.slug)
    except ScaffoldError as exc:
        con.error(f"spinesite new: {exc.message}")
        return exc.exit_code
    print(created.path)
    con.success(f"Created {created.rel} from the {created.archetype} archetype.")
    con.info("Next: replace every TODO, preview with `spinesite serve`, then run `spinesite check`.")
    return EXIT_OK


def cmd_translate(args: argparse.Namespace) -> int:
    from spinesite.authoring.scaffold import ScaffoldError
    from spinesite.authoring.translate import create_translation
    from spinesite.console import from_args

    con = from_args(args)
    try:
        created = create_translation(args.site, args.page, args.lang)
    except ScaffoldError as exc:
        con.error(f"spinesite translate: {exc.message}")
        return exc.exit_code
    print(created.path)
    con.success(f"Created {created.rel} from {created.archetype}.")
    con.info("Next: translate every TODO (then delete it), preview with `spinesite serve`, then run `spinesite check`.")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from spinesite.console import from_args
    from spinesite.serve.server import ServeError, Server

    _check_site(args.site)
    server = Server(args.site, args.bind, args.port, console=from_args(args), drafts=args.drafts, search=args.search)
    try:
        server.serve_forever()
    except ServeError as exc:
        raise OutputError(str(exc)) from None
    except KeyboardInterrupt:
        print("spinesite: stopped", file=sys.stderr)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from spinesite.authoring.schemadoc import front_matter_markdown, write_schemas
    from spinesite.console import from_args

    _check_site(args.site, config=False)
    if args.markdown:
        sys.stdout.write(front_matter_markdown())
        return EXIT_OK
    out = args.output if args.output is not None else args.site / "schemas"
    if out.resolve().is_relative_to((args.site / "content").resolve()):
        raise OutputError(f"{out} is inside the content folder; write the schemas elsewhere")
    con = from_args(args)
    paths = write_schemas(out)
    for path in paths:
        con.detail(f"wrote {path}")
    con.success(f"Wrote {len(paths)} JSON Schemas to {out}/ (editor set-up: docs/editing.md).")
    return EXIT_OK


def _check_site(site: Path, *, config: bool = True) -> None:
    if not site.is_dir():
        raise OutputError(f"site folder {site} does not exist")
    if config and not (site / CONFIG_FILE).is_file():
        raise OutputError(f"no {CONFIG_FILE} in {site}; start a site there with: spinesite init {shlex.quote(str(site))}")


def cmd_init(args: argparse.Namespace) -> int:
    from spinesite.authoring.sitestart import InitError, init_site
    from spinesite.console import from_args

    con = from_args(args)
    try:
        started = init_site(args.dir, example=args.example)
    except InitError as exc:
        print(f"spinesite: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    con.success(f"Started a {'copy of the example site' if args.example else 'new site'} in {args.dir} ({started.pages} pages).")
    for step in started.next_steps:
        con.info(step)
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    _check_site(args.site)
    if args.base_url is not None and not is_web_address(args.base_url):
        raise OutputError(f"--base-url {args.base_url!r} is not a web address; give one like https://user.github.io/repo/")
    result = build(
        args.site,
        args.output,
        strict=args.strict,
        jobs=args.jobs,
        incremental=not args.clean,
        search=args.search,
        base_url=args.base_url,
        drafts=args.drafts,
        cache_dir=args.cache_dir,
    )
    try:
        return report(result, args, "Built")
    except KeyboardInterrupt:  # the build is over: say what is in the output folder now
        state = "the previous output is unchanged" if result.diagnostics.failed(args.strict) else "the new site was already written"
        print(f"spinesite: interrupted; {state}", file=sys.stderr)
        return 130


def cmd_check(args: argparse.Namespace) -> int:
    from spinesite.checks.site import check_content
    from spinesite.content.review import require_review_errors

    _check_site(args.site)
    result = build(args.site, strict=args.strict, write=False, cache_dir=args.cache_dir)
    grades = check_content(result)
    require_review_errors(result.diagnostics)  # with require_review: true, check fails on pages not yet reviewed
    if args.external and result.config is not None and result.graph is not None:
        from spinesite.checks.externallinks import run_external_check

        result.diagnostics.extend(run_external_check(result, args.site, cache_dir=args.cache_dir))
    return report(result, args, "Checked", grades)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def report(result: BuildResult, args: argparse.Namespace, verb: str, grades: dict[str, float] | None = None) -> int:
    diags = result.diagnostics.sorted()
    failed = result.diagnostics.failed(args.strict)
    n_err = sum(d.level == "error" for d in diags)
    n_warn = len(diags) - n_err
    kinds = ", ".join(_count(result.counts[t.folder], t.singular, t.plural) for t in contenttypes.TYPES if result.counts[t.folder])
    if result.graph is not None:  # the translations among them, per language
        kinds += "".join(
            f"; {n} of them in {language_name(code)}" for code, n in Counter(p.lang for p in result.graph.pages if p.lang).items()
        )
    summary: dict[str, object] = {"pages": dict(result.counts), "errors": n_err, "warnings": n_warn, "seconds": round(result.seconds, 3)}
    if grades is not None:
        summary["reading_grades"] = grades
        if result.reading_ease:
            summary["reading_ease"] = result.reading_ease
        if result.graph is not None and result.graph.languages.others:
            summary["translations"] = coverage(result.graph.pages, result.graph.languages)
        if result.codes:  # each page's codes, with their official descriptions
            by_page: dict[str, list[dict[str, str]]] = {}
            for entry in result.codes:
                for page in entry.pages:
                    by_page.setdefault(page.rel, []).append({"system": entry.system, "code": entry.code, "description": entry.description})
            summary["codes"] = dict(sorted(by_page.items()))
    if args.format == "json":
        sys.stdout.write(format_json(diags, summary))
    elif args.format == "github":
        sys.stdout.write(format_github(diags))
    else:
        sys.stderr.write(format_text(diags))
    if args.format == "text" and not args.quiet and grades is not None and result.config is not None:
        from spinesite.checks.site import grade_summary

        if getattr(args, "verbose", 0):
            sys.stderr.write("".join(f"  {g:4.1f}  {rel}\n" for rel, g in sorted(grades.items())))
        print(grade_summary(grades, result.config.checks.reading_grade), file=sys.stderr)
        if result.reading_ease:
            from spinesite.checks.readability_es import ease_summary

            print(ease_summary(list(result.reading_ease.values()), result.config.checks.reading_ease), file=sys.stderr)
        if result.graph is not None:
            for line in coverage_lines(coverage(result.graph.pages, result.graph.languages), result.config.language):
                print(line, file=sys.stderr)
    if args.format != "json" and not args.quiet:
        for note in result.notes if verb == "Checked" else ():  # a check that could not run; build only gates
            print(f"Note: {note}", file=sys.stderr)
        counts = f"{_count(n_err, 'error', 'errors')}, {_count(n_warn, 'warning', 'warnings')}"
        if failed:
            strict = " (--strict: warnings count as errors)" if args.strict and n_warn and not n_err else ""
            written = "; nothing was written" if verb == "Built" else ""
            print(f"Failed: {counts}{strict}{written}.", file=sys.stderr)
        else:
            total = sum(result.counts.values())
            print(f"{verb} {_count(total, 'page', 'pages')} ({kinds}); {counts}; {result.seconds:.2f} s.", file=sys.stderr)
            if verb == "Built":
                from spinesite.checks.site import SLOW_CHECKS

                print(f"Not checked by build (run `spinesite check`): {SLOW_CHECKS}.", file=sys.stderr)
            if getattr(args, "verbose", 0) and result.timings:
                print("Time by stage: " + ", ".join(f"{stage} {sec:.2f} s" for stage, sec in result.timings), file=sys.stderr)
    return EXIT_PROBLEMS if failed else EXIT_OK
