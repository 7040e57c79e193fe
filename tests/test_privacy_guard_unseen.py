"""The privacy guard on text it was not tuned on (issue 12, item 9).

The corpus in tests/privacy_corpus/unseen_*.txt was written apart from the rules, in several
writers' styles and the six working languages; its format is described in
tests/privacy_corpus/unseen_README.md. Identity numbers come from a seeded generator with
correct check digits, so every run scans the same text.

Recall and false alarms are counted per kind, and docs/privacy-guard.md must state the figures
measured here for both corpora: regenerate them with
``python -m tests.test_privacy_guard_unseen`` (prints the two Markdown tables).
"""
from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from stdnum import luhn
from stdnum.it import codicefiscale
from stdnum.no import fodselsnummer
from stdnum.pt import cc, nif
from stdnum.se import personnummer
from stdnum.si import emso

from .test_privacy_guard import KINDS_OF_EARLIER_CORPORA, guard, negatives, positives

_ROOT = Path(__file__).resolve().parent.parent
_CORPUS = Path(__file__).resolve().parent / "privacy_corpus"
MIN_RECALL = 0.97
MAX_FALSE_ALARMS = 0.03
REFERENCE_LABEL = guard.REFERENCE_ID_LABEL


# --- a seeded generator of valid (and deliberately invalid) identity numbers ---------------

def _birth_date(rng: random.Random, first: int = 1938, last: int = 2021) -> datetime.date:
    return datetime.date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))


def _swedish(rng: random.Random, coordination: bool) -> str:
    """12 digits YYYYMMDDNNNC; the day is + 60 for a samordningsnummer."""
    born = _birth_date(rng)
    day = born.day + 60 if coordination else born.day
    body = f"{born:%y%m}{day:02d}{rng.randint(0, 999):03d}"
    return f"{born.year // 100}{body}{luhn.calc_check_digit(body)}"


def _norwegian(rng: random.Random, d_number: bool) -> str:
    while True:
        born = _birth_date(rng, 1940, 2021)
        # Individual numbers 000-499 for people born 1900-1999, 500-999 for 2000-2039.
        individual = rng.randint(0, 499) if born.year < 2000 else rng.randint(500, 999)
        day = born.day + 40 if d_number else born.day
        first9 = f"{day:02d}{born:%m%y}{individual:03d}"
        check1 = fodselsnummer.calc_check_digit1(first9)
        if len(check1) != 1:
            continue
        check2 = fodselsnummer.calc_check_digit2(first9 + check1)
        number = first9 + check1 + check2
        if len(check2) == 1 and fodselsnummer.is_valid(number):
            return number


def _slovenian(rng: random.Random) -> str:
    while True:
        born = _birth_date(rng)
        first12 = f"{born:%d%m}{born.year % 1000:03d}50{rng.randint(0, 999):03d}"
        number = first12 + str(emso.calc_check_digit(first12))
        if emso.is_valid(number):
            return number


def _portuguese(rng: random.Random) -> str:
    first8 = rng.choice("123") + "".join(rng.choice("0123456789") for _ in range(7))
    return first8 + nif.calc_check_digit(first8)


_CONSONANTS = "BCDFGHJKLMNPQRSTVZ"
_TOWNS = ("H501", "F205", "L219", "F839", "A662", "G273", "D612", "A944", "L736", "C351")


def _italian(rng: random.Random) -> str:
    born = _birth_date(rng)
    day = born.day + (40 if rng.random() < 0.5 else 0)
    letters = "".join(rng.choice(_CONSONANTS) for _ in range(3)) + rng.choice("AEIOU") \
        + "".join(rng.choice(_CONSONANTS) for _ in range(2))
    first15 = (f"{letters}{born:%y}{'ABCDEHLMPRST'[born.month - 1]}{day:02d}"
               f"{rng.choice(_TOWNS)}")
    return first15 + codicefiscale.calc_check_digit(first15)


