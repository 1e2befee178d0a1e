"""Stretch figures (figures.py): every bundled stretch is drawn from its `figure:` pose
description; the SVG is well-formed, named for screen readers with both positions, and stays
inside its viewBox for any pose the schema accepts; mistakes are plain diagnostics."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, MakeSite, error_lines, run_cli
from spinesite.build import build
from spinesite.content.poses import ALL_CONTACTS, ALL_TRACKED, HAND_TARGETS, JOINTS, LIMB_JOINTS, POSES, POSITION_EXTRAS
from spinesite.render.figures import alt_text, figure_svg
from spinesite.render.qrcodes import qr_svg

SVG = "{http://www.w3.org/2000/svg}"
STRETCHES = sorted(p for p in (ROOT / "content" / "stretches").glob("*.md") if "." not in p.stem)  # translations: their source's figure


def front_matter(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])
    assert isinstance(data, dict)
    return data


def numbers_outside(svg: str) -> list[str]:
    """Drawn points (with their stroke or radius) that fall outside the viewBox."""
    root = ET.fromstring(svg)
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    bad = []

    def check(x: float, y: float, pad: float, what: str) -> None:
        if not (x - pad >= -0.01 and x + pad <= width + 0.01 and y - pad >= -0.01 and y + pad <= height + 0.01):
            bad.append(f"{what} at ({x:.1f}, {y:.1f}) ±{pad:.1f}")

    for el in root.iter():
        width_attr = el.attrib.get("stroke-width")
        pad = float(width_attr) / 2 if width_attr else 0.0
        tag = el.tag.removeprefix(SVG)
        if tag == "line":
            for end in ("1", "2"):
                check(float(el.attrib["x" + end]), float(el.attrib["y" + end]), pad, "line")
        elif tag == "circle":
            check(float(el.attrib["cx"]), float(el.attrib["cy"]), float(el.attrib["r"]), "circle")
        elif tag == "path":
            values = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", el.attrib["d"])]
            for x, y in zip(values[::2], values[1::2], strict=True):
                check(x, y, 0.0, "path point")
        elif tag in ("rect", "text"):
            check(float(el.attrib["x"]), float(el.attrib["y"]), 0.0, tag)
    return bad


@pytest.mark.parametrize("path", STRETCHES, ids=lambda p: p.stem)
def test_every_bundled_stretch_is_drawn_from_its_pose_description(path: Path) -> None:
    figure = front_matter(path).get("figure")
    assert figure, f"{path.name}: no figure"
    svg = figure_svg(figure)
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == SVG + "svg" and root.attrib["role"] == "img"
    label = root.attrib["aria-label"]
    assert label == alt_text(figure)
    assert re.fullmatch(r"Start: [A-Z][^.]{10,}\. Finish: [A-Z][^.]{10,}\.", label), label
    for key in ("start", "end"):
        words = figure[key].get("alt") or POSES[figure[key]["pose"]][0]
        assert words.rstrip(".")[1:] in label
    assert numbers_outside(svg) == []
    assert not re.search(r"<script|href=|<image|@import|url\(|style=", svg, re.IGNORECASE)


def test_the_three_hard_exercises_read_as_intended() -> None:
    """Cat–camel on all fours, rounding the back; knees-to-chest with the hands on the knees;
    dead bug with arms up, legs in tabletop, then the opposite arm and leg reaching out."""
    cat = front_matter(ROOT / "content/stretches/cat-camel.md")["figure"]
    assert cat["start"]["pose"] == cat["end"]["pose"] == "all-fours" and cat["end"]["back"] >= 30
    knees = front_matter(ROOT / "content/stretches/knees-to-chest.md")["figure"]
    assert knees["end"]["hand_to"] == "knee" and knees["end"]["hip"] >= 120
    bug = front_matter(ROOT / "content/stretches/dead-bug.md")["figure"]
    assert bug["start"]["shoulder"] == 90 and bug["start"]["hip"] == 90 and bug["start"]["knee"] == 90
    end = bug["end"]
    assert end["shoulder"] > 150 and end["far_shoulder"] == 90  # the near arm goes overhead, the far one stays up
    assert end["far_hip"] < 45 and end["far_knee"] < 20 and end["hip"] == 90  # ... and the far (opposite) leg reaches out


def test_a_figure_mistake_is_a_plain_diagnostic(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    bridge = (ROOT / "tests/sites/minimal/content/stretches/bridge.md").read_text(encoding="utf-8")
    figure = "figure:\n  start: {pose: handstand}\n  end: {pose: standing, knee: 200, rests_on: [nose]}\n"
    site = make_site(tmp_path, {"content/stretches/bridge.md": bridge.replace("last_reviewed:", figure + "last_reviewed:", 1)})
    code, _out, err = run_cli(capsys, "check", site)
    assert code == 1
    assert error_lines(err) == [
        "content/stretches/bridge.md:11: figure.start.pose: 'handstand' is not one of: " + ", ".join(POSES),
        "content/stretches/bridge.md:12: figure.end.knee: must be between 0 and 160, got 200",
        "content/stretches/bridge.md:12: figure.end.rests_on[0]: 'nose' is not one of: " + ", ".join(ALL_CONTACTS),
    ]


def _position() -> st.SearchStrategy[dict[str, Any]]:
    angles = {name: st.integers(lo, hi) for name, lo, hi, _ in JOINTS}
    angles |= {f"far_{name}": st.integers(lo, hi) for name, lo, hi, _ in JOINTS if name in LIMB_JOINTS}
    angles |= {name: st.integers(lo, hi) for name, lo, hi, _ in POSITION_EXTRAS}
    optional = {
        **angles,
        "hand_to": st.sampled_from(HAND_TARGETS),
        "far_hand_to": st.sampled_from(HAND_TARGETS),
        "feet_flat": st.booleans(),
        "rests_on": st.lists(st.sampled_from(ALL_CONTACTS), unique=True, max_size=3),
        "alt": st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40),
    }
    return st.fixed_dictionaries({"pose": st.sampled_from(list(POSES))}, optional=optional)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=_position(), end=_position(), arrows=st.lists(st.sampled_from(ALL_TRACKED), unique=True, max_size=2))
def test_any_valid_pose_description_stays_inside_the_view_box(start: dict[str, Any], end: dict[str, Any], arrows: list[str]) -> None:
    svg = figure_svg({"start": start, "end": end, "arrows": arrows})
    assert numbers_outside(svg) == []
    assert ET.fromstring(svg).attrib["aria-label"].startswith("Start: ")


def test_qr_code_is_inline_svg_named_by_its_address() -> None:
    svg = qr_svg("https://example.org/conditions/sciatica/")
    root = ET.fromstring(svg)
    assert root.attrib["role"] == "img" and root.attrib["aria-label"].endswith("open https://example.org/conditions/sciatica/")
    assert "<script" not in svg and "href" not in svg


def test_the_build_writes_each_figure_beside_its_page(tmp_path: Path, make_site: MakeSite) -> None:
    bridge = (ROOT / "tests/sites/minimal/content/stretches/bridge.md").read_text(encoding="utf-8")
    figure = "figure:\n  start: {pose: lying-on-back-knees-bent}\n  end: {pose: lying-on-back-knees-bent, hip: 0, knee: 90, rests_on: [shoulders, foot]}\n"
    site = make_site(tmp_path, {"content/stretches/bridge.md": bridge.replace("last_reviewed:", figure + "last_reviewed:", 1)})
    result = build(site, tmp_path / "out", incremental=False, search=False)
    assert [d.format() for d in result.diagnostics.errors] == []
    out = tmp_path / "out"
    written = (out / "stretches/bridge/figure.svg").read_text(encoding="utf-8")
    data = yaml.safe_load(figure)["figure"]
    assert written == figure_svg(data) and ET.fromstring(written).tag == SVG + "svg"
    page = (out / "stretches/bridge/index.html").read_text(encoding="utf-8")
    assert f'<img class="stretch-figure" src="/stretches/bridge/figure.svg" alt="{alt_text(data)}" width="640"' in page
    assert "figure.svg" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert 'src="/stretches/bridge/figure.svg"' in (out / "handouts/back-pain/index.html").read_text(encoding="utf-8")
