"""YAML syntax errors in plain words: what went wrong, on which line, and how to fix it.

libyaml (and PyYAML's pure-Python parser, in other words) reports where parsing stopped,
which is often after the real mistake: a key indented one space too far is read as more of
the text above it, and the parser only stops at that key's ``:``. :func:`explain` looks at
the text around the reported point and returns the line the editor must change and a
message that says how. It returns None when it does not recognise the mistake; the caller
then reports the parser's own words.

Lines and columns given to and returned by these functions are 0-based; messages count
columns from 1, as editors do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spinesite.diagnostics import show

Mark = tuple[int, int]  # (line, column), 0-based
Explained = tuple[int, str]  # (0-based line to fix, message)

# YAML's line breaks (PyYAML also breaks lines at NEL and the Unicode separators).
_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_LEAD = re.compile(r"[ \t]*(?:-(?:[ \t]+|$))*")  # indentation and list dashes before a key
_KEY_COLON = re.compile(r":(?=[ \t]|$)")
_KEYLIKE = re.compile(r"^[A-Za-z_][\w.-]*$")
_QUOTABLE_MAX = 70  # longer lines are described, not quoted back


@dataclass(frozen=True)
class _Line:
    """One source line split into its lead (indentation, ``- ``), key and value."""

    text: str
    lead: int  # column where the key (or the value of a bare list item) starts
    key: str | None  # None: the line has no ``key:``
    colon: int  # column of the key's ':' (-1 without a key)
    value_col: int  # column where the value starts (len(text) if none)

    @property
    def value(self) -> str:
        return self.text[self.value_col :].rstrip()

    @property
    def is_item(self) -> bool:
        return self.text.lstrip(" \t").startswith("-") and self.dash < self.lead

    @property
    def dash(self) -> int:
        return len(self.text) - len(self.text.lstrip(" \t"))


def _split(text: str) -> _Line:
    lead = _LEAD.match(text)
    start = lead.end() if lead else 0
    rest = text[start:]
    colon = _KEY_COLON.search(rest)
    if colon is None or rest[:1] in ("'", '"', "[", "{", "#") or not rest[: colon.start()].strip():
        return _Line(text, start, None, -1, start)
    value = colon.end() + len(rest[colon.end() :]) - len(rest[colon.end() :].lstrip(" \t"))
    return _Line(text, start, show(rest[: colon.start()].rstrip()), start + colon.start(), start + value)


def _spaces(n: int) -> str:
    return f"{n} space" + ("" if n == 1 else "s")


def _quote(text: str) -> str:
    """``text`` as a YAML quoted string: double quotes, or single ones if it holds a '"'."""
    if '"' in text and "'" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write(line: _Line, value: str | None = None) -> str | None:
    """``key: "value"`` for the message, or None when the line is too long to quote back."""
    if line.key is None:
        return None
    out = f"{line.key}: {_quote(line.value if value is None else value)}"
    return out if len(out) <= _QUOTABLE_MAX and out.isprintable() else None


def _needs_quotes(line: _Line, why: str, value: str | None = None, subject: str = "it") -> str:
    written = _write(line, value)
    if written is not None:
        return f"{why}, so {subject} needs quotes: write {written}"
    return f"{why}, so {subject} needs quotes: put everything after '{line.key}:' in double quotes"


class _Text:
    def __init__(self, text: str, first_line: int) -> None:
        self.lines = _BREAK.split(text)
        self.first_line = first_line

    def no(self, n: int) -> int:
        """Line ``n`` (0-based) as the editor sees it in the file."""
        return n + self.first_line

    def line(self, n: int) -> _Line:
        return _split(self.lines[n] if 0 <= n < len(self.lines) else "")

    def previous(self, n: int) -> int:
        """The closest line above ``n`` with content (not blank, not a comment), or -1."""
        for i in range(min(n, len(self.lines)) - 1, -1, -1):
            stripped = self.lines[i].strip()
            if stripped and not stripped.startswith("#"):
                return i
        return -1

    def previous_key(self, n: int) -> int:
        i = self.previous(n)
        while i >= 0 and self.line(i).key is None:
            i = self.previous(i)
        return i

    def parent_key(self, n: int, column: int) -> str | None:
        """The key of the closest line above ``n`` that is indented less than ``column``
        (or as much, for a key with no value on its line: ``key:`` and then a list)."""
        i = self.previous(n)
        while i >= 0:
            line = self.line(i)
            if line.key is not None and (line.lead < column or (line.lead == column and not line.value)):
                return line.key
            i = self.previous(i)
        return None


def explain(text: str, problem: str, at: Mark | None, context: str, context_at: Mark | None, first_line: int = 1) -> Explained | None:
    """The line to fix and a plain message for a YAML syntax error, or None. ``first_line`` is
    the file's line number of the text's first line, for the lines a message mentions."""
    if at is None:
        return None
    t = _Text(text, first_line)
    line, col = at
    if line >= len(t.lines):
        return None
    if "cannot start any token" in problem or "tab character" in problem:
        return _bad_start(t, line, col, problem)
    if "mapping values are not allowed" in problem:
        return _colon(t, line, col)
    if "while scanning a quoted scalar" in context and "end of stream" in problem and context_at:
        return _unclosed_quote(t, context_at)
    if "sequence entries are not allowed" in problem:
        return _after_value(t, line, col) or _starts_value(t, line, col, "'- ' at the start of a value begins a list")
    if "could not find expected ':'" in problem and context_at:
        return _no_colon(t, context_at[0])
    if context_at and ("while scanning an alias" in context or "while scanning an anchor" in context):
        ch = t.lines[context_at[0]][context_at[1] : context_at[1] + 1]
        return _starts_value(t, context_at[0], context_at[1], f"a value cannot start with '{ch}' in YAML")
    if "flow" in context and ("expected ','" in problem or "node content" in problem):
        return _unclosed_flow(t, line, col, context, context_at)
    block_end = "expected <block end>" in problem
    if "did not find expected key" in problem or (block_end and "block mapping" in context):
        return _after_value(t, line, col) or _misplaced_in_mapping(t, line, context_at)
    if "did not find expected '-' indicator" in problem or (block_end and "block collection" in context):
        return _misplaced_in_list(t, line, context_at)
    return None


def runaway_item(text: str, first_item: int, start: int, end: int, first_line: int = 1) -> Explained | None:
    """A plain list item whose text runs on to a line starting with '- ' (lines ``start+1..end``):
    that '- ' was meant as the next item but is indented further than the first item's
    (line ``first_item``), so YAML reads it as more text of the item above."""
    t = _Text(text, first_line)
    for n in range(start + 1, min(end, len(t.lines) - 1) + 1):
        if t.line(n).is_item:
            return _line_up_items(t, n, first_item)
    return None


def _bad_start(t: _Text, n: int, col: int, problem: str) -> Explained:
    text = t.lines[n]
    tab = col if text[col : col + 1] == "\t" else text.find("\t") if "tab" in problem else -1
    if tab >= 0:
        if not text[:tab].strip(" \t-"):
            return n, f"YAML indents with spaces, not tabs: replace the tab at column {tab + 1} with spaces"
        return n, f"YAML does not allow a tab here: replace the tab at column {tab + 1} with a space"
    return _starts_value(t, n, col, f"a value cannot start with '{text[col : col + 1]}' in YAML")


def _starts_value(t: _Text, n: int, col: int, why: str) -> Explained:
    line = t.line(n)
    if line.key is not None and col == line.value_col:
        return n, _needs_quotes(line, why)
    return n, f"{why} (column {col + 1}): put the text in quotes"


def _colon(t: _Text, n: int, col: int) -> Explained:
    line = t.line(n)
    if line.key is not None and col > line.colon:  # key: text with: more text
        ends = not t.lines[n][col + 1 :].strip()
        return n, _needs_quotes(line, "this text ends with ':'" if ends else "this text contains ': '")
    above = t.previous(n)
    prev = t.line(above)
    key = line.key or show(t.lines[n][line.lead : col].strip())
    if above < 0:
        return n, "a ':' here is not allowed: put the text in quotes"
    if prev.key is None and not prev.is_item and (missing := _missing_space(t, above)):  # title:Back pain
        return missing
    if prev.key is None and not prev.is_item and _KEYLIKE.match(prev.text.strip()):  # a key without its ':'
        return above, f"'{prev.text.strip()}' needs a ':' after it: write {prev.text.strip()}: and then its value"
    if not _KEYLIKE.match(key):  # text that runs on over several lines and has ': ' in it
        start = above
        while start >= 0 and (t.line(start).key is None or t.line(start).lead >= line.lead) and not t.line(start).is_item:
            start = t.previous(start)
        if start >= 0 and t.line(start).key is not None:
            owner = t.line(start)
            return (
                start,
                f"the text of '{owner.key}' runs on to line {t.no(n)}, where it contains ': ', so it needs quotes: put it all in double quotes",
            )
        return n, "this text contains ': ', so it needs quotes"
    if prev.key is not None:
        where = prev.key
        more = line.lead - prev.lead
        return n, f"'{key}' is indented {_spaces(more)} more than '{where}' on line {t.no(above)}: line the two keys up"
    return (
        n,
        f"'{key}' is indented more than line {t.no(above)}, so YAML reads it as part of that line's text: line it up with the key it belongs with",
    )


def _unclosed_quote(t: _Text, opened: Mark) -> Explained:
    n, col = opened
    q = t.lines[n][col : col + 1] or '"'
    return n, f"the quote ({q}) at column {col + 1} is never closed: add a closing {q} at the end of the value"


def _unclosed_flow(t: _Text, n: int, col: int, context: str, context_at: Mark | None) -> Explained | None:
    """An unclosed ``[`` or ``{``: the parser stops at the end, or at the next line's ':'."""
    opened = context_at if context_at is not None and "flow node" not in context else None
    if opened is None or t.lines[opened[0]][opened[1] : opened[1] + 1] not in ("[", "{"):
        # find the last bracket before the point where the parser stopped
        for i in range(min(n, len(t.lines) - 1), -1, -1):
            upto = t.lines[i][:col] if i == n else t.lines[i]
            found = max(upto.rfind("["), upto.rfind("{"))
            if found >= 0:
                opened = (i, found)
                break
        else:
            return None
    i, c = opened
    bracket = t.lines[i][c]
    closing, kind = ("]", "list") if bracket == "[" else ("}", "mapping")
    line = t.line(i)
    if line.key is not None and c == line.value_col and closing not in line.value:
        why = f"the '{bracket}' at column {c + 1} starts a {kind} that is never closed: add the missing '{closing}', or if the '{bracket}' is part of the text"
        written = _write(line)
        return i, f"{why}, write {written}" if written else f"{why}, put the value in double quotes"
    return i, f"the '{bracket}' at column {c + 1} starts a {kind} that is never closed: add the missing '{closing}'"


def _missing_space(t: _Text, n: int) -> Explained | None:
    """``menu:1``: a key and its value without the space YAML needs after the ':'."""
    text = t.lines[n].strip()
    if t.line(n).key is None and re.match(r"(?:-\s+)?[A-Za-z_][\w-]*:[^\s:/]", text):
        fixed = show(re.sub(r":(?=\S)", ": ", text, count=1), _QUOTABLE_MAX)
        return n, f"put a space after ':': write {fixed}"
    return None


def _no_colon(t: _Text, n: int) -> Explained:
    if missing := _missing_space(t, n):
        return missing
    return (
        n,
        "this line is not 'key: value' nor a '- ' list item: add the missing ':' after the key, or indent it if it continues the text above",
    )


def _after_value(t: _Text, n: int, col: int) -> Explained | None:
    """Text after a closing quote or bracket on the same line (``title: "Back" pain``)."""
    line = t.line(n)
    text = t.lines[n]
    if col <= line.lead or not text[:col].strip():
        return None
    value = line.value
    for q in ('"', "'"):
        if text[:col].count(q) % 2 == 1 and not (line.key is not None and value.startswith(q) and text[line.value_col : col].count(q) >= 2):
            # the quote before the mark closes one opened on an earlier line
            for above in range(n - 1, -1, -1):
                if t.lines[above].count(q) % 2 == 1:
                    return _unclosed_quote(t, (above, t.lines[above].rfind(q)))
    if line.key is None or col <= line.value_col:
        return None
    first = value[:1]
    if first in ('"', "'"):
        inner = value[1:-1] if value.endswith(first) and len(value) > 1 else value
        closed = text.rfind(first, 0, col) + 1
        why = f"the text goes on after the quote ({first}) that closes at column {closed}"
        return n, _needs_quotes(line, why, inner, "the whole value")
    if first in ("[", "{"):
        closing, kind = ("]", "list") if first == "[" else ("}", "mapping")
        why = f"a value starting with '{first}' is read as a {kind} and cannot go on after its '{closing}'"
        return n, _needs_quotes(line, why, subject="the whole value")
    return None


def _misplaced_in_mapping(t: _Text, n: int, context_at: Mark | None) -> Explained | None:
    line = t.line(n)
    above = t.previous(n)
    if line.is_item:
        prev_item = next((i for i in range(above, -1, -1) if t.line(i).is_item), -1)
        if prev_item >= 0:
            return _line_up_items(t, n, prev_item)
        return (
            n,
            "this '- ' list item is not under a key: put it under the key it belongs to (a line like 'stretches:' with nothing after the ':')",
        )
    if line.key is None:
        return None
    prev = t.previous_key(n)
    options = []
    if prev >= 0 and t.line(prev).lead != line.lead:
        options.append(f"'{t.line(prev).key}' on line {t.no(prev)} ({_spaces(t.line(prev).lead)})")
    if context_at is not None and context_at[0] != prev and context_at[1] != line.lead:
        outer = t.line(context_at[0])
        if outer.key is not None:
            options.append(f"'{outer.key}' on line {t.no(context_at[0])} ({_spaces(outer.lead)})")
    if not options:
        return None
    return n, f"'{line.key}' is indented {_spaces(line.lead)}, which lines it up with no key above it: indent it like " + " or like ".join(
        options
    )


def _misplaced_in_list(t: _Text, n: int, context_at: Mark | None) -> Explained | None:
    line = t.line(n)
    if line.is_item and context_at is not None:
        return _line_up_items(t, n, context_at[0])
    if line.key is None:
        return None
    prev = t.previous_key(n)
    if prev >= 0 and t.line(prev).lead > line.lead:
        p = t.line(prev)
        return (
            n,
            f"'{line.key}' is indented {_spaces(line.lead)} but '{p.key}' on line {t.no(prev)} is indented {p.lead}: line the two keys up",
        )
    if context_at is not None:
        return (
            n,
            f"'{line.key}' lines up with the '-' of the list on line {t.no(context_at[0])}: start it with '- ' if it is a new item, or indent it like the item's other keys",
        )
    return None


def _line_up_items(t: _Text, n: int, other: int) -> Explained:
    dash = t.line(other).dash
    parent = t.parent_key(other, dash)
    under = f" under '{parent}'" if parent else ""
    return n, f"list items{under} must line up: indent this '-' like the one on line {t.no(other)} ({_spaces(dash)})"
