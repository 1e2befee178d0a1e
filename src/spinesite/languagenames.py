"""Names of languages, in any language, from the Unicode CLDR data Babel ships (offline):
``language_name("es", "en")`` is "Spanish", ``language_name("en-GB", "es")`` is "inglés"."""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError


@cache
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def language_name(code: str, in_language: str = "en") -> str:
    """The language of ``code`` (its region left out), named in ``in_language``; the tag itself
    when CLDR does not know it."""
    lang, reader = _locale(code), _locale(in_language) or _locale("en")
    if lang is None or reader is None:
        return code
    return reader.languages.get(lang.language) or code


def own_name(code: str) -> str:
    """The language of ``code`` named in itself, capitalised as a menu item: "Español", "English"."""
    name = language_name(code, code)
    return name[:1].upper() + name[1:]
