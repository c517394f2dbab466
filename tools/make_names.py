"""Write ``outcomes/validate/identifiers/names.txt``, the anonymisation guard's list of personal names.

Not part of the package and not run by the tests: it documents (and repeats) how the list was made.
Run it with Faker 40.63.0, wordfreq 3.1 and Debian's ``wamerican`` word list installed::

    python tools/make_names.py /usr/share/dict/american-english

Given names and surnames are the name tokens of Faker's person providers (MIT licence; their
sources are national name statistics: the US Social Security Administration's baby names and the
US Census Bureau's 1000 commonest surnames for ``en_US``, the Office for National Statistics for
``en_GB``, Wiktionary's lists of the commonest German names, the Swedish Tax Agency, ...) for the
locales in :data:`LOCALES`, in Latin script, folded to lower case, of three letters or more for
given names and two or more for surnames, with the feminine form of Polish surnames in -ski,
-cki and -dzki (-ska, -cka, -dzka). A name that is also a common English word (among
wordfreq's 20,000 commonest English words and spelt in lower case in ``wamerican``) is left out of
the given names unless it is in :data:`KEEP_GIVEN`, and kept as a surname only in the section
``surname-word`` (used after a given name only) unless it is in :data:`KEEP_SURNAMES`.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import faker
from wordfreq import top_n_list

LOCALES = (
    "en_US en_GB en_IE en_NZ en_IN en_PK en_NG en_KE de_DE de_AT de_CH fr_FR fr_BE fr_CH fr_CA "
    "es_ES es_MX es_AR es_CO it_IT nl_NL nl_BE pt_PT pt_BR sv_SE da_DK no_NO fi_FI pl_PL cs_CZ "
    "hu_HU ro_RO tr_TR hr_HR sk_SK sl_SI id_ID sw yo_NG ig_NG ha_NG zu_ZA tw_GH vi_VN zh_CN zh_TW "
    "ja_JP"
).split()
#: Common English words that are mostly given names here.
KEEP_GIVEN = set(
    "john peter tom mike martin harry tony bob nick jimmy josh maria billy rick terry bobby ken "
    "victor sally troy randy hector noel derrick phoebe colleen sonny dirk roger dean gene earl "
    "carol lee frank jack bill mark grace rose ray max eddy jay sandy penny ruby lily holly "
    "heather iris daisy jade hazel jasmine amber crystal dawn joy june april august".split()
)
#: Common English words that are mostly surnames here (also used before an initial: "Smith J").
KEEP_SURNAMES = set(
    "smith brown young king baker miller cook turner walker hunter cooper bishop carpenter fisher "
    "mason porter potter butler shepherd wright parker martin lee price ford hunt reed knight "
    "wells mills burns johns peters".split()
)
#: The placeholder surnames of examples and test records (John Doe, Richard Roe, Joe Bloggs,
#: Max Mustermann), which Faker's lists lack; always surnames.
PLACEHOLDER_SURNAMES = {"doe", "roe", "bloggs", "mustermann", "musterfrau"}
NAME = re.compile(r"[^\W\d_]{2,}(?:['’][^\W\d_]+)?")


def tokens(names: object) -> set[str]:
    """The lower-case Latin-script name tokens of a Faker name list."""
    found = set()
    for name in names:  # type: ignore[attr-defined]
        for part in re.split(r"[ -]", str(name)):
            if NAME.fullmatch(part) and all(ord(c) < 0x250 for c in part):
                found.add(part.lower())
    return found


def collect() -> tuple[set[str], set[str]]:
    given: set[str] = set()
    family: set[str] = set()
    for locale in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr, names in vars(provider).items():
            if not isinstance(names, tuple | list | dict) or attr.startswith("_"):
                continue
            if any(skip in attr for skip in ("kana", "pair", "prefix", "suffix", "language")):
                continue
            if locale in ("zh_CN", "zh_TW", "ja_JP") and "romanized" not in attr:
                continue
            if attr.startswith(("first", "middle")):
                given |= tokens(names)
            elif "last" in attr:
                family |= tokens(names)
    family |= {re.sub(r"(sk|ck|dzk)i$", r"\1a", f) for f in family if f.endswith("ki")}
    return {g for g in given if len(g) >= 3}, family


def main(dictionary: str) -> None:
    lower = {w.strip() for w in open(dictionary, encoding="utf-8") if w[:1].islower()}
    common = set(top_n_list("en", 20000)) & lower
    given, family = collect()
    family = family | PLACEHOLDER_SURNAMES
    sections = {
        "given": sorted(g for g in given if g not in common or g in KEEP_GIVEN),
        "surname": sorted(
            f for f in family if f not in common or f in KEEP_SURNAMES | PLACEHOLDER_SURNAMES
        ),
        "surname-word": sorted(
            f for f in family if f in common and f not in KEEP_SURNAMES | PLACEHOLDER_SURNAMES
        ),
    }
    header = [
        "# Personal names for the anonymisation guard (outcomes.validate.identifiers.names).",
        f"# Made by tools/make_names.py from Faker {faker.VERSION} (MIT licence), person providers",
        f"# of the locales {' '.join(LOCALES)};",
        "# with the script's placeholder surnames (doe, roe, bloggs, mustermann, musterfrau);",
        "# see that script for the sources and the filters. "
        "One lower-case name a line, by section.",
    ]
    lines = header + [line for s, names in sections.items() for line in (f"[{s}]", *names)]
    out = Path(__file__).parents[1] / "outcomes" / "validate" / "identifiers" / "names.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print({s: len(n) for s, n in sections.items()})


if __name__ == "__main__":
    main(sys.argv[1])
