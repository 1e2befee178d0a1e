"""Posing the stretch figure: one articulated human body (head, trunk with a bendable spine,
upper and lower arms and legs with hands and feet), put in a named key pose, adjusted by joint
angles from a stretch's ``figure:`` front matter, and laid on the floor on what it rests on.
``figures.py`` draws it.

Pure functions. Coordinates are body units (a standing figure is about 180 high), x to the
right, y up, angles in degrees anticlockwise from the x axis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Pt = tuple[float, float]

# Lengths and half-widths of the body parts, in body units.
HEAD_R, NECK, NECK_W, TORSO = 11.0, 6.0, 4.8, 56.0
UPPER_ARM, FOREARM, HAND = 26.0, 23.0, 9.0
ARM_W, FOREARM_W, HAND_W = 5.0, 4.2, 3.3
THIGH, SHIN, FOOT = 42.0, 40.0, 15.0
THIGH_W, SHIN_W, FOOT_W = 7.5, 5.5, 3.5
TORSO_W = ((0.0, 12.0), (0.4, 10.5), (0.75, 13.0), (1.0, 11.0))  # (place along the spine, half-width)
OUTLINE = 1.6  # gap drawn around each limb so overlapping parts stay readable

# Joint angles an editor can set: (name, lowest, highest, meaning). ``far_`` versions of the
# arm and leg joints set the far-side limb (default: the same as the near side).
JOINTS: tuple[tuple[str, int, int, str], ...] = (
    (
        "trunk",
        -180,
        360,
        "direction of the trunk from hips to shoulders: 90 upright, 180 lying with the head on the left, 0 head on the right",
    ),
    ("back", -40, 80, "bend of the spine: positive rounds the back, negative arches it"),
    ("neck", -60, 80, "head bent forward (positive) or back (negative) from the line of the spine"),
    ("shoulder", -60, 200, "arm raised forward from hanging by the side: 90 straight out in front, 180 overhead"),
    ("elbow", 0, 160, "elbow bend (0 straight)"),
    ("wrist", -90, 120, "hand turned up from the line of the forearm"),
    ("hip", -60, 150, "thigh raised forward from the line of the trunk: 90 at a right angle, negative behind"),
    ("knee", 0, 160, "knee bend (0 straight)"),
    ("ankle", -40, 120, "foot pointed away from a right angle to the shin"),
)
LIMB_JOINTS = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")
POSITION_EXTRAS: tuple[tuple[str, int, int, str], ...] = (
    ("leg_roll", 0, 80, "both knees rolled to one side"),
    ("shin_depth", 0, 85, "lower legs pointing away from the viewer (drawn shorter)"),
)
HAND_TARGETS = ("knee", "hip", "none")
CONTACTS = ("head", "shoulders", "back", "pelvis", "hand", "elbow", "knee", "foot", "toe")
TRACKED = ("head", "shoulders", "back", "pelvis", "hand", "elbow", "knee", "foot")
ALL_CONTACTS = CONTACTS + tuple("far_" + c for c in ("hand", "elbow", "knee", "foot", "toe"))
ALL_TRACKED = TRACKED + tuple("far_" + c for c in ("hand", "elbow", "knee", "foot"))

_CROOK = {"trunk": 180, "hip": 65, "knee": 120, "shoulder": -5, "elbow": 5, "feet_flat": True}
# Named key poses: description (for alt text), joint angles, what rests on the floor.
POSES: dict[str, tuple[str, dict[str, Any], tuple[str, ...]]] = {
    "standing": ("standing up straight", {"trunk": 90, "shoulder": 5, "elbow": 8, "feet_flat": True}, ("foot", "toe")),
    "lying-on-back": ("lying on your back with your legs straight", {"trunk": 180, "shoulder": 12, "ankle": 15}, ("shoulders", "pelvis")),
    "lying-on-back-knees-bent": ("lying on your back with your knees bent and feet flat", _CROOK, ("shoulders", "pelvis")),
    "all-fours": (
        "on your hands and knees with your back flat",
        {"trunk": 0, "hip": 90, "knee": 90, "ankle": 90, "shoulder": 90, "wrist": 90},
        ("hand", "knee"),
    ),
    "sitting": ("sitting on the floor with your legs straight", {"trunk": 95, "hip": 95, "shoulder": 25, "elbow": 20}, ("pelvis", "foot")),
    "kneeling-lunge": (
        "kneeling on one knee with the other foot flat in front",
        {"trunk": 90, "hip": 85, "knee": 85, "far_hip": -15, "far_knee": 75, "far_ankle": 90, "hand_to": "knee", "far_hand_to": "hip"},
        ("foot", "far_knee"),
    ),
    "lying-on-side": (
        "lying on your side, propped up on your elbow",
        {"trunk": 20, "shoulder": 65, "elbow": 105, "far_hand_to": "hip", "knee": 90, "shin_depth": 70, "ankle": 0},
        ("elbow", "knee"),
    ),
}


@dataclass
class Body:
    """A posed figure: named points (for contacts and arrows) and what to draw, back to front."""

    points: dict[str, tuple[Pt, float]] = field(default_factory=dict)  # name -> (point, radius)
    limbs: list[tuple[str, list[tuple[Pt, Pt, float]]]] = field(default_factory=list)  # (layer, capsules)
    torso: list[tuple[Pt, float]] = field(default_factory=list)  # spine samples with half-widths
    head: tuple[Pt, float] = ((0.0, 0.0), HEAD_R)
    nose: tuple[Pt, float] = ((0.0, 0.0), 2.5)

    def transform(self, fn: Any, scale: float = 1.0) -> Body:
        """The body moved point by point with ``fn``; widths multiplied by ``scale``."""
        return Body(
            {k: (fn(p), r * scale) for k, (p, r) in self.points.items()},
            [(layer, [(fn(a), fn(b), r * scale) for a, b, r in caps]) for layer, caps in self.limbs],
            [(fn(p), r * scale) for p, r in self.torso],
            (fn(self.head[0]), self.head[1] * scale),
            (fn(self.nose[0]), self.nose[1] * scale),
        )

    def extent(self) -> tuple[float, float, float, float]:
        circles = [(p, r) for p, r in self.torso] + [self.head, self.nose]
        circles += [(p, r) for _, caps in self.limbs for a, b, r in caps for p in (a, b)]
        pad = OUTLINE
        return (
            min(p[0] - r for p, r in circles) - pad,
            min(p[1] - r for p, r in circles) - pad,
            max(p[0] + r for p, r in circles) + pad,
            max(p[1] + r for p, r in circles) + pad,
        )


def vec(angle: float, length: float = 1.0) -> Pt:
    return (math.cos(math.radians(angle)) * length, math.sin(math.radians(angle)) * length)


def add(a: Pt, b: Pt, k: float = 1.0) -> Pt:
    return (a[0] + b[0] * k, a[1] + b[1] * k)


def bearing(a: Pt, b: Pt) -> float:
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))


def dist(a: Pt, b: Pt) -> float:
    return math.hypot(b[0] - a[0], b[1] - a[1])


def resolve(position: Mapping[str, Any]) -> dict[str, Any]:
    """A position's named pose with the editor's adjustments on top; far limbs default to near ones."""
    description, base, contacts = POSES[position["pose"]]
    spec: dict[str, Any] = {"trunk": 90, "back": 0, "neck": 0, "leg_roll": 0, "shin_depth": 0, "feet_flat": False}
    spec.update({j: 0 for j in LIMB_JOINTS})
    spec.update({"hand_to": None, "far_hand_to": None, "rests_on": contacts, "alt": description})
    spec.update(base)
    given = {k: v for k, v in position.items() if v not in (None, [], "") and k != "pose"}
    spec.update(given)
    for j in LIMB_JOINTS:
        if f"far_{j}" not in base and f"far_{j}" not in given:
            spec[f"far_{j}"] = spec[j]
    if "far_hand_to" not in base and "far_hand_to" not in given:
        spec["far_hand_to"] = spec["hand_to"]
    return spec


def _reach(shoulder: Pt, target: Pt) -> tuple[Pt, Pt, float]:
    """Elbow and wrist for a hand at ``target`` (as close as the arm allows). The elbow bends
    mostly out of the picture (elbows out to the side), so in the picture the arm is nearly
    straight: it reads as a hand reaching to hold the knee."""
    d = min(dist(shoulder, target), UPPER_ARM + FOREARM - 0.01)
    base = bearing(shoulder, target)
    wrist = add(shoulder, vec(base, d))
    along = add(shoulder, vec(base, d * UPPER_ARM / (UPPER_ARM + FOREARM)))
    elbow = add(along, vec(base + 90, min(d * 0.12, 5.0)))
    return elbow, wrist, bearing(elbow, wrist)


def pose(position: Mapping[str, Any]) -> Body:
    """Pose the figure (before it is put on the floor)."""
    s = resolve(position)
    body = Body()
    trunk, bow = float(s["trunk"]), math.radians(float(s["back"]))
    pelvis, shoulders = (0.0, 0.0), vec(trunk, TORSO)
    ctrl = add(vec(trunk, TORSO / 2), vec(trunk + 90, TORSO * math.tan(bow / 2)))

    def spine(t: float) -> Pt:
        return (
            2 * (1 - t) * t * ctrl[0] + t * t * shoulders[0],
            2 * (1 - t) * t * ctrl[1] + t * t * shoulders[1],
        )

    widths = TORSO_W
    for i in range(9):
        t = i / 8
        k = next(j for j in range(1, len(widths)) if t <= widths[j][0])
        (t0, w0), (t1, w1) = widths[k - 1], widths[k]
        body.torso.append((spine(t), w0 + (w1 - w0) * (t - t0) / (t1 - t0)))
    up_bottom = bearing(pelvis, ctrl)  # spine tangent at the hips
    head_dir = trunk - float(s["neck"])  # the head follows the trunk; `neck` bends it
    head = add(shoulders, vec(head_dir, NECK + HEAD_R))
    body.head = (head, HEAD_R)
    body.nose = (add(head, vec(head_dir - 90, HEAD_R - 0.5)), 3.2)
    neck = [(shoulders, head, NECK_W)]
    arm_root = spine(0.86)
    mid_back = add(spine(0.5), vec(bearing(spine(0.45), spine(0.55)) + 90, 10))
    body.points.update(head=(head, HEAD_R), shoulders=(spine(0.85), 12.0), back=(mid_back, 1.0), pelvis=(pelvis, 12.0))
    layers: dict[str, list[tuple[Pt, Pt, float]]] = {}
    for side in ("far_", ""):
        j = {name: float(s[side + name]) for name in LIMB_JOINTS}
        thigh = trunk + 180 + j["hip"]  # limbs follow the trunk as a whole, the head the top of the spine
        knee = add(pelvis, vec(thigh, THIGH))
        shin = thigh - j["knee"]
        depth = math.cos(math.radians(float(s["shin_depth"])))
        ankle = add(knee, vec(shin, SHIN * depth))
        if s["leg_roll"]:
            axis = bearing(pelvis, ankle)
            along = knee[0] * math.cos(math.radians(axis)) + knee[1] * math.sin(math.radians(axis))
            foot_of = vec(axis, along)
            roll = float(s["leg_roll"]) * (0.75 if side else 1.0)  # the far knee rolls over on top
            knee = add(foot_of, (knee[0] - foot_of[0], knee[1] - foot_of[1]), math.cos(math.radians(roll)))
        foot = shin + 90 - j["ankle"]
        heel = add(ankle, vec(foot, -3))
        toe = add(ankle, vec(foot, FOOT * max(depth, 0.4)))
        arm = trunk + 180 + j["shoulder"]
        elbow = add(arm_root, vec(arm, UPPER_ARM))
        fore = arm + j["elbow"]
        wrist = add(elbow, vec(fore, FOREARM))
        target = s[side + "hand_to"]
        if target in ("knee", "hip"):
            at = add(knee, vec(shin, 7)) if target == "knee" else add(pelvis, vec(up_bottom, 10))
            elbow, wrist, fore = _reach(arm_root, at)
        hand = add(wrist, vec(fore + j["wrist"], HAND))
        leg = [(pelvis, knee, THIGH_W), (knee, ankle, SHIN_W), (heel, toe, FOOT_W)]
        arm_caps = [(arm_root, elbow, ARM_W), (elbow, wrist, FOREARM_W), (wrist, hand, HAND_W)]
        layers[side + "arm"], layers[side + "leg"] = arm_caps, leg
        body.points.update(
            {
                side + "hand": (add(wrist, vec(fore + j["wrist"], HAND / 2)), HAND_W),
                side + "elbow": (elbow, FOREARM_W),
                side + "knee": (knee, SHIN_W + 0.5),
                side + "foot": (heel, FOOT_W),
                side + "toe": (toe, FOOT_W),
            }
        )
    body.limbs = [("far", layers["far_arm"]), ("far", layers["far_leg"]), ("neck", neck), ("near", layers["leg"]), ("near", layers["arm"])]
    return _rest(body, s)


def _rest(body: Body, s: Mapping[str, Any]) -> Body:
    """Turn the figure so that what it rests on is level, then stand it on the floor (y = 0)."""
    contacts = [c for c in s["rests_on"] if c in body.points][:2]
    turn = 0.0
    if len(contacts) == 2:
        (p1, r1), (p2, r2) = body.points[contacts[0]], body.points[contacts[1]]
        length = dist(p1, p2)
        if length > 1:
            lift = math.degrees(math.asin(max(-1.0, min(1.0, (r2 - r1) / length))))
            now = bearing(p1, p2)
            options = [lift - now, 180 - lift - now]
            turn = min(((o + 180) % 360 - 180 for o in options), key=abs)
    cos_t, sin_t = math.cos(math.radians(turn)), math.sin(math.radians(turn))
    body = body.transform(lambda p: (p[0] * cos_t - p[1] * sin_t, p[0] * sin_t + p[1] * cos_t))
    if s["feet_flat"]:
        for layer, caps in body.limbs:
            if layer in ("far", "near") and len(caps) == 3 and caps[2][2] == FOOT_W:
                heel, toe, w = caps[2]
                ankle = add(heel, vec(bearing(heel, toe), 3))
                forward = 1.0 if toe[0] >= heel[0] else -1.0
                caps[2] = ((ankle[0] - 3 * forward, ankle[1]), (ankle[0] + FOOT * forward, ankle[1]), w)
    anchor = body.points[contacts[0]][0] if contacts else (0.0, 0.0)
    floor = body.extent()[1] + OUTLINE
    return body.transform(lambda p: (p[0] - anchor[0], p[1] - floor))
