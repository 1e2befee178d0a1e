"""Reading ease of Spanish patient-facing prose: Fernández-Huerta and INFLESZ, offline.

Pure functions, no I/O, no dictionary: Spanish spelling says how a word divides, so
syllables are counted by the orthographic rules of the Real Academia Española (Ortografía
2010, §4.1): each vowel group has one syllable per open vowel (a, e, o, with or without an
accent) or stressed close vowel (í, ú), and one for a group of close vowels only (i, u, ü,
final y). So two open vowels are a hiatus (le-er, po-e-ta), an open and a close one a
diphthong (ai-re, hue-vo) unless the close one is stressed (dí-a, re-ú-ne), two close ones a
diphthong (ciu-dad, cons-truí), and close-open-close a triphthong (buey, U-ru-guay). An *h*
between vowels does not separate them (ahi-ja-do, bú-ho); the *u* of que, qui, gue, gui is
silent (gue-rra) but not güe, güi (pin-güi-no); *y* is a vowel only when no vowel follows it
(muy, hoy, y). Numbers are read as Spanish words (25: vein-ti-cin-co), common abbreviations
as what they stand for (Dr.: doctor), and short capitals that cannot be said as a word
letter by letter (DNI: de-ene-i).

The scores take plain prose; run Markdown through
:func:`spinesite.checks.readability.prose_of_markdown` first (``site.page_prose`` does).
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from functools import cache

# Fernández Huerta (1959) as corrected by Gwillim Law (2011); see fernandez_huerta().
FH_BASE, FH_SYLLABLES, FH_SENTENCE = 206.84, 60.0, 1.02
# Szigriszt-Pazos (1993), the score of the INFLESZ scale (Barrio-Cantalejo 2008).
SP_BASE, SP_SYLLABLES, SP_SENTENCE = 206.835, 62.3, 1.0
INFLESZ_BANDS = ((40, "muy difícil"), (55, "algo difícil"), (65, "normal"), (80, "bastante fácil"))

_ACUTE = "\u0301"  # combining acute accent: í and ú after NFD
_VOWELS = "aeiou"
_ONSETS = frozenset({"pr", "br", "tr", "dr", "cr", "kr", "gr", "fr", "pl", "bl", "cl", "kl", "gl", "fl", "ch", "ll", "rr"})
_FINAL_CONSONANTS = frozenset("dlnrszcxjkpty")
# Syllables of the Spanish names of the letters (be, ce, efe, hache, uve doble, i griega...).
_LETTER_NAMES = dict.fromkeys("aábcdeégiíkoópqtuú", 1) | dict.fromkeys("fhjlmnñrsvxz", 2) | {"y": 3, "w": 4}
# Abbreviations read as the word they stand for, by its syllables (usted: us-ted).
_ABBREVIATIONS = {
    "sr": 2, "sra": 3, "srta": 4, "dr": 2, "dra": 3, "ud": 2, "uds": 3, "etc": 4, "ej": 3,
    "pág": 3, "págs": 3, "núm": 3, "aprox": 7, "tel": 4, "min": 3, "seg": 3, "máx": 3, "mín": 3,
    "kg": 4, "g": 2, "mg": 4, "ml": 4, "cm": 4, "mm": 4, "km": 4, "h": 2,
}  # fmt: skip
# Words before a full stop that does not end the sentence ("Sr. García", "p. ej. Ana").
_NOT_ENDING = {"ee", "uu", "fig", "vs"}  # EE. UU., fig. 3
_DOT_ABBREVIATIONS = (frozenset(_ABBREVIATIONS) | _NOT_ENDING) - {"etc", "g", "h", "kg", "mg", "ml", "cm", "mm", "km", "min", "seg"}

# Spanish number words: 0-29, tens, hundreds, ordinals 1-10.
_UNITS = (
    "cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve",
    "diez", "once", "doce", "trece", "catorce", "quince", "dieciséis", "diecisiete",
    "dieciocho", "diecinueve", "veinte", "veintiuno", "veintidós", "veintitrés",
    "veinticuatro", "veinticinco", "veintiséis", "veintisiete", "veintiocho", "veintinueve",
)  # fmt: skip
_TENS = (
    "_", "_", "_", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta",
    "noventa",
)  # fmt: skip
_HUNDREDS = (
    "_", "ciento", "doscientos", "trescientos", "cuatrocientos", "quinientos",
    "seiscientos", "setecientos", "ochocientos", "novecientos",
)  # fmt: skip
_ORDINALS = (
    "_", "primero", "segundo", "tercero", "cuarto", "quinto", "sexto", "séptimo", "octavo",
    "noveno", "décimo",
)  # fmt: skip

_TOKEN_RE = re.compile(r"\d+\.?[ºª]|\d+(?:[.,]\d+)+|[^\W_]+")
_RUN_RE = re.compile(r"\d+|[^\W\d_]+")
_ORDINAL_RE = re.compile(r"(\d+)\.?[ºª]")
_BOUNDARY_RE = re.compile(r"([.!?…]+)[»\"'”’)\]]*(?:\s+|(?=[¿¡]))|\n\s*\n")


def _kinds(word: str) -> list[str]:
    """One symbol per letter of a lower-case word: 'S' an open vowel (a e o, accented or
    not), 'A' a stressed close vowel (í ú), 'W' a close vowel (i u ü, y with no vowel after
    it), 'C' a consonant; 'h' and the silent u of que/qui/gue/gui leave no symbol."""
    letters = [unicodedata.normalize("NFD", ch) for ch in word]
    bases = [d[0] for d in letters]
    kinds = []
    for i, (base, full) in enumerate(zip(bases, letters, strict=True)):
        nxt = bases[i + 1] if i + 1 < len(bases) else ""
        if base == "h":
            continue
        if base in "aeo":
            kinds.append("S")
        elif base in "iu":
            if base == "u" and len(full) == 1 and i > 0 and bases[i - 1] in "qg" and nxt in ("e", "i"):
                continue  # que, quién, guerra, guiso: the u is not said (güe, güi keep it)
            kinds.append("A" if _ACUTE in full else "W")
        elif base == "y" and (not nxt or nxt not in _VOWELS):
            kinds.append("W")  # y, muy, hoy, buey (but ya, mayo, reyes)
        else:
            kinds.append("C")
    return kinds


def _nuclei(word: str) -> int:
    """Syllables of a lower-case word by the orthographic rules (0 when it has no vowel)."""
    count, group_open, in_group = 0, 0, False
    for kind in [*_kinds(word), "C"]:
        if kind == "C":
            if in_group:
                count += max(1, group_open)
            group_open, in_group = 0, False
        else:
            in_group = True
            group_open += kind != "W"
    return count


def _pronounceable(low: str) -> bool:
    """Whether capitals like 'SIDA', 'TAC', 'ONU' can be said as a word (not 'DNI', 'IMC', 'VIH')."""
    shape = "".join("V" if unicodedata.normalize("NFD", ch)[0] in _VOWELS else "C" for ch in low)
    if "V" not in shape or (shape.startswith("CC") and low[:2] not in _ONSETS):
        return False
    return not shape.endswith("CC") and (shape[-1] == "V" or low[-1] in _FINAL_CONSONANTS)


def _spelled(letters: str) -> int:
    return sum(_LETTER_NAMES.get(ch, 1) for ch in letters.lower())


def _letters(run: str) -> int:
    """Syllables of a run of letters: an abbreviation, a word, or capitals said letter by letter."""
    low = run.lower()
    if low in _ABBREVIATIONS and not (run.isupper() and len(run) > 1):
        return _ABBREVIATIONS[low]
    n = _nuclei(low)
    if (run.isupper() and 2 <= len(run) <= 4 and not _pronounceable(low)) or (n == 0 and (len(run) == 1 or run.isupper())):
        return max(1, _spelled(low))  # DNI: de-ene-i; L: ele
    return max(1, n)


def _under_thousand(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    out = ["cien" if n == 100 else _HUNDREDS[hundreds]] if hundreds else []
    if rest >= 30:
        tens, unit = divmod(rest, 10)
        out += [_TENS[tens], "y", _UNITS[unit]] if unit else [_TENS[tens]]
    elif rest or not hundreds:
        out.append(_UNITS[rest])
    return out


def number_words(n: int) -> list[str]:
    """A whole number below a billion as Spanish words: 1521 -> ['mil', 'quinientos', 'veintiuno']."""
    if n == 0:
        return ["cero"]
    out: list[str] = []
    for scale, one, many in ((1_000_000, ["un", "millón"], "millones"), (1000, ["mil"], "mil")):
        count, n = divmod(n, scale)
        if count == 1:
            out += one
        elif count:
            lead = _under_thousand(count)
            lead[-1] = {"uno": "un", "veintiuno": "veintiún"}.get(lead[-1], lead[-1])  # veintiún mil
            out += [*lead, many]
    return out + (_under_thousand(n) if n else [])


def _digits(run: str) -> int:
    """Syllables of a run of digits read as a number (digit by digit when too long or zero-led)."""
    if len(run) > 9 or (len(run) > 1 and run[0] == "0"):
        return sum(_digits(d) for d in run)
    return sum(_nuclei(w) for w in number_words(int(run)))


def _number(token: str) -> int:
    """'1.000' (thousands), '2,5' (dos coma cinco), '3.5' (tres punto cinco)."""
    parts = re.split(r"([.,])", token)
    thousands = len(parts) > 1 and set(parts[1::2]) == {"."} and len(parts[0]) <= 3
    if thousands and all(len(p) == 3 for p in parts[2::2]):
        return _digits("".join(parts[0::2]))
    return sum(_digits(p) if p.isdecimal() else 2 for p in parts if p)  # coma, punto: 2 each


@cache
def syllables_es(word: str) -> int:
    """Number of syllables of one Spanish word; at least 1 for any word with a letter or digit,
    0 for one without (punctuation only)."""
    total = 0
    for token in _TOKEN_RE.findall(word):
        ordinal = _ORDINAL_RE.fullmatch(token)
        if ordinal:
            n = int(ordinal.group(1))
            total += _nuclei(_ORDINALS[n]) if 0 < n < len(_ORDINALS) else _digits(ordinal.group(1)) + 1
        elif not any(ch.isdecimal() for ch in token):
            total += _letters(token)
        elif "." in token or "," in token:
            total += _number(token)
        else:
            for run in _RUN_RE.findall(token):
                total += _digits(run) if run[0].isdecimal() else _letters(run)
    return total


def words_es(text: str) -> list[str]:
    """The words of ``text``: runs of letters and digits (accents, ñ and ü included), numbers with
    their inner separators ('2,5', '1.000'), ordinals ('1.º'); hyphens and apostrophes split."""
    return _TOKEN_RE.findall(text)


def sentences_es(text: str) -> list[str]:
    """Split ``text`` into sentences that contain at least one word.

    A sentence ends at a blank line, or at . ! ? … (and any closing quote or bracket) followed
    by a space or by ¿ ¡ — but not before a lower-case letter ("¿Duele? pues para", "etc. y")
    nor after an abbreviation or an initial ("Sr. García", "p. ej. Ana", "J. Pérez").
    """
    out, start = [], 0
    for match in _BOUNDARY_RE.finditer(text):
        if match.group(1):
            after = text[match.end() : match.end() + 1]
            if after.islower():
                continue
            before = words_es(text[start : match.start()])
            last = before[-1] if before else ""
            if match.group(1) == "." and (last.lower() in _DOT_ABBREVIATIONS or (len(last) == 1 and last.isalpha())):
                continue
        out.append(text[start : match.end()].strip())
        start = match.end()
    out.append(text[start:].strip())
    return [s for s in out if words_es(s)]


def counts_es(text: str) -> tuple[int, int, int]:
    """(words, syllables, sentences) of ``text``; at least one sentence when it has words."""
    ws = words_es(text)
    return len(ws), sum(syllables_es(w) for w in ws), max(1, len(sentences_es(text))) if ws else 0


def fernandez_huerta(text: str) -> float:
    """Fernández-Huerta reading ease (lecturabilidad), rounded to one decimal; 0.0 without words.

    ``L = 206.84 − 60 × syllables/words − 1.02 × words/sentences``, that is
    ``206.84 − 0.60 P − 1.02 F`` with P the syllables per 100 words and F the words per sentence.
    Higher is easier: 90–100 very easy, 80–90 easy, 70–80 fairly easy, 60–70 standard,
    50–60 fairly difficult, 30–50 difficult, below 30 very difficult. Not clamped.

    Sources: Fernández Huerta J. (1959), "Medidas sencillas de lecturabilidad", Consigna 214:
    29–32; as printed there F reads "sentences per 100 words", which makes shorter sentences
    score *harder*. Gwillim Law, "Error in the Fernandez Huerta Readability Formula", LINGUIST
    List 22.2332 (2011), showed it is an adaptation of Flesch (206.835 − 84.6 syl/word −
    1.015 words/sentence) whose F must be words per sentence; this corrected form is the
    one legible.es (A. Muñoz Fernández) and textstat use.
    """
    n_words, n_syllables, n_sentences = counts_es(text)
    if not n_words:
        return 0.0
    return round(FH_BASE - FH_SYLLABLES * n_syllables / n_words - FH_SENTENCE * n_words / n_sentences, 1)


def szigriszt_pazos(text: str) -> float:
    """Szigriszt-Pazos perspicuity, the score of the INFLESZ scale; one decimal, 0.0 without words.

    ``P = 206.835 − 62.3 × syllables/words − words/sentences`` (Szigriszt-Pazos F., Sistemas
    predictivos de legibilidad del mensaje escrito: fórmula de perspicuidad, thesis, 1993;
    INFLESZ bands from Barrio-Cantalejo I. M. et al., "Validación de la Escala INFLESZ para
    evaluar la legibilidad de los textos dirigidos a pacientes", An Sist Sanit Navar 2008;
    31(2): 135–152).
    """
    n_words, n_syllables, n_sentences = counts_es(text)
    if not n_words:
        return 0.0
    return round(SP_BASE - SP_SYLLABLES * n_syllables / n_words - SP_SENTENCE * n_words / n_sentences, 1)


def inflesz_band(score: float) -> str:
    """The INFLESZ band of a Szigriszt-Pazos score: 'muy difícil' (<40), 'algo difícil' (40–55),
    'normal' (55–65, the aim for patient leaflets), 'bastante fácil' (65–80), 'muy fácil' (80+)."""
    return next((name for limit, name in INFLESZ_BANDS if score < limit), "muy fácil")


def reading_ease_es(prose: str) -> float | None:
    """Fernández-Huerta score of a Spanish page's prose (``site.page_prose``); None without words."""
    return fernandez_huerta(prose) if words_es(prose) else None


def ease_summary(scores: list[float], minimum: int) -> str:
    """One line for ``spinesite check``, like the English reading-grade summary."""
    values = sorted(scores)
    if not values:
        return "Spanish reading ease: no pages with text."
    n = len(values)
    return (
        f"Spanish reading ease (Fernández-Huerta): min {values[0]:.1f}, median {statistics.median(values):.1f}, "
        f"max {values[-1]:.1f} over {n} page{'s' * (n != 1)} (warn below {minimum})."
    )
