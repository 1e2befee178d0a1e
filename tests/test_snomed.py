"""The form of SNOMED CT concept identifiers (spinesite.content.snomed)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinesite.content.snomed import snomed_problem, verhoeff_check_digit

# Real concept identifiers, each named by a public source and each passing Verhoeff:
REAL_CONCEPTS = [
    "138875005",  # SNOMED CT Concept, the root of the hierarchy (SNOMED CT Release File Specification)
    "404684003",  # Clinical finding (finding): top-level hierarchy (HL7 FHIR, snomed.info/id/404684003)
    "22298006",  # Myocardial infarction (disorder) (HL7 FHIR examples)
    "900000000000207008",  # SNOMED CT core module: 18 digits, short format (partition 00)
    # Long format (partition 10, an extension's namespace before it):
    "32506021000036107",  # SNOMED CT-AU module, namespace 1000036 (edition URI http://snomed.info/sct/32506021000036107)
    "25851000000105",  # Topic (EHR) (record artifact), UK namespace 1000000 (NHS Digital GP Connect)
]


@pytest.mark.parametrize("identifier", REAL_CONCEPTS)
def test_real_concept_identifiers_pass(identifier: str) -> None:
    assert snomed_problem(identifier) is None


@pytest.mark.parametrize(
    ("identifier", "reason"),
    [
        ("", "it is empty"),
        ("22298OO6", "it has 'O' in it, but an identifier has only the digits 0 to 9"),
        ("22298006 ", "it has ' ' in it, but an identifier has only the digits 0 to 9"),
        ("-22298006", "it has '-' in it, but an identifier has only the digits 0 to 9"),
        ("٢٢٢٩٨٠٠٦", "it has '٢' in it, but an identifier has only the digits 0 to 9"),  # Arabic-Indic digits
        ("10009", "it has 5 digits, but an identifier has 6 to 18"),
        ("1234567890123456789", "it has 19 digits, but an identifier has 6 to 18"),
        ("022298006", "it starts with 0, which an identifier never does"),
        # The partition cases below are constructed with a right check digit: the partition is the reason.
        ("37443015", "it is a description identifier (partition 01), not a concept"),
        ("100022", "it is a relationship identifier (partition 02), not a concept"),
        ("100112", "it is a description identifier (partition 11), not a concept"),
        ("1000129", "it is a relationship identifier (partition 12), not a concept"),
        ("1000164", "it is a postcoordinated expression identifier (partition 16), not a concept"),
        (
            "1000036",
            "its partition identifier (the 2 digits before the last) is 03, but a concept's is 00 (International Release) or 10 (an extension)",
        ),
        ("22298007", "its check digit is wrong: Verhoeff gives 6, not 7"),
        ("404684008", "its check digit is wrong: Verhoeff gives 3, not 8"),
        ("32506021000036100", "its check digit is wrong: Verhoeff gives 7, not 0"),
        # Two neighbouring digits swapped: Verhoeff catches every such transposition.
        ("22928006", "its check digit is wrong: Verhoeff gives 5, not 6"),
    ],
)
def test_problems_in_plain_words(identifier: str, reason: str) -> None:
    assert snomed_problem(identifier) == reason


def test_the_check_digit_of_real_identifiers() -> None:
    for identifier in REAL_CONCEPTS:
        assert verhoeff_check_digit(identifier[:-1]) == int(identifier[-1])
    # Verhoeff's own worked example: 236 gets the check digit 3.
    assert verhoeff_check_digit("236") == 3


@given(
    item=st.text(alphabet="0123456789", min_size=3, max_size=15).filter(lambda s: s[0] != "0"),
    partition=st.sampled_from(["00", "10"]),
)
def test_exactly_one_final_digit_makes_a_concept_identifier(item: str, partition: str) -> None:
    stem = item + partition
    valid = [digit for digit in "0123456789" if snomed_problem(stem + digit) is None]
    assert valid == [str(verhoeff_check_digit(stem))]
    for digit in "0123456789":
        if digit not in valid:
            assert snomed_problem(stem + digit) == f"its check digit is wrong: Verhoeff gives {valid[0]}, not {digit}"