def _spoil_check(number: str, rng: random.Random, is_valid) -> str:
    """The same number with another last character that makes the check fail."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if number[-1].isalpha() else "0123456789"
    while True:
        spoiled = number[:-1] + rng.choice(alphabet.replace(number[-1], ""))
        if not is_valid(spoiled):
            return spoiled


def _valid_anywhere(number: str) -> bool:
    checks = (personnummer.is_valid, fodselsnummer.is_valid, emso.is_valid, nif.is_valid,
              codicefiscale.is_valid)
    return any(check(number) for check in checks)


def _shaped(digits: str, shape: str) -> str:
    """Write ``digits`` (or a codice fiscale's characters) into the ``#`` of ``shape``; a Swedish
    shape with 10 # drops the century."""
    digits = digits[-shape.count("#"):]
    out, taken = [], iter(digits)
    for char in shape:
        out.append(next(taken) if char == "#" else char)
    return "".join(out)


_GENERATORS = {
    "se": lambda rng: _swedish(rng, False),
    "sesam": lambda rng: _swedish(rng, True),
    "no": lambda rng: _norwegian(rng, False),
    "nod": lambda rng: _norwegian(rng, True),
    "si": _slovenian,
    "pt": _portuguese,
    "it": _italian,
}
_PLACEHOLDER = re.compile(r"\{(se|sesam|no|nod|si|pt|it)(!)?(?::([^}]*))?\}")


def _fill(match: re.Match[str], rng: random.Random) -> str:
    kind, spoil, shape = match.groups()
    number = _GENERATORS[kind](rng)
    if spoil:
        number = _spoil_check(number, rng, _valid_anywhere)
    if kind == "it" and not (shape and "#" in shape):
        return number.lower() if shape == "lower" else number
    return _shaped(number, shape)


# --- the corpus -----------------------------------------------------------------------------

_MARK = re.compile(r"\[\[([a-z_]+)(\+ref)?\|(.*?)\]\]")


@dataclass(frozen=True)
class Expected:
    kind: str
    start: int
    end: int
    as_reference: bool


@dataclass
class Sample:
    source: str
    text: str
    expected: list[Expected] = field(default_factory=list)


def _parse(line: str, source: str, rng: random.Random) -> Sample:
    line = _PLACEHOLDER.sub(lambda m: _fill(m, rng), line)
    sample, at = Sample(source, ""), 0
    for mark in _MARK.finditer(line):
        sample.text += line[at:mark.start()]
        start = len(sample.text)
        sample.text += mark.group(3)
        sample.expected.append(Expected(mark.group(1), start, len(sample.text), bool(mark.group(2))))
        at = mark.end()
    sample.text += line[at:]
    return sample


def unseen_samples(pattern: str = "unseen_*.txt") -> list[Sample]:
    samples = []
    for path in sorted(_CORPUS.glob(pattern)):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip() and not line.startswith("#"):
                rng = random.Random(f"{path.name}:{number}")
                samples.append(_parse(line, f"{path.name}:{number}", rng))
    return samples


# --- the measurement ------------------------------------------------------------------------

@dataclass
class KindFigures:
    expected: int = 0
    found: int = 0
    lines_without: int = 0  # lines with no expected finding of this kind
    alarm_lines: int = 0    # … of which the guard flagged one anyway
    missed: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)


def _covered(expected: Expected, findings, reference_label: str | None) -> bool:
    """Findings of the expected kind cover the whole expected span (and say "reference")."""
    spans = sorted((f.start, f.end) for f in findings if f.kind == expected.kind
                   and f.start < expected.end and f.end > expected.start
                   and (not expected.as_reference or f.label == reference_label))
    reach = expected.start
    for start, end in spans:
        if start > reach:
            break
        reach = max(reach, end)
    return reach >= expected.end


