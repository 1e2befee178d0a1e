"""Two linear passes over the raw text of an HTML document, for :mod:`htmlscan`.

Neither decides what is safe: the scan reads Lexbor's tree. They answer what that tree cannot:

- :func:`start_tags`: where each start tag is (for line numbers, asked only when something is
  reported), and :func:`closed`: whether a raw-text element has its end tag;
- :func:`too_deep`: whether the document nests so deeply that parsing it would take long.
  The HTML standard's tree builder walks the stack of open elements for most tags, so 200 KB
  of nested ``<ul>`` cost Lexbor seconds (a megabyte, minutes); browsers stop nesting at 512
  (Chrome). This pass models that stack, erring on the deep side where it cannot follow the
  standard exactly, in linear time, on documents with more than :data:`GUARDED_TAGS` ``<``.
  It guards the build's time, not its safety: a miscount can refuse a file (the error says
  so) or let a slow one through, never let a problem through unreported. The nestings it is
  known to get right, deep and sloppy-but-shallow, are in ``tests/test_htmlscan.py``.
"""

from __future__ import annotations

import re
from collections import Counter

MAX_DEPTH = 1024  # open elements
GUARDED_TAGS = 4096  # fewer '<' than this: even the deepest nesting parses in milliseconds

RAW_TEXT = frozenset({"title", "textarea", "style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext"})
# Comments (HTML5 ends), CDATA (in SVG and MathML), <!...> and <?...>, end tags, start tags (quotes kept).
_TOKEN = re.compile(
    r"""<!--(?:-?>|.*?--!?>|.*\Z)
      | <!\[CDATA\[(?=.*?\]\]>)
      | <[!?][^>]*>?
      | </(?P<end>[a-zA-Z][^\t\n\f\r />]*)?[^>]*>?
      | <(?P<start>[a-zA-Z][^\t\n\f\r />]*)(?:[^>"']|"[^"]*(?:"|\Z)|'[^']*(?:'|\Z))*>?""",
    re.DOTALL | re.VERBOSE,
)
_CDATA_END = re.compile(r"\]\]>")
_CLOSERS = {name: re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE) for name in (*RAW_TEXT, "noscript")}


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


_VOID = _names("area base br col embed hr img image input link meta source track wbr param keygen basefont bgsound frame html head body")
_CLOSES_P = _names("""address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer header
    hgroup main menu nav ol p search section summary ul h1 h2 h3 h4 h5 h6 pre listing form plaintext table hr xmp li dd dt""")
_TABLE_PARTS = _names("table caption colgroup tbody thead tfoot tr td th")
_MARKERS = _names("td th caption applet object marquee template")  # they fence off formatting elements
_FORMATTING = _names("a b big code em font i nobr s small strike strong tt u")
_SPECIAL = _names("""address applet area article aside base basefont bgsound blockquote body br button caption center col colgroup dd
    details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup
    hr html iframe img input keygen li link listing main marquee menu meta nav noembed noframes noscript object ol p param
    plaintext pre script search section select source style summary table tbody td template textarea tfoot th thead title
    tr track ul wbr xmp mi mo mn ms mtext annotation-xml foreignobject desc""")
_SCOPE = _names("applet caption html table td th marquee object template select mi mo mn ms mtext annotation-xml foreignobject desc title")
_INTEGRATION = _names("foreignobject desc title mi mo mn ms mtext annotation-xml")  # SVG/MathML holding HTML
_BREAKOUT = _names("""b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing menu meta nobr ol
    p pre ruby s small span strong strike sub sup table tt u ul var""")


def start_tags(text: str, scripting: bool) -> dict[str, list[int]]:
    """Offsets of the start tags in ``text``, by lower-case name, in order (raw text and comments
    skipped; inside ``<svg>``/``<math>`` raw text is markup and CDATA is skipped)."""
    starts: dict[str, list[int]] = {}
    foreign, pos = 0, 0
    while (m := _TOKEN.search(text, pos)) is not None:
        pos, name = m.end(), m.group("start")
        if name is None:
            end = (m.group("end") or "").lower()
            if end in ("svg", "math") and foreign:
                foreign -= 1
            elif foreign and m.group().startswith("<![CDATA["):
                cdata_end = _CDATA_END.search(text, pos)
                pos = cdata_end.end() if cdata_end else len(text)
            continue
        name = name.lower().replace("\0", "\ufffd")
        starts.setdefault(name, []).append(m.start())
        if name in ("svg", "math"):
            foreign += not m.group().endswith("/>")
        elif not foreign and (name in RAW_TEXT or (scripting and name == "noscript")):
            pos = _raw_text_end(text, name, pos)
    return starts


