"""Clinical codes on pages (``codes:``): written forms, checks against the shipped code tables,
and the index of every code the site carries.

- ICD-10-CM: the release in the ``simple-icd-10-cm`` package (its code list, and the
  descriptions from its tabular XML, read directly: importing the package parses the whole
  tabular, about 1.5 s, where reading the few descriptions a site needs takes milliseconds).
- ICD-10 (WHO): the ``simple-icd-10`` package (the 2019 release).
- SNOMED CT: its release is licensed, so identifiers are checked for form only (``snomed.py``).

Imports: ``model``, ``schema``, ``snomed`` (the reading stage).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from spinesite.content.model import Page
from spinesite.content.schema import CODE_SYSTEMS
from spinesite.diagnostics import Diagnostics

SYSTEM_NAMES = {"icd-10-cm": "ICD-10-CM", "icd-10": "ICD-10", "snomed-ct": "SNOMED CT"}
_ICD_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$")
_BARE_RE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")  # a code as the package's code list writes it: without its dot


def normalise(system: str, code: str) -> str:
    """The code as published: ICD codes upper case with their dot (``m48061`` -> ``M48.061``),
    SNOMED CT identifiers without spaces."""
    text = "".join(code.split())
    if system == "snomed-ct":
        return text
    text = text.upper()
    if "." not in text and len(text) > 3:
        text = f"{text[:3]}.{text[3:]}"
    return text


@dataclass(frozen=True)
class CodeEntry:
    """One code the site carries: its official description and the pages (default language) that carry it."""

    system: str
    code: str
    description: str
    pages: tuple[Page, ...] = field(compare=False)

    @property
    def system_name(self) -> str:
        return SYSTEM_NAMES[self.system]

    @property
    def url(self) -> str:
        return f"/codes/{self.system}/{self.code}/"


@cache
def _icd10cm_data() -> Path:
    """The package's data folder, found without importing it (its import parses the whole tabular)."""
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("simple-icd-10-cm is not installed; reinstall spinesite")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _data_file(prefix: str, suffix: str) -> Path:
    return next(p for p in sorted(_icd10cm_data().iterdir()) if p.name.startswith(prefix) and p.name.endswith(suffix))


@cache
def _icd10cm_codes() -> tuple[frozenset[str], str]:
    """(every ICD-10-CM code as the package's code list writes it, without its dot; the release name)."""
    path = _data_file("code-list-", ".txt")
    return frozenset(path.read_text(encoding="utf-8").split()), path.name.removeprefix("code-list-").removesuffix(".txt").replace("-", " ")


def _is_icd10cm(code: str) -> bool:
    """``code`` (as published, with its dot) is in the release (chapters and blocks are not codes)."""
    return bool(_ICD_RE.match(code)) and code.replace(".", "") in _icd10cm_codes()[0]


