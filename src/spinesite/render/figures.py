"""Stretch figures: the body posed by ``poses.py`` drawn as inline SVG, the start and end
positions side by side on a floor, with a motion arrow, in the theme's colours (CSS classes
``fig-*``, with plain colours as a fallback) and alt text naming both positions. Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from spinesite.content.poses import ALL_TRACKED, OUTLINE, POSES, Body, Pt, add, bearing, dist, pose, resolve, vec

WIDTH, GAP, TOP, MAX_SCALE, MAX_HEIGHT = 640, 44, 30, 1.6, 200
PANEL = (WIDTH - GAP) / 2
COLOURS = {"near": "#005eb8", "far": "#7fa6d3", "outline": "#ffffff", "arrow": "#ae2573", "floor": "#768692"}
CLASSES = {"near": "fig-near", "far": "fig-far"}


def _n(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _line(a: Pt, b: Pt, w: float) -> str:
    return f'<line x1="{_n(a[0])}" y1="{_n(a[1])}" x2="{_n(b[0])}" y2="{_n(b[1])}" stroke-width="{_n(w)}"/>'


def _torso_path(samples: list[tuple[Pt, float]]) -> str:
    """Outline of the trunk: the spine offset by its half-width on each side, round at both ends."""
    left, right = [], []
    for i, (p, w) in enumerate(samples):
        a, b = samples[max(i - 1, 0)][0], samples[min(i + 1, len(samples) - 1)][0]
        normal = bearing(a, b) + 90
        left.append(add(p, vec(normal, w)))
        right.append(add(p, vec(normal, -w)))
    (p_end, w_end), (p_start, w_start) = samples[-1], samples[0]
    end_dir, start_dir = bearing(samples[-2][0], p_end), bearing(samples[1][0], p_start)
    cap_end = [add(p_end, vec(end_dir + 90 - k * 36, w_end)) for k in range(1, 5)]
    cap_start = [add(p_start, vec(start_dir + 90 - k * 36, w_start)) for k in range(1, 5)]
    pts = left + cap_end + right[::-1] + cap_start
    return "M" + " ".join(f"{round(x)} {round(y)}" for x, y in pts) + "Z"


def _lines(caps: list[tuple[Pt, Pt, float]], extra: float = 0.0) -> str:
    return "".join(_line(a, b, 2 * r + extra) for a, b, r in caps)


def _draw_body(body: Body, out: list[str]) -> None:
    """Back to front: far limbs, trunk with neck and head, near limbs; each part outlined."""
    white, blue = COLOURS["outline"], COLOURS["near"]
    neck = "".join(_lines(caps) for layer, caps in body.limbs if layer == "neck")
    (hx, hy), hr = body.head
    (nx, ny), nr = body.nose
    head = f'<circle cx="{_n(hx)}" cy="{_n(hy)}" r="{_n(hr)}"/><circle cx="{_n(nx)}" cy="{_n(ny)}" r="{_n(nr)}"/>'
    trunk = f'<path d="{_torso_path(body.torso)}"/>{head}'
    for layer, caps in body.limbs:
        if layer == "neck":
            out.append(f'<g class="fig-outline" fill="{white}" stroke="{white}" stroke-width="{_n(2 * OUTLINE)}">{trunk}</g>')
            out.append(f'<g class="fig-near" fill="{blue}" stroke="{blue}" stroke-width="0">{trunk}</g>')
            out.append(f'<g class="fig-near" stroke="{blue}">{neck}</g>')
            continue
        out.append(f'<g class="fig-outline" stroke="{white}">{_lines(caps, 2 * OUTLINE)}</g>')
        out.append(f'<g class="{CLASSES[layer]}" stroke="{COLOURS[layer]}">{_lines(caps)}</g>')


def _arrow(a: Pt, b: Pt, bulge: float, panel: tuple[float, float, float, float]) -> str:
    """A curved arrow from ``a`` to ``b`` (clamped inside ``panel``)."""
    x0, y0, x1, y1 = panel

    def clamp(p: Pt) -> Pt:
        return (min(max(p[0], x0 + 10), x1 - 10), min(max(p[1], y0 + 10), y1 - 10))

    a, b = clamp(a), clamp(b)
    mid = add(((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), vec(bearing(a, b) + 90, bulge))
    mid = clamp(mid)
    end_dir = bearing(mid, b)
    tip = b
    left, right = add(tip, vec(end_dir + 150, 9)), add(tip, vec(end_dir - 150, 9))
    shaft_end = add(tip, vec(end_dir, -5))
    return (
        f'<path d="M{_n(a[0])} {_n(a[1])} Q{_n(mid[0])} {_n(mid[1])} {_n(shaft_end[0])} {_n(shaft_end[1])}" fill="none" stroke-width="3.5"/>'
        f'<path d="M{_n(tip[0])} {_n(tip[1])} L{_n(left[0])} {_n(left[1])} L{_n(right[0])} {_n(right[1])}Z" stroke="none"/>'
    )


def _hits(body: Body, p: Pt, margin: float) -> bool:
    """Whether ``p`` is on (or within ``margin`` of) the drawn body."""
    circles = [*body.torso, body.head] + [(pt, r) for _, caps in body.limbs for a, b, r in caps for pt in _samples(a, b)]
    return any(dist(p, c) < r + margin for c, r in circles)


def _samples(a: Pt, b: Pt) -> list[Pt]:
    n = max(1, int(dist(a, b) / 4))
    return [(a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(n + 1)]


def motion_arrows(start: Body, end: Body, names: list[str]) -> list[tuple[Pt, Pt]]:
    """Arrows (in body units, on the end figure) showing how the chosen points move; by default the
    point that moves most, and a second one from another limb that moves nearly as much."""
    moves = {k: dist(start.points[k][0], end.points[k][0]) for k in ALL_TRACKED if k in start.points}
    if not names:
        ranked = sorted(moves, key=lambda k: -moves[k])
        names = ranked[:1]
        for k in ranked[1:]:
            if moves[k] >= 0.6 * moves[ranked[0]] and k.startswith("far_") != ranked[0].startswith("far_"):
                names.append(k)
                break
    arrows = []
    for name in names:
        a, b = start.points[name][0], end.points[name][0]
        direction = bearing(a, b) if dist(a, b) > 0.5 else 90.0
        length = max(dist(a, b) * 0.8, 26.0)
        radius = end.points[name][1]
        candidates = []
        if dist(a, b) > 24 + radius:
            candidates.append((a, add(b, vec(direction, -(radius + 6)))))  # along the path it moved
        for gap in (8.0, 14.0, 22.0, 32.0, 44.0):
            ahead = add(b, vec(direction, radius + gap))
            candidates.append((ahead, add(ahead, vec(direction, length))))  # just beyond where it went
            behind = add(b, vec(direction, -(radius + gap)))
            candidates.append((add(behind, vec(direction, -length)), behind))
            for side in (90.0, -90.0):
                beside = add(b, vec(direction + side, radius + gap))
                candidates.append((add(beside, vec(direction, -length / 2)), add(beside, vec(direction, length / 2))))
        above = [c for c in candidates if all(p[1] > 4 for p in _samples(*c))] or candidates
        arrows.append(min(above, key=lambda c: sum(_hits(end, p, 3) for p in _samples(*c))))  # the first clear one
    return arrows


STYLE = (
    ".fig-near{fill:#005eb8;stroke:#005eb8}.fig-far{stroke:#7fa6d3}.fig-outline{fill:#fff;stroke:#fff}"
    ".fig-arrow{fill:#ae2573;stroke:#ae2573}.fig-floor,.fig-step{stroke:#768692}.fig-mat{fill:#e8edee}"
    ".fig-label{fill:#212b32;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}"
    "@media (prefers-color-scheme:dark){.fig-near{fill:#6fb3f5;stroke:#6fb3f5}.fig-far{stroke:#3b6591}"
    ".fig-outline{fill:#1c262d;stroke:#1c262d}.fig-arrow{fill:#ff8fc4;stroke:#ff8fc4}.fig-mat{fill:#2a353d}"
    ".fig-label{fill:#eef2f4}.fig-floor,.fig-step{stroke:#8a9ba6}}"
)  # the theme's colours, light and dark (the figure is an image file, out of reach of site.css)


def valid(figure: Any) -> bool:
    """Whether both positions name a known pose (validation reports it otherwise)."""
    return isinstance(figure, Mapping) and all(
        isinstance(figure.get(k), Mapping) and figure[k].get("pose") in POSES for k in ("start", "end")
    )


def _layout(figure: Mapping[str, Any]) -> tuple[Body, Body, list[tuple[Pt, Pt]], float, float, float]:
    """Both bodies, the arrows, and the common scale, left edge and floor height that fit them."""
    start, end = pose(figure["start"]), pose(figure["end"])
    arrows = motion_arrows(start, end, list(figure.get("arrows") or []))
    boxes = [start.extent(), end.extent()]
    for tail, head in arrows:
        boxes.append((min(tail[0], head[0]) - 8, 0.0, max(tail[0], head[0]) + 8, max(tail[1], head[1]) + 8))
    x0, x1 = min(b[0] for b in boxes), max(b[2] for b in boxes)
    y1 = max(b[3] for b in boxes)
    scale = min(MAX_SCALE, (PANEL - 20) / (x1 - x0), MAX_HEIGHT / y1)
    centre = ((PANEL - 20) - scale * (x1 - x0)) / 2 - scale * x0
    return start, end, arrows, scale, centre, round(TOP + scale * y1 + 2)


def figure_height(figure: Mapping[str, Any]) -> int:
    return int(_layout(figure)[5]) + 12 if valid(figure) else 1


LABELS = ("Start", "Finish")  # the two panels; a page in another language passes its own words


def figure_svg(figure: Mapping[str, Any], labels: tuple[str, str] = LABELS) -> str:
    """The figure as an SVG file: both positions on a floor, a motion arrow, alt text ('' when a
    position has no valid pose: validation has already said why)."""
    if not valid(figure):
        return ""
    start, end, arrows, scale, centre, floor_y = _layout(figure)
    height = floor_y + 12
    out: list[str] = [f"<style>{STYLE}</style>"]
    for i, body in enumerate((start, end)):
        left = i * (PANEL + GAP)

        def place(p: Pt, shift: float = left + 10 + centre) -> Pt:
            return (shift + scale * p[0], floor_y - scale * p[1])

        out.append(f'<rect class="fig-mat" x="{_n(left + 4)}" y="{floor_y}" width="{_n(PANEL - 8)}" height="7" rx="3" fill="#e8edee"/>')
        out.append(
            f'<text class="fig-label" x="{_n(left + 6)}" y="22" font-size="19" font-weight="700" fill="#212b32">{i + 1} {xml_escape(labels[i])}</text>'
        )
        _draw_body(body.transform(place, scale), out)
        if i == 1 and arrows:
            out.append(f'<g class="fig-arrow" fill="{COLOURS["arrow"]}" stroke="{COLOURS["arrow"]}">')
            for tail, head in arrows:
                out.append(_arrow(place(tail), place(head), 6.0, (left, TOP - 6, left + PANEL, floor_y)))
            out.append("</g>")
    out.append(
        f'<line class="fig-floor" x1="4" y1="{floor_y}" x2="{WIDTH - 4}" y2="{floor_y}" stroke="{COLOURS["floor"]}" stroke-width="2"/>'
    )
    mid, y = PANEL + GAP / 2, round((TOP + floor_y) / 2)
    out.append(
        f'<path class="fig-step" d="M{_n(mid - 13)} {y} L{_n(mid + 5)} {y} M{_n(mid - 2)} {y - 9} L{_n(mid + 8)} {y} L{_n(mid - 2)} {y + 9}" '
        f'fill="none" stroke="{COLOURS["floor"]}" stroke-width="4"/>'
    )
    label = quoteattr(alt_text(figure, labels))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="stretch-figure" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label={label} stroke-linecap="round" stroke-linejoin="round">' + "".join(out) + "</svg>\n"
    )


def figure_img(src: str, figure: Mapping[str, Any], decorative: bool = False, labels: tuple[str, str] = LABELS) -> str:
    """The ``<img>`` showing the figure file at ``src``; its alt text names both positions."""
    if not valid(figure):
        return ""
    alt = "" if decorative else alt_text(figure, labels)
    lazy = ' loading="lazy"' if decorative else ""
    return f'<img class="stretch-figure" src={quoteattr(src)} alt={quoteattr(alt)} width="{WIDTH}" height="{figure_height(figure)}"{lazy}>'


def alt_text(figure: Mapping[str, Any], labels: tuple[str, str] = LABELS) -> str:
    """Both positions in words: 'Start: ... Finish: ...'."""
    parts = []
    for label, key in zip(labels, ("start", "end"), strict=True):
        text = str(resolve(figure[key])["alt"]).strip().rstrip(".")
        parts.append(f"{label}: {text[:1].upper()}{text[1:]}.")
    return " ".join(parts)
