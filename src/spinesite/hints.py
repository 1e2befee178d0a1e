""" "Did you mean" hints: the value an editor most likely meant, or nothing.

Pure functions over strings, used by the validators (allowed values, dates), the link
checker (misspelt body links) and the command line (misspelt commands). A hint is only
given when it is unambiguous; for dates that could be read two ways, both readings are
spelt out instead.
"""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
import re
from collections.abc import Iterable, Mapping

_SEPARATORS = re.compile(r"[\s_\u2010-\u2015/-]+")  # spaces, underscores, slashes and every dash
_SHORT_RANGE = re.compile(r"([a-z])(\d+)-(\d+)")  # L4-5, as clinicians write levels
CUTOFF = 0.6


def _norm(text: str) -> str:
    return _SEPARATORS.sub("-", text.strip().casefold()).strip("-")


def closest(word: str, choices: Iterable[str], synonyms: Mapping[str, str] | None = None) -> str | None:
    """The choice ``word`` most likely meant: the same text in another case or with other
    dashes/spaces (``c5-c6``, ``L4–L5``, ``L4/5`` → ``C5-C6``, ``L4-L5``), a synonym
    (``neck`` → ``cervical``), else the closest spelling (difflib), else None."""
    options = sorted(set(choices))
    by_norm: dict[str, list[str]] = {}
    for choice in options:
        by_norm.setdefault(_norm(choice), []).append(choice)
    key = _norm(word)
    short = _SHORT_RANGE.fullmatch(key)
    for candidate in (key, f"{short[1]}{short[2]}-{short[1]}{short[3]}" if short else ""):
        if len(by_norm.get(candidate, ())) == 1:
            return by_norm[candidate][0]
    for name, meant in (synonyms or {}).items():
        if _norm(name) == key and meant in options:
            return meant
    folded = {o.casefold(): o for o in options}  # compare spellings whatever the case
    match = difflib.get_close_matches(word.casefold(), sorted(folded), n=1, cutoff=CUTOFF)
    return folded[match[0]] if match else None


# -- dates ---------------------------------------------------------------------------------------

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
_SEP = r"\s*[/.\-\s]\s*"
_YMD = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})")
_DMY = re.compile(rf"(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}})")
_D_MONTH_Y = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,})\.?,?\s+(\d{4})")
_MONTH_D_Y = re.compile(r"([a-z]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")


def _month(name: str) -> int | None:
    found = [i + 1 for i, m in enumerate(MONTHS) if m.startswith(name)]
    return found[0] if len(found) == 1 and len(name) >= 3 else None


def _date(year: int, month: int | None, day: int) -> dt.date | None:
    try:
        return dt.date(year, month or 0, day)
    except ValueError:
        return None


def _spoken(d: dt.date) -> str:
    return f"{d.day} {MONTHS[d.month - 1].capitalize()}"


def date_hint(text: str) -> str:
    """How to write a date given in another format: ``; write it as 2026-11-20``, both readings
    when the day and month could be swapped, or an empty string when we cannot tell."""
    value = " ".join(text.strip().casefold().split())
    if m := _YMD.fullmatch(value):
        found = _date(int(m[1]), int(m[2]), int(m[3]))
        return f"; write it as {found.isoformat()}" if found else ""
    if m := _DMY.fullmatch(value):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        readings = {d for d in (_date(year, second, first), _date(year, first, second)) if d is not None}
        if len(readings) == 1:
            return f"; write it as {readings.pop().isoformat()}"
        if len(readings) == 2:
            day_first, month_first = _date(year, second, first), _date(year, first, second)
            assert day_first is not None and month_first is not None
            return (
                f", which could be {_spoken(day_first)} or {_spoken(month_first)}:"
                f" write {day_first.isoformat()} or {month_first.isoformat()}"
            )
        return ""
    if m := _D_MONTH_Y.fullmatch(value):
        found = _date(int(m[3]), _month(m[2]), int(m[1]))
    elif m := _MONTH_D_Y.fullmatch(value):
        found = _date(int(m[3]), _month(m[1]), int(m[2]))
    else:
        return ""
    return f"; write it as {found.isoformat()}" if found else ""


# -- links and commands --------------------------------------------------------------------------


def link_hint(path: str, page_rel: str, rels: Iterable[str]) -> str | None:
    """The link ``path`` (``../stretches/chin-tuk.md``, ``chin-tuk.md``) most likely meant,
    written the same way, given the content files that exist (``content/<type>/<name>.md``)."""
    pages: dict[str, list[str]] = {}
    for rel in rels:
        parts = rel.split("/")
        if len(parts) == 3 and parts[2].endswith(".md"):
            pages.setdefault(parts[1], []).append(parts[2][:-3])
    if "/" not in path:  # a bare 'bridge.md' names a page by its slug, whatever its type
        name = closest(path[:-3], [n for names in pages.values() for n in names])
        return f"{name}.md" if name else None
    absolute = path.startswith("/")
    rel = posixpath.normpath(path.lstrip("/") if absolute else posixpath.join(posixpath.dirname(page_rel), path))
    parts = rel.split("/")
    if len(parts) != 3 or parts[0] != "content":
        return None
    kind = parts[1] if parts[1] in pages else closest(parts[1], pages)
    name = closest(parts[2][:-3], pages[kind]) if kind else None
    if kind is None or name is None:
        return None
    meant = f"content/{kind}/{name}.md"
    return "/" + meant if absolute else posixpath.relpath(meant, posixpath.dirname(page_rel))


def command_hint(word: str, commands: Iterable[str]) -> str:
    """``; did you mean 'build'?`` for a misspelt command, else the list of commands."""
    options = sorted(commands)
    match = difflib.get_close_matches(word.casefold(), options, n=1, cutoff=CUTOFF)
    return f"; did you mean '{match[0]}'?" if match else f"; the commands are: {', '.join(options)}"