def closed(text: str, name: str, start: int) -> bool:
    """Whether the raw-text element whose start tag is at ``start`` has its end tag."""
    tag = _TOKEN.match(text, start)
    return name != "plaintext" and _CLOSERS[name].search(text, tag.end() if tag else start) is not None


def _raw_text_end(text: str, name: str, pos: int) -> int:
    closer = None if name == "plaintext" else _CLOSERS[name].search(text, pos)
    return closer.start() if closer else len(text)


def too_deep(text: str) -> int | None:
    """Offset of a start tag past which more than MAX_DEPTH elements could be open, or None.

    A model of the standard's stack of open elements that errs on the deep side: an element is
    popped only where the standard surely pops it (its end tag in scope; ``li``, ``dd``/``dt``,
    ``p``, table parts, ``option`` closed by their next sibling...), formatting elements popped
    by another end tag come back when the standard reconstructs them (up to three alike), and
    reconstruction is assumed at every start tag and text. Read with scripting off
    (``<noscript>`` holds markup), which only adds elements.
    """
    if text.count("<") <= GUARDED_TAGS:
        return None
    stack = _Stack()
    pos = 0
    while (m := _TOKEN.search(text, pos)) is not None:
        gap, pos, name = m.start() > pos, m.end(), m.group("start")
        if name is None:
            if stack.in_svg() and m.group().startswith("<![CDATA["):
                cdata_end = _CDATA_END.search(text, pos)
                pos = cdata_end.end() if cdata_end else len(text)
            stack.end_tag((m.group("end") or "").lower())
            continue
        name = name.lower()
        if gap:
            stack.reconstruct()
        stack.start_tag(name, m.group()[1 + len(name) :].strip(), m.group().endswith("/>"))
        if stack.depth > MAX_DEPTH:
            return m.start()
        if name in RAW_TEXT and stack.names and stack.names[-1] == name and not stack.svg[-1]:
            pos = _raw_text_end(text, name, pos)
    return None


