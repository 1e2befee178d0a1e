"""The benchmark scripts (bench/) at a small N: the corpus is valid and deterministic,
run.py completes and writes the expected JSON, and the memory probe sums a process tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import run  # noqa: E402


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_generate_is_deterministic_and_builds_strictly(tmp_path: Path) -> None:
    for name in ("a", "b"):
        res = subprocess.run(
            [sys.executable, str(BENCH / "generate.py"), "40", str(tmp_path / name), "--seed", "3"], capture_output=True, text=True
        )
        assert res.returncode == 0, res.stderr
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a == b
    pages = [k for k in a if k.startswith("content/")]
    assert len(pages) == 40
    assert {k.split("/")[1] for k in pages} == {"conditions", "stretches", "causes", "treatments"}
    for k in pages:
        body = a[k].split(b"\n---\n", 1)[1]
        assert generate.BODY_MIN <= len(body) <= generate.BODY_MAX, k
        assert b"\n## " in body and b"\n### " in body and b"| --- |" in body and b"[^1]:" in body and b"](../" in body
    build = subprocess.run(
        [sys.executable, "-m", "spinesite", "build", str(tmp_path / "a"), "-o", str(tmp_path / "out"), "--strict"],
        capture_output=True,
        text=True,
        # the generated reviews run from 2025-01-01 to mid-2026 and are due two years later: judge them on a fixed day
        env={**os.environ, "SOURCE_DATE_EPOCH": "1782864000"},  # 2026-07-01
    )
    assert build.returncode == 0, build.stderr
    assert "0 errors, 0 warnings" in build.stderr


def test_generate_covers_every_page_and_respects_ref_ranges() -> None:
    corpus = generate.build_corpus(200, seed=1)
    assert corpus.counts() == {"conditions": 20, "stretches": 60, "causes": 40, "treatments": 80}
    for c in corpus.items["conditions"]:
        for f, (lo, hi) in generate.REF_RANGE.items():
            assert lo <= len(c.refs[f]) <= hi, (c.slug, f)
    for kind in generate.LINK_FIELDS:
        assert all(it.backlinks for it in corpus.items[kind]), kind
    assert generate.split_counts(4) == {"conditions": 1, "stretches": 1, "causes": 1, "treatments": 1}


def test_generate_writes_peer_corpora(tmp_path: Path) -> None:
    generate.generate(12, tmp_path / "site", peers=tmp_path / "peers")
    peers = tmp_path / "peers"
    for f in (
        "hugo/hugo.toml",
        "hugo/layouts/_default/single.html",
        "mkdocs/mkdocs.yml",
        "mkdocs/theme/main.html",
        "pelican/pelicanconf.py",
    ):
        assert (peers / f).is_file(), f
    assert len(list((peers / "hugo/content").glob("*/*.md"))) == 12 + 4  # pages + section _index.md
    assert len([p for p in (peers / "mkdocs/docs").glob("*/*.md") if p.name != "index.md"]) == 12
    pelican_pages = list((peers / "pelican/content").glob("*/*.md"))
    assert len(pelican_pages) == 12
    assert all(p.read_text().startswith("Title: ") for p in pelican_pages)
    assert "plugins: []" in (peers / "mkdocs/mkdocs.yml").read_text()  # no search plugin


def test_measure_sums_the_process_tree() -> None:
    child = "import time; b = bytearray(40 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); time.sleep(0.8)"
    parent = textwrap.dedent(f"""
        import subprocess, sys
        procs = [subprocess.Popen([sys.executable, "-c", {child!r}]) for _ in range(2)]
        sys.exit(max(p.wait() for p in procs))
    """)
    m = run.measure([sys.executable, "-c", parent])
    assert m.returncode == 0
    assert m.peak_rss_mb >= 80  # both children at once (a single one holds about 50 MB)
    assert m.peak_rss_mb >= m.max_single_rss_mb


def test_run_small_n_writes_results(tmp_path: Path) -> None:
    res = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--n",
            "40",
            "--runs",
            "1",
            "--scratch",
            str(tmp_path),
            "--out",
            str(tmp_path / "all.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1782864000"},  # 2026-07-01: after every generated review
    )
    assert res.returncode == 0, res.stderr
    assert "| spinesite" in res.stdout
    data = json.loads((tmp_path / "results-40.json").read_text())
    assert json.loads((tmp_path / "all.json").read_text()) == {"results": [data]}
    assert {"n", "runs", "seed", "corpus", "machine", "spinesite", "peers", "ratios"} <= set(data)
    s = data["spinesite"]
    expected = {
        "cold_s",
        "cold_cpu_s",
        "no_change_s",
        "one_stretch_s",
        "one_stretch_changed_files",
        "template_s",
        "template_changed_files",
        "pages_per_s",
        "peak_rss_mb",
        "cold_with_search_s",
        "search_s",
        "output_files",
        "ci_restore_edit_s",
        "largest_page_kb",
    }
    assert expected <= set(s)
    assert data["n"] == 40 and data["peers"] == {}
    assert s["cold_s"] > 0 and s["pages_per_s"] > 0 and s["peak_rss_mb"] > 0
    assert s["no_change_changed_files"] == 0
    assert s["one_stretch_changed_files"] >= 1
    assert s["ci_restore_edit_s"] > 0 and s["largest_page_kb"] > 0 and s["largest_page"].endswith(".html")
    # issue 18: the stable keys, every one measured for spinesite
    stable = (
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
    assert all(s[key] is not None for key in stable), {key: s[key] for key in stable}
    assert s["serve_reload_ms"] > 0 and len(s["serve_reload_runs_ms"]) == 1
    assert s["pagefind_alone_s"] > 0 and s["search_vs_pagefind"] is not None
    assert not (tmp_path / "n40" / "site-saved").exists()  # the site is back in its place
    assert s["template_changed_files"] >= data["corpus"]["counts"]["conditions"]
    # The site is left as generated: the edits were reverted.
    site = tmp_path / "n40" / "site"
    assert not (site / "templates").exists()
    assert b"Benchmark edit" not in (site / data["corpus"]["edit_stretch"]).read_bytes()
