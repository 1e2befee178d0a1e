"""Spanish reading ease: orthographic syllable counts, words, sentences, Fernández-Huerta and
Szigriszt-Pazos/INFLESZ scores checked by hand."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinesite.checks.readability import prose_of_markdown
from spinesite.checks.readability_es import (
    counts_es,
    ease_summary,
    fernandez_huerta,
    inflesz_band,
    number_words,
    reading_ease_es,
    sentences_es,
    syllables_es,
    szigriszt_pazos,
    words_es,
)

# word: syllables, with the division a dictionary gives (RAE orthographic rules).
SYLLABLES = {
    # plain words
    "columna": 3,  # co-lum-na
    "espalda": 3,  # es-pal-da
    "rodilla": 3,  # ro-di-lla
    "dolor": 2,  # do-lor
    "médico": 3,  # mé-di-co
    "vértebra": 3,  # vér-te-bra
    "estenosis": 4,  # es-te-no-sis
    "músculos": 3,  # mús-cu-los
    # diphthongs: open + close, close + open, close + close
    "aire": 2,  # ai-re
    "huevo": 2,  # hue-vo
    "pierna": 2,  # pier-na
    "cuello": 2,  # cue-llo
    "ciudad": 2,  # ciu-dad
    "cuidado": 3,  # cui-da-do
    "nervioso": 3,  # ner-vio-so
    "ciática": 3,  # ciá-ti-ca
    "suave": 2,  # sua-ve
    "puntuación": 3,  # pun-tua-ción
    "construí": 2,  # cons-truí: two close vowels are a diphthong even with an accent
    "huir": 1,  # huir
    "guion": 1,  # guion (monosyllable since 2010)
    # hiatus: two open vowels, or a stressed close vowel
    "leer": 2,  # le-er
    "poeta": 3,  # po-e-ta
    "aéreo": 4,  # a-é-re-o
    "océano": 4,  # o-cé-a-no
    "zoológico": 5,  # zo-o-ló-gi-co
    "coordinar": 4,  # co-or-di-nar
    "mareo": 3,  # ma-re-o
    "día": 2,  # dí-a
    "país": 2,  # pa-ís
    "reúne": 3,  # re-ú-ne
    "río": 2,  # rí-o
    "oído": 3,  # o-í-do
    "maíz": 2,  # ma-íz
    "Raúl": 2,  # Ra-úl
    "ataúd": 3,  # a-ta-úd
    "biología": 4,  # bio-lo-gí-a
    "radiografía": 5,  # ra-dio-gra-fí-a
    "creíais": 3,  # cre-í-ais
    # triphthongs
    "Uruguay": 3,  # U-ru-guay
    "Paraguay": 3,  # Pa-ra-guay
    "buey": 1,  # buey
    "estudiáis": 3,  # es-tu-diáis
    "averiguáis": 4,  # a-ve-ri-guáis
    # h between vowels does not separate them
    "ahora": 3,  # a-ho-ra
    "alcohol": 3,  # al-co-hol
    "ahí": 2,  # a-hí
    "búho": 2,  # bú-ho
    "prohíbe": 3,  # pro-hí-be
    "prohibir": 2,  # prohi-bir
    "zanahoria": 4,  # za-na-ho-ria
    "cacahuete": 4,  # ca-ca-hue-te
    "rehén": 2,  # re-hén
    # the silent u of que, qui, gue, gui; güe and güi say it
    "que": 1,  # que
    "quién": 1,  # quién
    "quiero": 2,  # quie-ro
    "izquierda": 3,  # iz-quier-da
    "quinientos": 3,  # qui-nien-tos
    "guerra": 2,  # gue-rra
    "guiso": 2,  # gui-so
    "seguí": 2,  # se-guí
    "guía": 2,  # guí-a
    "hormigueo": 4,  # hor-mi-gue-o
    "pingüino": 3,  # pin-güi-no
    "vergüenza": 3,  # ver-güen-za
    "agüero": 3,  # a-güe-ro
    "cualquier": 2,  # cual-quier
    # y: a vowel only when no vowel follows
    "y": 1,
    "muy": 1,
    "hoy": 1,
    "rey": 1,
    "reyes": 2,  # re-yes
    "ayer": 2,  # a-yer
    "ya": 1,
    "mayo": 2,  # ma-yo
    "sustituye": 4,  # sus-ti-tu-ye
    # upper case and accents
    "ESPALDA": 3,
    "ÁRBOL": 2,
    "Ahí": 2,
    "PINGÜINO": 3,
    # longer words
    "fisioterapeuta": 6,  # fi-sio-te-ra-peu-ta
    "estiramiento": 5,  # es-ti-ra-mien-to
    "electromiografía": 7,  # e-lec-tro-mio-gra-fí-a
    "espondilolistesis": 7,  # es-pon-di-lo-lis-te-sis
    "articulación": 5,  # ar-ti-cu-la-ción
}

# Abbreviations, capitals and numbers, read as a Spanish speaker says them.
SAID = {
    "Sr": 2,  # señor
    "Dra": 3,  # doctora
    "Ud": 2,  # usted
    "etc": 4,  # etcétera
    "DNI": 4,  # de-ene-i
    "IMC": 4,  # i-eme-ce
    "VIH": 5,  # uve-i-hache
    "NHS": 6,  # ene-hache-ese
    "RM": 4,  # erre-eme
    "L": 2,  # ele
    "L4": 4,  # ele cuatro
    "SIDA": 2,  # si-da, said as a word
    "ONU": 2,  # o-nu
    "TAC": 1,  # tac
    "EPOC": 2,  # e-poc
    "4": 2,  # cua-tro
    "15": 2,  # quin-ce
    "21": 3,  # vein-tiu-no
    "31": 5,  # trein-ta y u-no
    "100": 1,  # cien
    "2026": 5,  # dos mil vein-ti-séis
    "1.000": 1,  # mil
    "2,5": 5,  # dos co-ma cin-co
    "007": 6,  # ce-ro ce-ro sie-te
    "1.º": 3,  # pri-me-ro
    "5mg": 6,  # cin-co mi-li-gra-mos
}


@pytest.mark.parametrize(("word", "expected"), [*SYLLABLES.items(), *SAID.items()])
def test_syllables(word: str, expected: int) -> None:
    assert syllables_es(word) == expected


def test_enough_words_are_checked() -> None:
    assert len(SYLLABLES) >= 60


def test_no_letter_no_syllable() -> None:
    assert syllables_es("") == 0
    assert syllables_es("¿—!") == 0


@pytest.mark.parametrize(
    ("n", "said"),
    [
        (0, "cero"),
        (16, "dieciséis"),
        (31, "treinta y uno"),
        (100, "cien"),
        (101, "ciento uno"),
        (1521, "mil quinientos veintiuno"),
        (21000, "veintiún mil"),
        (1_000_000, "un millón"),
        (2_500_000, "dos millones quinientos mil"),
    ],
)
def test_number_words(n: int, said: str) -> None:
    assert " ".join(number_words(n)) == said


def test_words() -> None:
    assert words_es("¿Dónde está el pingüino? Pesa 2,5 kg; es el 1.º (L4-L5).") == [
        "Dónde", "está", "el", "pingüino", "Pesa", "2,5", "kg", "es", "el", "1.º", "L4", "L5",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¿Le duele? Pare. ¡Llame ya!", ["¿Le duele?", "Pare.", "¡Llame ya!"]),
        ("Hola.¿Qué tal?", ["Hola.", "¿Qué tal?"]),
        ("«Pare», dijo. Luego siga…", ["«Pare», dijo.", "Luego siga…"]),
        ("Hable con el Sr. García o la Dra. Ruiz.", ["Hable con el Sr. García o la Dra. Ruiz."]),
        ("Use ropa cómoda, p. ej. Una camiseta.", ["Use ropa cómoda, p. ej. Una camiseta."]),
        ("Lo dice J. Pérez.", ["Lo dice J. Pérez."]),
        ("Espere... y luego siga. ¿Duele? pues pare.", ["Espere... y luego siga.", "¿Duele? pues pare."]),
        ("Título\n\nTexto sin punto", ["Título", "Texto sin punto"]),
        ("  . ¡! ", []),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences_es(text) == expected


def test_score_of_short_sentences() -> None:
    # Camina(3) cada(2) día(2) | Te(1) ayuda(3): 5 words, 11 syllables, 2 sentences.
    # FH = 206.84 - 60*11/5 - 1.02*5/2 = 206.84 - 132 - 2.55 = 72.29
    # SP = 206.835 - 62.3*11/5 - 5/2 = 206.835 - 137.06 - 2.5 = 67.275 (67.27499... in binary)
    text = "Camina cada día. Te ayuda."
    assert counts_es(text) == (5, 11, 2)
    assert fernandez_huerta(text) == 72.3
    assert szigriszt_pazos(text) == 67.3
    assert inflesz_band(szigriszt_pazos(text)) == "bastante fácil"


def test_score_of_one_long_sentence() -> None:
    # La(1) estenosis(4) foraminal(4) lumbar(2) puede(2) comprimir(3) la(1) raíz(2)
    # nerviosa(3) y(1) provocar(3) dolor(2) irradiado(4) hacia(2) la(1) pierna(2):
    # 16 words, 37 syllables, 1 sentence.
    # FH = 206.84 - 60*37/16 - 1.02*16 = 206.84 - 138.75 - 16.32 = 51.77
    # SP = 206.835 - 62.3*37/16 - 16 = 206.835 - 144.06875 - 16 = 46.76625
    text = "La estenosis foraminal lumbar puede comprimir la raíz nerviosa y provocar dolor irradiado hacia la pierna."
    assert counts_es(text) == (16, 37, 1)
    assert fernandez_huerta(text) == 51.8
    assert szigriszt_pazos(text) == 46.8
    assert inflesz_band(46.8) == "algo difícil"


def test_score_with_spanish_punctuation_and_an_abbreviation() -> None:
    # Le(1) duele(2) | Hable(2) con(1) el(1) Dr(2) Pérez(2) | No(1) espere(3):
    # 9 words, 15 syllables, 3 sentences ("Dr." does not end one).
    # FH = 206.84 - 60*15/9 - 1.02*9/3 = 206.84 - 100 - 3.06 = 103.78 (not clamped to 100)
    text = "¿Le duele? Hable con el Dr. Pérez. ¡No espere!"
    assert counts_es(text) == (9, 15, 3)
    assert fernandez_huerta(text) == 103.8


def test_score_of_markdown_through_prose_of_markdown() -> None:
    md = "# Qué hacer\n\n- Camine **un poco** cada día.\n- Evite estar [sentado](/es/) mucho rato\n\n```\ncódigo sin leer\n```\n"
    prose = prose_of_markdown(md)
    assert prose == "Qué hacer.\n\nCamine un poco cada día.\n\nEvite estar sentado mucho rato."
    # Qué(1) hacer(2) | Camine(3) un(1) poco(2) cada(2) día(2) | Evite(3) estar(2) sentado(3) mucho(2) rato(2):
    # 12 words, 25 syllables, 3 sentences.
    # FH = 206.84 - 60*25/12 - 1.02*12/3 = 206.84 - 125 - 4.08 = 77.76
    assert counts_es(prose) == (12, 25, 3)
    assert reading_ease_es(prose) == 77.8


def test_shorter_sentences_score_easier() -> None:
    """The corrected formula: the same words in more sentences read more easily (the formula
    as often misprinted, with F = sentences per 100 words, would say the opposite)."""
    one = "Camine un poco cada día y pare si le duele la pierna o la espalda."
    two = "Camine un poco cada día. Pare si le duele la pierna o la espalda."
    assert fernandez_huerta(two) > fernandez_huerta(one)
    assert szigriszt_pazos(two) > szigriszt_pazos(one)


def test_no_words() -> None:
    assert reading_ease_es("") is None
    assert reading_ease_es(" ¿? — ") is None
    assert fernandez_huerta("") == 0.0
    assert szigriszt_pazos("...") == 0.0
    assert counts_es("") == (0, 0, 0)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (12.0, "muy difícil"),
        (40.0, "algo difícil"),
        (54.9, "algo difícil"),
        (55.0, "normal"),
        (70.0, "bastante fácil"),
        (80.0, "muy fácil"),
    ],
)
def test_inflesz_bands(score: float, band: str) -> None:
    assert inflesz_band(score) == band


def test_summary() -> None:
    assert ease_summary([], 60) == "Spanish reading ease: no pages with text."
    assert ease_summary([80.5, 72.1, 76.1], 60) == (
        "Spanish reading ease (Fernández-Huerta): min 72.1, median 76.1, max 80.5 over 3 pages (warn below 60)."
    )


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(st.text(min_size=1, max_size=40))
def test_any_word_counts_without_raising(word: str) -> None:
    n = syllables_es(word)
    assert n >= 0
    if any(ch.isalpha() for ch in word):
        assert n >= 1


@settings(max_examples=200, derandomize=True, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from("aeiouáéíóúüyhqgnrl "), min_size=1, max_size=30))
def test_a_spanish_word_has_at_most_one_syllable_per_vowel(text: str) -> None:
    for word in words_es(text):
        vowels = sum(ch in "aeiouáéíóúüy" for ch in word)
        if vowels:
            assert 1 <= syllables_es(word) <= vowels


@settings(max_examples=200, derandomize=True, deadline=None, database=None)
@given(st.text(max_size=200))
def test_any_text_scores_without_raising(text: str) -> None:
    score = reading_ease_es(text)
    assert (score is None) == (not words_es(text))
    szigriszt_pazos(text)