class _Stack:
    """The stack of open elements as :func:`too_deep` models it."""

    def __init__(self) -> None:
        self.names: list[str] = []  # "" for a run of reconstructed formatting elements
        self.weights: list[int] = []  # how many elements an entry stands for
        self.svg: list[bool] = []  # SVG or MathML (else HTML)
        self.keys: list[Counter[str] | None] = []  # formatting elements: name and attributes
        self.by_name: dict[str, list[int]] = {}
        self.special: list[int] = []  # indexes of special elements (they stop "any other end tag")
        self.scope: list[int] = []  # ... of scope boundaries (they stop the end tags of special elements)
        self.html: list[int] = []  # ... of HTML elements (they stop an SVG end tag's search)
        self.pending: list[Counter[str]] = [Counter()]  # formatting elements to reconstruct, per marker
        self.depth = 0

    def in_svg(self) -> bool:
        return bool(self.svg) and self.svg[-1] and self.names[-1] not in _INTEGRATION

    def last(self, *group: str) -> int:
        return max((self.by_name[n][-1] for n in group if self.by_name.get(n)), default=-1)

    def limit(self) -> int:
        return self.scope[-1] if self.scope else -1

    def push(self, name: str, svg: bool, key: Counter[str] | None = None, weight: int = 1) -> None:
        i = len(self.names)
        if name:
            self.by_name.setdefault(name, []).append(i)
        for marks, member in ((self.special, name in _SPECIAL), (self.scope, name in _SCOPE), (self.html, not svg)):
            if member and (not svg or name in _INTEGRATION or marks is self.html):
                marks.append(i)
        self.names.append(name)
        self.weights.append(weight)
        self.svg.append(svg)
        self.keys.append(key)
        self.depth += weight
        if name in _MARKERS and not svg:
            self.pending.append(Counter())

    def pop_to(self, i: int, own: bool = False) -> None:
        """Pop the entries from index ``i`` up (``own``: the top one by its own end tag)."""
        while len(self.names) > i:
            name, key = self.names.pop(), self.keys.pop()
            self.depth -= self.weights.pop()
            if self.svg.pop() is False and name in _MARKERS:
                self.pending.pop()
            elif key is not None and not own:
                pending = self.pending[-1]
                for k, n in key.items():
                    if n > 0:
                        pending[k] = min(3, pending[k] + n)  # the standard keeps three alike
            if name:
                self.by_name[name].pop()
            own = False
        for marks in (self.special, self.scope, self.html):
            while marks and marks[-1] >= i:
                marks.pop()

    def reconstruct(self) -> None:
        if self.pending[-1] and not self.in_svg():
            run, self.pending[-1] = self.pending[-1], Counter()
            self.push("", False, run, sum(run.values()))

    def _drop_a(self) -> None:
        pending = self.pending[-1]
        for k in [k for k in pending if k.startswith("a ")]:
            del pending[k]
        for i in range(len(self.names) - 1, max(-1, len(self.names) - 9), -1):  # the top few entries
            key = self.keys[i]
            gone = next((k for k in key or () if k.startswith("a ")), None)
            if key is not None and gone is not None:
                key[gone] -= 1
                self.weights[i] -= 1
                self.depth -= 1
                if self.names[i] == "a" and self.by_name["a"][-1] == i:
                    self.by_name["a"].pop()
                    self.names[i] = ""
                return

    def end_tag(self, end: str) -> None:
        if not self.by_name.get(end):
            pending = self.pending[-1]
            gone = next((k for k in pending if k.split(" ", 1)[0] == end), None) if end in _FORMATTING else None
            if gone is not None:  # not open: the standard drops it from the list
                pending[gone] -= 1
                pending += Counter()
            return
        i = self.by_name[end][-1]
        if self.svg[-1] and self.svg[i] and (not self.html or self.html[-1] < i):  # in SVG/MathML: the nearest of its name
            self.pop_to(i)
        elif end in _FORMATTING:
            if i == len(self.names) - 1:
                self.pop_to(i, own=True)
        elif end in _TABLE_PARTS:  # table scope
            if i >= self.last("table", "template"):
                self.pop_to(i)
        elif end in _SPECIAL:  # in scope (list items: also not past a list; p: nor a button)
            extra = self.last("ol", "ul") if end == "li" else self.last("button") if end == "p" else -1
            if i >= max(self.limit(), extra):
                self.pop_to(i)
        elif not self.special or i > self.special[-1]:
            self.pop_to(i)

    def start_tag(self, name: str, attributes: str, self_closing: bool) -> None:
        svg = self.in_svg()
        if svg and name in _BREAKOUT:
            self.pop_to(self.html[-1] + 1 if self.html else 0)
            svg = False
        if name in ("svg", "math") or svg:
            if not self_closing:
                self.push(name, True)
            return
        self.reconstruct()
        self._close_before(name)
        if name not in _VOID:
            self.push(name, False, Counter([f"{name} {attributes}"]) if name in _FORMATTING else None)

    def _close_before(self, name: str) -> None:
        """What an HTML start tag closes first (only where the standard surely does)."""
        top = self.names[-1] if self.names else ""
        if name in _CLOSES_P and (j := self.last("p")) >= max(self.limit(), self.last("button"), 0):
            self.pop_to(j)
        if name in ("li", "dd", "dt") and (j := self.last(*(("li",) if name == "li" else ("dd", "dt")))) >= 0:
            above = [k for k in self.special[-5:] if k > j]  # only address, div, p between (a few looked at)
            if len(above) < 5 and all(self.names[k] in ("address", "div", "p") for k in above):
                self.pop_to(j)
        elif name in ("td", "th", "tr", "tbody", "thead", "tfoot"):
            group = ("td", "th") if name in ("td", "th") else ("tr",) if name == "tr" else ("tbody", "thead", "tfoot")
            if (j := self.last(*group)) >= max(self.last("table", "template"), 0):
                self.pop_to(j)
        elif name == "button" and (j := self.last("button")) >= max(self.limit(), 0):
            self.pop_to(j)
        elif name == "a":  # the standard drops the open <a> first (one at most: each <a> does this)
            self._drop_a()
        elif (name in ("option", "optgroup") and top == "option") or (name == "optgroup" and top == "optgroup"):
            self.pop_to(len(self.names) - 1)
        elif name in ("rb", "rt", "rp", "rtc"):
            while self.names and self.names[-1] in ("rb", "rt", "rp", "rtc"):
                self.pop_to(len(self.names) - 1)