def measure_unseen(samples: list[Sample] | None = None) -> dict[str, KindFigures]:
    figures = {kind: KindFigures() for kind in guard.KIND_LABELS}
    for sample in unseen_samples() if samples is None else samples:
        findings = guard.scan(sample.text)
        for expected in sample.expected:
            figures[expected.kind].expected += 1
            if _covered(expected, findings, REFERENCE_LABEL):
                figures[expected.kind].found += 1
            else:
                figures[expected.kind].missed.append(f"{sample.source}: {sample.text}")
        for kind, kind_figures in figures.items():
            if any(e.kind == kind for e in sample.expected):
                continue
            kind_figures.lines_without += 1
            unexpected = [f.text for f in findings if f.kind == kind]
            if unexpected:
                kind_figures.alarm_lines += 1
                kind_figures.alarms.append(f"{sample.source}: {unexpected} in {sample.text}")
    return figures


def measure_tuned() -> dict[str, KindFigures]:
    """The same figures on the corpus the rules were tuned on (one kind per positive line)."""
    figures = {kind: KindFigures() for kind in guard.KIND_LABELS}
    for kind, text in positives():
        figures[kind].expected += 1
        if kind in {f.kind for f in guard.scan(text)}:
            figures[kind].found += 1
    for text in negatives():
        found = {f.kind for f in guard.scan(text)}
        for kind, kind_figures in figures.items():
            kind_figures.lines_without += 1
            kind_figures.alarm_lines += kind in found
    return figures


def _percent(count: int, total: int) -> str:
    return f"{100 * count / total:.1f} %" if total else "–"


def figures_table(figures: dict[str, KindFigures]) -> str:
    rows = ["| kind | recall | false alarms |", "|---|---|---|"]
    for kind, f in figures.items():
        rows.append(f"| `{kind}` | {f.found} / {f.expected} = {_percent(f.found, f.expected)} "
                    f"| {f.alarm_lines} / {f.lines_without} = {_percent(f.alarm_lines, f.lines_without)} |")
    found = sum(f.found for f in figures.values())
    expected = sum(f.expected for f in figures.values())
    rows.append(f"| **all** | **{found} / {expected} = {_percent(found, expected)}** | |")
    return "\n".join(rows)


def negative_lines_flagged() -> tuple[int, int]:
    negatives_ = [s for s in unseen_samples() if not s.expected]
    return sum(1 for s in negatives_ if guard.scan(s.text)), len(negatives_)


# --- the tests ------------------------------------------------------------------------------

def test_the_corpus_is_varied_and_large_enough():
    samples = unseen_samples()
    languages = {s.source.split("_")[1].split(".")[0] for s in samples}
    assert languages >= {"sv", "no", "sl", "pt", "it", "en"}
    counts = {kind: f.expected for kind, f in measure_unseen().items()
              if kind in KINDS_OF_EARLIER_CORPORA}
    assert all(count >= 6 for count in counts.values()), counts
    assert sum(1 for s in samples if not s.expected) >= 120
    assert sum(1 for s in samples for e in s.expected if e.as_reference) >= 15


#: The checksum of each kind of identity number, to check the corpora's own numbers.
ID_VALIDATORS = {"se_personnummer": personnummer.is_valid,
                 "se_samordningsnummer": lambda n: luhn.is_valid(re.sub(r"\D", "", n)[-10:]),
                 "no_fodselsnummer": fodselsnummer.is_valid, "no_dnummer": fodselsnummer.is_valid,
                 "si_emso": emso.is_valid, "pt_nif": nif.is_valid, "pt_cc": cc.is_valid,
                 "it_codice_fiscale": codicefiscale.is_valid}


def assert_identity_numbers_valid(samples) -> None:
    for sample in samples:
        for expected in sample.expected:
            if expected.kind in ID_VALIDATORS:
                number = sample.text[expected.start:expected.end]
                # The validators take dashes and single spaces, not dots or double spaces.
                compact = re.sub(r"[\s.\-–/]", "", number)
                assert ID_VALIDATORS[expected.kind](compact), (sample.source, number)


