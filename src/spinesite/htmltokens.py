"""Two linear passes over the raw text of an HTML document, for :mod:`htmlscan`.

Neither decides what is safe: the scan reads Lexbor's tree. They answer what that tree cannot:

- :func:`start_tags`: where each start tag is (for line numbers, asked only when something is
  reported), and :func:`closed`: whether a raw-text element has its end tag;
- :func:`too_deep`: whether the document nests so deeply that parsing it would take long.
  The HTML standard's tree builder walks the stack of open elements for most tags, so a file of
  100,000 nested ``<div>`` costs seconds (and a million, minutes); browsers stop nesting at 512
  (Chrome). This pass follows the standard's rules for popping that stack closely enough to
  *over*-estimate its depth (never under: a miscount can refuse a file, never slow the build),
  in linear time, on documents with more than :data:`GUARDED_TAGS` ``<``.
"""

from __future__ import annotations

import re

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


_VOID = _names("area base br col embed hr img image input link meta source track wbr param keygen basefont bgsound frame")
# Closed by the next of their kind (or by their parent's end): never deeper than what holds them.
_SIBLINGS = _names("html head body p li dd dt option optgroup rb rp rt rtc tr td th tbody thead tfoot caption colgroup")
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

    Over-estimates: elements closed by their siblings (``p``, ``li``, ``td``...) are not
    counted, void elements neither; an end tag pops only where the standard surely pops (a
    formatting element at the top, a special element in scope, another one with no special
    element above it, in SVG/MathML the nearest of its name). Read with scripting off
    (``<noscript>`` holds markup), which only adds elements.
    """
    if text.count("<") <= GUARDED_TAGS:
        return None
    names: list[str] = []
    svg: list[bool] = []  # SVG or MathML element (else HTML)
    by_name: dict[str, list[int]] = {}
    special: list[int] = []  # indexes of special elements (they stop "any other end tag")
    scope: list[int] = []  # ... of scope boundaries (they stop the end tags of special elements)
    html: list[int] = []  # ... of HTML elements (they stop an SVG end tag's search)

    def pop_to(i: int) -> None:
        while len(names) > i:
            by_name[names.pop()].pop()
            svg.pop()
        for marks in (special, scope, html):
            while marks and marks[-1] >= i:
                marks.pop()

    pos = 0
    while (m := _TOKEN.search(text, pos)) is not None:
        pos, name = m.end(), m.group("start")
        top_svg = bool(svg) and svg[-1]
        if name is None:
            end = (m.group("end") or "").lower()
            if top_svg and m.group().startswith("<![CDATA["):
                cdata_end = _CDATA_END.search(text, pos)
                pos = cdata_end.end() if cdata_end else len(text)
            if not by_name.get(end):
                continue
            i = by_name[end][-1]
            if top_svg and svg[i] and (not html or html[-1] < i):  # in SVG/MathML: the nearest of its name
                pop_to(i)
            elif end in _FORMATTING:
                if i == len(names) - 1:
                    pop_to(i)
            elif end in _SPECIAL:
                if not scope or i >= scope[-1]:
                    pop_to(i)
            elif not special or i > special[-1]:
                pop_to(i)
            continue
        name = name.lower()
        in_svg = top_svg and names[-1] not in _INTEGRATION
        if in_svg and name in _BREAKOUT:
            pop_to(html[-1] + 1 if html else 0)
            in_svg = False
        i = len(names)
        if name in ("svg", "math") or in_svg:
            if m.group().endswith("/>"):
                continue
            if name in _INTEGRATION:
                special.append(i)
                scope.append(i)
        elif name in _VOID or name in _SIBLINGS:
            continue
        else:
            html.append(i)
            if name in _SPECIAL:
                special.append(i)
            if name in _SCOPE:
                scope.append(i)
            if name in RAW_TEXT:
                pos = _raw_text_end(text, name, pos)
        by_name.setdefault(name, []).append(i)
        names.append(name)
        svg.append(i not in html[-1:])
        if len(names) > MAX_DEPTH:
            return m.start()
    return None