def _icd10cm_descriptions(codes: Iterable[str]) -> dict[str, str]:
    """The official descriptions of ``codes``, from the package's tabular XML in one pass."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    text = _data_file("icd10c-tabular-", ".xml").read_text(encoding="utf-8")
    pattern = re.compile(r"<name>(" + "|".join(re.escape(c) for c in wanted) + r")</name>\s*<desc>([^<]*)</desc>")
    return {m.group(1): _unescape(m.group(2)) for m in pattern.finditer(text)}


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


@cache
def _who() -> Any:
    import warnings

    with warnings.catch_warnings():  # it reads its data with importlib.resources' legacy read_text
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10  # 0.1 s: imported only by a site with ICD-10 codes
    return simple_icd_10


def _neighbours(code: str) -> list[str]:
    """Codes next to an unknown one: the codes of the same length under its nearest known parent
    (``M48.069`` -> ``M48.061``, ``M48.062``)."""
    bare, prefix = code.replace(".", ""), code.replace(".", "")
    known = _icd10cm_codes()[0]
    while len(prefix) > 3:
        prefix = prefix[:-1]
        if prefix in known:
            break
    found = sorted(c for c in known if c.startswith(prefix) and len(c) == len(bare) and _BARE_RE.match(c))
    if not found:
        found = sorted(c for c in known if c.startswith(prefix[:3]) and _BARE_RE.match(c))
    return [normalise("icd-10-cm", c) for c in found[:6]]


def _choices(codes: list[str]) -> str:
    return codes[0] if len(codes) == 1 else ", ".join(codes[:-1]) + " or " + codes[-1]


def code_problem(system: str, code: str) -> str | None:
    """Why ``code`` (as published) is not a code of ``system``, in plain words; None when it is."""
    if system == "icd-10-cm":
        if _is_icd10cm(code):
            return None
        release = _icd10cm_codes()[1]
        near = _neighbours(code)
        hint = f"; did you mean {_choices(near)}?" if near else ""
        return f"'{code}' is not an ICD-10-CM code (release {release}){hint}"
    if system == "icd-10":
        who = _who()
        if _ICD_RE.match(code) and who.is_valid_item(code):
            return None
        parent = code.split(".")[0]
        near = list(who.get_children(parent)) if who.is_valid_item(parent) else []
        hint = f"; did you mean {_choices(near[:6])}?" if near else ""
        return f"'{code}' is not an ICD-10 code (WHO, 2019 release){hint}"
    if system == "snomed-ct":
        from spinesite.content.snomed import snomed_problem

        why = snomed_problem(code)
        return None if why is None else f"'{code}' is not a SNOMED CT concept identifier: {why}"
    return None  # validation already said the system is unknown


def description(system: str, code: str) -> str:
    """The official description of a valid code ("" for SNOMED CT: its release is licensed)."""
    if system == "icd-10-cm":
        return _icd10cm_descriptions([code]).get(code, "")
    if system == "icd-10":
        return str(_who().get_description(code))
    return ""


def check_codes(pages: Iterable[Page], diags: Diagnostics, *, require: bool = False) -> list[CodeEntry]:
    """Check every page's codes (the default-language pages: a translation carries its source's)
    and return the site's codes, each with its description and pages, sorted by system and code.
    ``require``: a condition without codes is a warning (``require_codes``)."""
    carried: dict[tuple[str, str], list[Page]] = {}
    for page in pages:
        if page.lang:
            continue
        items = page.data.get("codes") or []
        if require and page.kind == "conditions" and not items:
            diags.warning(
                page.rel,
                0,
                "no codes: add the ICD-10-CM code(s) of this condition (spinesite.yaml has require_codes: true)",
                "codes-required",
            )
        seen: set[tuple[str, str]] = set()
        for i, item in enumerate(items):
            system, code = item.get("system"), item.get("code")
            if system not in CODE_SYSTEMS or not isinstance(code, str) or not code:
                continue  # validation reported it
            line = page.parsed.line(("codes", i, "code"))
            problem = code_problem(system, code)
            if problem is not None:
                diags.error(page.rel, line, f"codes[{i}].code: {problem}")
            elif (system, code) in seen:
                diags.error(page.rel, line, f"codes[{i}].code: {SYSTEM_NAMES[system]} {code} is listed twice")
            else:
                seen.add((system, code))
                carried.setdefault((system, code), []).append(page)
    cm = _icd10cm_descriptions(code for system, code in carried if system == "icd-10-cm")
    out = []
    for (system, code), found in sorted(carried.items()):
        text = cm.get(code, "") if system == "icd-10-cm" else description(system, code)
        out.append(CodeEntry(system, code, text, tuple(sorted(found, key=lambda p: (p.title.casefold(), p.slug)))))
    return out


def normalise_codes(data: dict[str, Any]) -> None:
    """Write every code of validated front matter as published (see :func:`normalise`)."""
    for item in data.get("codes") or []:
        if isinstance(item, dict) and isinstance(item.get("code"), str) and item.get("system") in CODE_SYSTEMS:
            item["code"] = normalise(item["system"], item["code"])