def test_every_identity_number_in_the_corpus_is_valid_and_every_spoiled_one_is_not():
    """The generator itself is checked, so a recall figure never rests on a wrong number."""
    assert_identity_numbers_valid(unseen_samples())
    rng = random.Random(1)
    for make in _GENERATORS.values():
        assert not _valid_anywhere(_spoil_check(make(rng), rng, _valid_anywhere))


def test_generator_is_seeded():
    assert [s.text for s in unseen_samples()] == [s.text for s in unseen_samples()]


@pytest.mark.parametrize("kind", KINDS_OF_EARLIER_CORPORA)
def test_recall_per_kind_on_unseen_text(kind):
    figures = measure_unseen()[kind]
    recall = figures.found / figures.expected
    assert recall >= MIN_RECALL, f"{kind}: recall {recall:.3f}; missed: {figures.missed}"


@pytest.mark.parametrize("kind", list(guard.KIND_LABELS))
def test_false_alarms_per_kind_on_unseen_text(kind):
    figures = measure_unseen()[kind]
    rate = figures.alarm_lines / figures.lines_without
    assert rate <= MAX_FALSE_ALARMS, f"{kind}: false alarms {rate:.3f}: {figures.alarms}"


def test_negative_lines_of_unseen_text_are_quiet():
    flagged, total = negative_lines_flagged()
    assert flagged / total <= MAX_FALSE_ALARMS, (flagged, total)


# --- the later unseen corpora, measured per language ---------------------------------------
# tests/privacy_corpus/unseen2_<lang>.txt, unseen3_<lang>.txt and unseen4_<lang>.txt were each
# written later, again before reading the rules (unseen4: before changing them), with about
# 20-40 positive and as many negative lines per language; unseen3 also marks names and dates of
# birth, unseen4 given names alone, schools with an age, IBANs, plates, BI and Slovenian tax
# numbers. Their thresholds are what the rules reached when
# each was added; lower one only with a reason in the commit.

LANGUAGES = ("en", "sv", "no", "sl", "pt", "it")
#: corpus → (minimum recall, maximum false alarms, minimum positive and negative lines)
LATER_CORPORA = {"unseen2": (1.0, 0.0, 40), "unseen3": (1.0, 0.0, 20), "unseen4": (0.95, 0.0, 20)}
CORPUS_LANGUAGES = [(corpus, language) for corpus in LATER_CORPORA for language in LANGUAGES]


def later_corpus(corpus: str, language: str) -> list[Sample]:
    return unseen_samples(f"{corpus}_{language}.txt")


@dataclass
class LanguageFigures:
    expected: int
    found: int
    negative_lines: int
    flagged_negative_lines: int
    alarms: int        # lines with a finding of a kind not expected on them, all kinds summed
    lines_without: int  # … out of lines × kinds without that kind expected
    missed: list[str]
    alarm_texts: list[str]


def measure_language(language: str, corpus: str = "unseen2") -> LanguageFigures:
    samples = later_corpus(corpus, language)
    figures = measure_unseen(samples).values()
    negatives_ = [s for s in samples if not s.expected]
    return LanguageFigures(
        expected=sum(f.expected for f in figures), found=sum(f.found for f in figures),
        negative_lines=len(negatives_),
        flagged_negative_lines=sum(1 for s in negatives_ if guard.scan(s.text)),
        alarms=sum(f.alarm_lines for f in figures),
        lines_without=sum(f.lines_without for f in figures),
        missed=[m for f in figures for m in f.missed],
        alarm_texts=[a for f in figures for a in f.alarms])


