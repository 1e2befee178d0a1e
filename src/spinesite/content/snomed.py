"""The form of a SNOMED CT concept identifier (SCTID), checked without the licensed release.

Whether a concept exists can only be checked against a SNOMED CT release, which needs a
licence; its form can be checked by anyone. The rules, from the SNOMED CT Release File
Specification, chapter 6 "SNOMED CT Identifiers": 6.2 "SCTID Representation"
(https://confluence.snomedtools.org/display/DOCRELFMT/6.2+SCTID+Representation), the SCTID
constraints, 6.4 "Check-digit" and 6.4.2 "Check-digit Computation"
(https://confluence.snomedtools.org/display/DOCRELFMT/6.4.2+Check-digit+Computation, whose
three tables are written out below) and 6.5 "Partition Identifier"
(https://docs.snomed.org/snomed-ct-specifications/snomed-ct-release-file-specification/snomed-ct-identifiers/6.5-partition-identifier):

- only the decimal digits 0 to 9, with no leading zero, 6 to 18 of them (a value greater than
  10^5 and less than 10^18);
- the second and third digits from the right are the partition identifier: 00 a concept, 01 a
  description, 02 a relationship (short format: the International Release); 10 a concept,
  11 a description, 12 a relationship, 16 a postcoordinated expression (long format: an
  extension, with a 7-digit namespace identifier before the partition); every other value is
  reserved;
- the last digit is a Verhoeff check digit computed over all the digits before it.

Pure functions, no I/O.
"""

from __future__ import annotations

# Verhoeff's scheme (dihedral group D5): the multiplication table, the position permutation
# table and the inverse table.
_D: tuple[tuple[int, ...], ...] = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P: tuple[tuple[int, ...], ...] = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV: tuple[int, ...] = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

_DIGITS = frozenset("0123456789")
MIN_DIGITS, MAX_DIGITS = 6, 18
CONCEPT_PARTITIONS = ("00", "10")
# The partitions that name another kind of component than a concept.
_OTHER_PARTITIONS = {
    "01": "a description identifier",
    "11": "a description identifier",
    "02": "a relationship identifier",
    "12": "a relationship identifier",
    "16": "a postcoordinated expression identifier",
}


def verhoeff_check_digit(digits: str) -> int:
    """The Verhoeff check digit to append to ``digits`` (a string of 0-9)."""
    check = 0
    for position, digit in enumerate(reversed(digits), start=1):
        check = _D[check][_P[position % 8][int(digit)]]
    return _INV[check]


def snomed_problem(identifier: str) -> str | None:
    """None when ``identifier`` has the form of a SNOMED CT concept identifier, else why not.

    The reason is plain words that end the message
    "'<identifier>' is not a SNOMED CT concept identifier: <reason>".
    """
    if not identifier:
        return "it is empty"
    for char in identifier:
        if char not in _DIGITS:
            return f"it has {char!r} in it, but an identifier has only the digits 0 to 9"
    if not MIN_DIGITS <= len(identifier) <= MAX_DIGITS:
        return f"it has {len(identifier)} digits, but an identifier has {MIN_DIGITS} to {MAX_DIGITS}"
    if identifier[0] == "0":
        return "it starts with 0, which an identifier never does"
    partition = identifier[-3:-1]
    if partition not in CONCEPT_PARTITIONS:
        kind = _OTHER_PARTITIONS.get(partition)
        if kind is not None:
            return f"it is {kind} (partition {partition}), not a concept"
        return (
            f"its partition identifier (the 2 digits before the last) is {partition}, "
            "but a concept's is 00 (International Release) or 10 (an extension)"
        )
    expected = verhoeff_check_digit(identifier[:-1])
    if int(identifier[-1]) != expected:
        return f"its check digit is wrong: Verhoeff gives {expected}, not {identifier[-1]}"
    return None
