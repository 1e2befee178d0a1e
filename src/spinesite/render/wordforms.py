"""Word forms: whether another name for a term is only its plural or a change of case.

A glossary term's ``also_called`` names serve search and the automatic first-use links, so
they include plurals ("facet joints", "foramina") and the term itself in other cases ("disc"
for "Disc"). Shown to a reader as "Also called: ...", those read as synonyms that are not;
:func:`other_names` leaves them out of what is shown.
"""

from __future__ import annotations

# Regular English plurals and the Latin and Greek ones of anatomy: (singular ending, plural ending).
_ENDINGS = (
    ("", "s"),
    ("", "es"),
    ("y", "ies"),
    ("f", "ves"),
    ("fe", "ves"),
    ("a", "ae"),
    ("us", "i"),
    ("um", "a"),
    ("on", "a"),
    ("is", "es"),
    ("en", "ina"),
    ("ex", "ices"),
    ("ix", "ices"),
    ("ma", "mata"),
)


def _words(text: str) -> list[str]:
    return text.casefold().replace("-", " ").split()


def _plural_of(plural: str, singular: str) -> bool:
    """True when ``plural`` is a plural form of the single word ``singular``."""
    return any(
        singular.endswith(one) and plural == singular[: len(singular) - len(one)] + many and plural != singular for one, many in _ENDINGS
    )


def same_word(name: str, term: str) -> bool:
    """True when ``name`` is ``term`` in other letter case or spacing, or the singular or
    plural of it (the last word changes: "facet joints" for "Facet joint")."""
    a, b = _words(name), _words(term)
    if a == b:
        return True
    if len(a) != len(b) or not a or a[:-1] != b[:-1]:
        return False
    return _plural_of(a[-1], b[-1]) or _plural_of(b[-1], a[-1])


def other_names(names: list[str] | None, term: str) -> list[str]:
    """``names`` without those that are only ``term`` in another form, nor repeats of each other."""
    out: list[str] = []
    for name in names or []:
        if not same_word(name, term) and not any(same_word(name, kept) for kept in out):
            out.append(name)
    return out