def language_table(corpus: str = "unseen2") -> str:
    rows = ["| language | recall | false alarms (lines × kinds) | negative lines flagged |",
            "|---|---|---|---|"]
    for language in LANGUAGES:
        f = measure_language(language, corpus)
        rows.append(f"| {language} | {f.found} / {f.expected} = {_percent(f.found, f.expected)} "
                    f"| {f.alarms} / {f.lines_without} = {_percent(f.alarms, f.lines_without)} "
                    f"| {f.flagged_negative_lines} / {f.negative_lines} = "
                    f"{_percent(f.flagged_negative_lines, f.negative_lines)} |")
    return "\n".join(rows)


@pytest.mark.parametrize(("corpus", "language"), CORPUS_LANGUAGES)
def test_later_corpus_has_enough_positive_and_negative_lines(corpus, language):
    samples, least = later_corpus(corpus, language), LATER_CORPORA[corpus][2]
    assert sum(1 for s in samples if s.expected) >= least
    assert sum(1 for s in samples if not s.expected) >= least


@pytest.mark.parametrize(("corpus", "language"), CORPUS_LANGUAGES)
def test_later_corpus_recall_per_language(corpus, language):
    f = measure_language(language, corpus)
    assert f.found / f.expected >= LATER_CORPORA[corpus][0], f.missed


@pytest.mark.parametrize(("corpus", "language"), CORPUS_LANGUAGES)
def test_later_corpus_false_alarms_per_language(corpus, language):
    f, most = measure_language(language, corpus), LATER_CORPORA[corpus][1]
    assert f.alarms / f.lines_without <= most, f.alarm_texts
    assert f.flagged_negative_lines / f.negative_lines <= most, f.alarm_texts


def test_every_identity_number_in_the_later_corpora_is_valid():
    for corpus, language in CORPUS_LANGUAGES:
        assert_identity_numbers_valid(later_corpus(corpus, language))


def test_third_corpus_has_names_and_dates_of_birth_in_every_language():
    for language in LANGUAGES:
        kinds = [e.kind for s in later_corpus("unseen3", language) for e in s.expected]
        assert kinds.count("person_name") >= 3 and kinds.count("date_of_birth") >= 2, language


def test_fourth_corpus_has_every_new_kind_in_every_language():
    """unseen4 marks names standing alone, schools with a child's age and the further numbers."""
    for language in LANGUAGES:
        kinds = [e.kind for s in later_corpus("unseen4", language) for e in s.expected]
        assert kinds.count("person_name") >= 5, language
        assert kinds.count("school_and_age") >= 3, language
        assert {"iban", "licence_plate", "street_address", "phone"} <= set(kinds), language
    all_kinds = [e.kind for language in LANGUAGES
                 for s in later_corpus("unseen4", language) for e in s.expected]
    assert all_kinds.count("pt_bi") >= 4 and all_kinds.count("si_tax_number") >= 2


def report() -> str:
    flagged, total = negative_lines_flagged()
    return (f"New text (`unseen_*.txt`):\n\n{figures_table(measure_unseen())}\n\n"
            f"Negative lines of new text with any finding: **{flagged} / {total} = "
            f"{_percent(flagged, total)}**\n\n"
            f"Second new text, per language (`unseen2_<lang>.txt`):\n\n{language_table()}\n\n"
            f"Third new text, per language (`unseen3_<lang>.txt`):\n\n"
            f"{language_table('unseen3')}\n\n"
            f"Fourth new text, per language (`unseen4_<lang>.txt`):\n\n"
            f"{language_table('unseen4')}\n\n"
            f"Tuned-on corpus (`positives.txt`, `negatives.txt`):\n\n"
            f"{figures_table(measure_tuned())}\n")


def test_the_guide_reports_the_figures_measured_here():
    assert report() in (_ROOT / "docs" / "privacy-guard.md").read_text(encoding="utf-8")


if __name__ == "__main__":
    import sys
    print(report())
    if "-v" in sys.argv:
        for kind, f in measure_unseen().items():
            for line in f.missed:
                print("MISSED", kind, line)
            for line in f.alarms:
                print("ALARM", kind, line)
