"""Tests of the anonymisation guard: what it reports, and what it must leave alone."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from outcomes.data.problems import ProblemLog
from outcomes.errors import MappingError
from outcomes.validate import anonymity
from outcomes.validate.anonymity import find_identifiers
from outcomes.validate.identifiers import values

DATASETS = Path(__file__).resolve().parents[1] / "datasets"  # copies, see its README.md

SENTENCES = [
    "Felt very emotional after the session and cried with my partner",
    "Slept badly during the first week but improved later on",
    "Reported a vivid memory of childhood home in the village",
    "No side effects noticed except mild headache on the evening",
    "Husband says mood is much brighter since the dosing day",
    "Work colleagues noticed the change and asked about the trial",
]
NAMES = ["John Smith", "Smith, Jane", "Mary-Jane O'Neil", "Ahmed Khan", "Li Wei", "José García"]


def _frame(column: str, values: list[object]) -> pd.DataFrame:
    """One row per subject S001, S002, ... with ``values`` in ``column``."""
    subjects = [f"S{i:03d}" for i in range(1, len(values) + 1)]
    return pd.DataFrame({"subject": subjects, column: values})


def _scan(
    frame: pd.DataFrame, subject_column: str | None = "subject", **options: list[str]
) -> pd.DataFrame:
    """The problems the guard finds in ``frame``, as a frame."""
    log = ProblemLog(file="trial.csv")
    find_identifiers(frame, log, subject_column=subject_column, **options)
    return log.to_frame()


# code, column, values, first offending row (1-based), rows affected
VALUE_CASES = {
    "email": (
        "identifier-email",
        "contact",
        [None, "jane.doe@example.org", "declined", "bob@example.co.uk"],
        2,
        2,
    ),
    "email-in-text": ("identifier-email", "note", ["ok", "write to jo@nhs.net"], 2, 1),
    "phone-international": ("identifier-phone", "note", ["none", "+44 20 7946 0958"], 2, 1),
    "phone-us-brackets": ("identifier-phone", "note", ["(555) 123-4567", "none"], 1, 1),
    "phone-us-dashes": ("identifier-phone", "note", ["none", "555-123-4567"], 2, 1),
    "phone-uk-mobile": ("identifier-phone", "note", ["none", "07700 900123"], 2, 1),
    "phone-digits": ("identifier-phone", "note", ["none", "07700900123", "07700900124"], 2, 2),
    "date-iso": ("identifier-date", "QSDTC", ["", "2024-03-05", "2024-03-19"], 2, 2),
    "date-dmy": ("identifier-date", "visit_date", ["05/03/2024"], 1, 1),
    "date-two-digit-year": ("identifier-date", "visit_date", ["none", "3/5/24"], 2, 1),
    "date-month-name": ("identifier-date", "visit_date", ["none", "5 Mar 2024"], 2, 1),
    "date-excel": ("identifier-date", "visit_date", ["2024-03-05 00:00:00"], 1, 1),
    "date-sas": ("identifier-date", "RFSTDTC", ["none", "05MAR2024"], 2, 1),
    "date-us-words": ("identifier-date", "visit_date", ["none", "March 5, 2024"], 2, 1),
    "postcode-uk": ("identifier-postcode", "area", ["none", "SW1A 1AA", "M1 1AE"], 2, 2),
    "zip-plus-4": ("identifier-postcode", "area", ["none", "02139-4307"], 2, 1),
    "zip-named-column": ("identifier-postcode", "zip", ["none", "02139"], 2, 1),
    "url": ("identifier-url", "source", ["none", "https://example.org/p/1"], 2, 1),
    "url-www": ("identifier-url", "source", ["www.example.org", "none"], 1, 1),
    "ip": ("identifier-ip", "logged_from", ["none", "192.168.0.12"], 2, 1),
    "ssn": ("identifier-ssn", "ref", ["none", "123-45-6789"], 2, 1),
    "nhs-spaced": ("identifier-ssn", "ref", ["none", "943 476 5919"], 2, 1),
    "nhs-digits": ("identifier-ssn", "ref", ["none", "9434765919"], 2, 1),
    "age-text": ("identifier-age-over-89", "AGE", ["45", "93", "91"], 2, 2),
    "age-numeric": ("identifier-age-over-89", "age_years", [45, 93.0, np.nan], 2, 1),
    "free-text": ("identifier-free-text", "comment", [None, *SENTENCES], 2, 6),
    "person-name": ("identifier-person-name", "carer", ["", *NAMES], 2, 6),
    # e-mail addresses with letters beyond ASCII
    "email-non-ascii": ("identifier-email", "note", ["none", "jöhn@exämple.org"], 2, 1),
    "email-accented-local": ("identifier-email", "note", ["zoë.müller@klinik.de", "ok"], 1, 1),
    "email-cyrillic": ("identifier-email", "note", ["ok", "иван@пример.рф"], 2, 1),
    # telephone numbers: international, national, with words around them
    "phone-00": ("identifier-phone", "note", ["none", "0044 7700 900123"], 2, 1),
    "phone-plus-trunk": ("identifier-phone", "note", ["+44 (0)7700 900123", "none"], 1, 1),
    "phone-after-mob": ("identifier-phone", "note", ["none", "mob 07700 900123"], 2, 1),
    "phone-after-tel": ("identifier-phone", "note", ["tel: 020 7946 0958", "none"], 1, 1),
    "phone-in-text": ("identifier-phone", "note", ["ok", "call her on 07700 900124 today"], 2, 1),
    "phone-word-digits": ("identifier-phone", "note", ["none", "Phone: 5551234567"], 2, 1),
    "phone-us-dots": ("identifier-phone", "note", ["555.123.4567", "none"], 1, 1),
    "phone-us-one": ("identifier-phone", "note", ["none", "1-800-555-0199"], 2, 1),
    "phone-german": ("identifier-phone", "note", ["none", "030/1234567"], 2, 1),
    "phone-german-plus": ("identifier-phone", "note", ["+49 30 12345678", "none"], 1, 1),
    "phone-french": ("identifier-phone", "note", ["none", "06 12 34 56 78"], 2, 1),
    "phone-french-dots": ("identifier-phone", "note", ["none", "01.23.45.67.89"], 2, 1),
    "phone-dutch": ("identifier-phone", "note", ["06-12345678", "none"], 1, 1),
    "phone-italian": ("identifier-phone", "note", ["none", "+39 333 1234567"], 2, 1),
    # identity numbers
    "nhs-after-word": ("identifier-ssn", "note", ["none", "NHS: 943 476 5919"], 2, 1),
    "nhs-no": ("identifier-ssn", "note", ["NHS no. 9434765919", "none"], 1, 1),
    "ssn-in-text": ("identifier-ssn", "note", ["none", "SSN 078-05-1120 on file"], 2, 1),
    "ssn-spaced": ("identifier-ssn", "note", ["none", "078 05 1120"], 2, 1),
    "bsn": ("identifier-ssn", "note", ["none", "BSN: 1234.56.782"], 2, 1),
    "nir": ("identifier-ssn", "note", ["none", "1 85 03 75 123 456 41"], 2, 1),
    "dni": ("identifier-ssn", "note", ["12345678Z", "none"], 1, 1),
    "nie": ("identifier-ssn", "note", ["none", "X1234567L"], 2, 1),
    # dates in many written forms, months of several languages, month and year
    "date-ordinal-of": ("identifier-date", "note", ["none", "5th of March 1985"], 2, 1),
    "date-month-first-ordinal": ("identifier-date", "note", ["March 5th, 1985", "x"], 1, 1),
    "date-german": ("identifier-date", "note", ["none", "5. März 1985"], 2, 1),
    "date-german-numbers": ("identifier-date", "note", ["none", "05.03.85"], 2, 1),
    "date-french": ("identifier-date", "note", ["le 1er mars 1985", "none"], 1, 1),
    "date-spanish": ("identifier-date", "note", ["none", "5 de marzo de 1985"], 2, 1),
    "date-italian": ("identifier-date", "note", ["none", "5 marzo 1985"], 2, 1),
    "date-dutch": ("identifier-date", "note", ["none", "5 maart 1985"], 2, 1),
    "date-portuguese": ("identifier-date", "note", ["5 de março de 1985", "none"], 1, 1),
    "date-born": ("identifier-date", "note", ["none", "born 12/07/1962"], 2, 1),
    "month-year-numbers": ("identifier-date", "note", ["none", "03/1985"], 2, 1),
    "month-year-iso": ("identifier-date", "note", ["1985-03", "none"], 1, 1),
    "month-year-words": ("identifier-date", "note", ["none", "March 1985"], 2, 1),
    "month-year-german": ("identifier-date", "note", ["none", "März 1985"], 2, 1),
    "month-year-short": ("identifier-date", "note", ["none", "Mar-85"], 2, 1),
    "day-month-ordinal": ("identifier-date", "note", ["none", "5th of March"], 2, 1),
    # street addresses in several languages
    "address-english": ("identifier-address", "note", ["none", "12 Acacia Avenue"], 2, 1),
    "address-house-letter": ("identifier-address", "note", ["221B Baker Street", "none"], 1, 1),
    "address-flat": ("identifier-address", "note", ["none", "Flat 3, 12 High St"], 2, 1),
    "address-lower-case": ("identifier-address", "note", ["none", "lives at 4 elm road"], 2, 1),
    "address-german": ("identifier-address", "note", ["none", "Hauptstraße 5"], 2, 1),
    "address-german-words": ("identifier-address", "note", ["Berliner Straße 12a", "x"], 1, 1),
    "address-dutch": ("identifier-address", "note", ["none", "Kerkstraat 7"], 2, 1),
    "address-french": ("identifier-address", "note", ["none", "5 rue de la Paix"], 2, 1),
    "address-spanish": ("identifier-address", "note", ["Calle Mayor 5", "none"], 1, 1),
    "address-italian": ("identifier-address", "note", ["none", "Via Roma 1"], 2, 1),
    "address-portuguese": ("identifier-address", "note", ["none", "Rua das Flores, 25"], 2, 1),
    "po-box": ("identifier-address", "note", ["none", "PO Box 123"], 2, 1),
    # ages over 89 written anywhere
    "age-years": ("identifier-age-over-89", "note", ["none", "95 years"], 2, 1),
    "age-aged": ("identifier-age-over-89", "note", ["aged 93", "none"], 1, 1),
    "age-yo": ("identifier-age-over-89", "note", ["none", "91 y/o"], 2, 1),
    "age-german": ("identifier-age-over-89", "note", ["none", "92 Jahre"], 2, 1),
    "age-column-name": ("identifier-age-over-89", "Alter", ["45", "95"], 2, 1),
    # names in any case, forms and languages
    "name-lower": ("identifier-person-name", "note", ["none", "john smith"], 2, 1),
    "name-upper": ("identifier-person-name", "note", ["JOHN SMITH", "none"], 1, 1),
    "name-surname-initial": ("identifier-person-name", "note", ["none", "Smith J"], 2, 1),
    "name-initial-surname": ("identifier-person-name", "note", ["none", "J. Smith"], 2, 1),
    "name-comma": ("identifier-person-name", "note", ["none", "garcía, maría"], 2, 1),
    "name-particles": ("identifier-person-name", "note", ["none", "van der Berg"], 2, 1),
    "name-given-particles": ("identifier-person-name", "note", ["jan de vries", "none"], 1, 1),
    "name-german": ("identifier-person-name", "note", ["none", "PETER MÜLLER"], 2, 1),
    "name-title": ("identifier-person-name", "note", ["none", "seen by Dr Patel"], 2, 1),
    "given-names-column": (
        "identifier-person-name",
        "carer",
        ["MARY", "Ahmed", "lucas", "Sofia", "Ingrid"],
        1,
        5,
    ),
    # initials
    "initials-dotted": ("identifier-initials", "note", ["none", "J.S."], 2, 1),
    "initials-spaced": ("identifier-initials", "note", ["J. A. S.", "none"], 1, 1),
    "initials-column": ("identifier-initials", "inits", ["JS", "MK"], 1, 2),
    "initials-capitals": ("identifier-initials", "ref", ["JS", "MK", "AB", "TR", "LW"], 1, 5),
}


@pytest.mark.parametrize(
    ("code", "column", "values", "row", "count"), VALUE_CASES.values(), ids=VALUE_CASES.keys()
)
def test_identifier_values_are_reported_once_per_column(code, column, values, row, count):
    frame = _frame(column, [pd.NA if v == "" else v for v in values])
    problems = _scan(frame)
    found = problems[problems["code"] == code]
    assert len(found) == 1
    problem = found.iloc[0]
    raw = str(values[row - 1])
    assert problem["severity"] == "error"
    assert problem["column"] == column
    assert problem["row"] == row
    assert problem["subject"] == f"S{row:03d}"
    assert problem["file"] == "trial.csv"
    assert problem["value"] != raw
    assert problem["value"][0] == raw[0]
    assert f"in {count} row" in problem["message"]
    assert f"(first: row {row})" in problem["message"]
    assert repr(column) in problem["hint"]


def test_mask_keeps_first_character_and_length():
    problems = _scan(_frame("contact", ["jane.doe@example.org"]))
    assert problems["value"].tolist() == ["j***.***@*******.***"]


def test_datetime_column_holds_dates():
    frame = _frame("visit", pd.to_datetime([None, "2024-03-05", "2024-03-19"]))
    problems = _scan(frame)
    assert problems[["code", "row", "value"]].values.tolist() == [
        ["identifier-date", 2, "2***-**-**"]
    ]


def test_date_objects_in_text_column_are_dates():
    frame = _frame("visit", ["screening", pd.Timestamp("2024-03-05 10:30")])
    assert _scan(frame)["code"].tolist() == ["identifier-date"]


def test_a_column_of_500_emails_is_one_problem():
    frame = _frame("contact", [f"person{i}@example.org" for i in range(500)])
    problems = _scan(frame)
    assert len(problems) == 1
    assert "in 500 rows (first: row 1)" in problems.loc[0, "message"]


def test_free_text_repeated_on_every_visit_is_found_through_subjects():
    frame = pd.DataFrame(
        {
            "subject": np.repeat([f"S{i:03d}" for i in range(6)], 4),
            "visit": ["BASELINE", "WEEK 1", "WEEK 2", "WEEK 6"] * 6,
            "history": np.repeat(SENTENCES, 4),
        }
    )
    assert _scan(frame)["code"].tolist() == ["identifier-free-text"]
    assert _scan(frame, subject_column=None).empty


IDENTIFIER_NAMES = [
    "name", "NAME", "First Name", "first_name", "FirstName", "lastName", "SURNAME", "patient_name",
    "initials", "SUBJINIT", "e-mail", "EMAIL", "email_address", "Email1", "phone", "Tel",
    "telephone_number", "mobile", "fax", "home_phone", "address", "Address Line 1", "street",
    "city", "Town", "zip", "ZIP_CODE", "postcode", "Post-Code", "dob", "DateOfBirth",
    "date of birth", "BirthDate", "BRTHDTC", "ssn", "SocialSecurityNumber", "nhs_number", "NHSNO",
    "MRN", "medical_record_number", "insurance", "health_plan_id", "ip_address", "IPAddress",
    "url", "website", "licence_number", "driving_licence", "passport_no",
    "vehicle_registration", "device_serial", "name_of_patient", "gp_name", "carer_name",
    "nok_phone", "emergency_contact", "next_of_kin", "contact_number", "geburtsdatum", "inits",
    "patient_init", "patients_name", "mother_phone", "Vorname", "Nachname", "Geburtsort",
    "Telefonnummer", "Handynummer", "Anschrift", "PLZ", "Versichertennummer", "prénom",
    "nom_de_famille", "nom du patient", "date_de_naissance", "téléphone", "courriel",
    "code_postal", "nombre", "apellidos", "nombre_del_paciente", "fecha_de_nacimiento",
    "teléfono", "número de teléfono", "dirección", "correo_electronico", "DNI", "cognome",
    "data_di_nascita", "cellulare", "indirizzo", "codice_fiscale", "naam", "voornaam",
    "achternaam", "geboortedatum", "telefoonnummer", "woonplaats", "BSN", "sobrenome",
    "data_de_nascimento", "telefone", "endereço", "CPF", "NI_number", "CHI_number",
    "dob_text", "phone_raw", "carer_contact", "nok_contact", "therapist_name", "sitter_name",
    "guide_phone", "street_address", "residence", "date_birth", "birth_year_month",
    "telefono_cellulare", "naam_patient", "twitter_handle", "instagram",
]  # fmt: skip


@pytest.mark.parametrize("name", IDENTIFIER_NAMES)
def test_identifier_column_names(name):
    problems = _scan(_frame(name, ["1985"]))
    assert problems[["code", "column"]].values.tolist() == [["identifier-column", name]]
    assert problems[["row", "value"]].isna().all(axis=None)


BENIGN_NAMES = [
    "SITEID", "ARMCD", "PHONE_VISIT", "VISITNAME", "VISIT NAME", "ARM NAME", "TEST NAME", "QSTEST",
    "PARAM", "USUBJID", "SUBJID", "AGEU", "AGEGR1", "SEX", "RACE", "COUNTRY", "IP", "INVNAM",
    "BIRTH_YEAR", "YOB", "QSDTC", "TRTSDT", "device", "insurance_type", "username", "site_name",
    "drug_name", "initial_dose", "POOLINV", "city_size", "contact", "NHS", "hospital", "carer",
    "referred_by", "INITIAL", "PARAMCD", "AVISIT", "TRTP", "SITEGR1", "ETHNIC",
    "DCDECOD", "nombre_de_seances", "file_name", "record_id", "redcap_event_name", "event",
    "participant_id", "study_day", "visit_num", "hours_since_dose", "instrument", "AGEGR1N",
]  # fmt: skip


@pytest.mark.parametrize("name", BENIGN_NAMES)
def test_benign_column_names(name):
    assert _scan(_frame(name, ["1"])).empty


def _cycled(values: list[object], n: int = 24) -> list[object]:
    return [values[i % len(values)] for i in range(n)]


BENIGN_VALUES = {
    "scores": ("MADRS", [31, 28, 35, 0, 60, 12]),
    "scores-as-text": ("MADRSTOT", ["31", "28", "35", "0", "60", "12"]),
    "floats-as-text": ("FEV1", ["25.2714350933994", "-0.626453810742332", "0.676723117008805",
                                "+0.1234567891", "1e-05", "39.9710497720302"]),
    "study-days": ("ADY", [-14, 1, 8, 15, 43, 85]),
    "study-days-as-text": ("ADY", ["-14", "1", "8", "15", "43", "85"]),
    "visits": ("AVISIT", ["SCREENING", "BASELINE", "WEEK 1", "WEEK 2", "DAY 1 (+3H)", "VIS01"]),
    "wordy-visits": ("VISIT", ["Week 2 after the first dosing session",
                               "Week 6 after the first dosing session", "Screening visit at site",
                               "Baseline visit before dosing", "Follow-up visit at 6 months"]),
    "arms": ("ARM", ["DMT 21.5 mg", "PLACEBO", "DMT 21.5 MG", "Psilocybin 25 mg"]),
    "title-case-arms": ("TRT01P", ["Psilocybin High Dose", "Psilocybin Low Dose", "Niacin Control",
                                   "Escitalopram Daily", "Waitlist Control"]),
    "race": ("RACE", ["White", "Asian", "Black or African American",
                      "American Indian or Alaska Native",
                      "Native Hawaiian or Other Pacific Islander"]),
    "sex": ("SEX", ["Female", "Male"]),
    "sites": ("POOLINV", ["006", "007", "011", "00123"]),
    "years": ("YOB", ["1985", "1990", "2001", "1979"]),
    "ages": ("AGE", [45, 89, 23, 67]),
    "ages-text": ("AGE", ["45", "89", "90+", ">89"]),
    "codes": ("KIT", ["DMT-01-0012", "S001", "PT1", "1503", "0000012345", "1111111111"]),
    "times": ("time", ["10:30", "14:00", "1.2.3", "Day 1-7", "1/2", "Q2 2024"]),
    "partial-dates": ("when", ["Q2 2024", "12 Mar", "2024", "Week 12 (Day 85)", "100 mg/day"]),
    "short-comments": ("comment", ["none", "headache", "nausea", "felt sick", "tired", "dizzy"]),
    "psychedelic-visits": ("VISIT", ["WEEK 2", "BASELINE", "DOSE 1", "DOSE 2", "Week Two",
                                     "Day 1", "V2", "WEEK 12", "Month 3", "Follow-up 1"]),
    "psychedelic-arms": ("ARM", ["DMT", "PLACEBO", "Psilocybin", "Psilocybin 25 mg", "MDMA",
                                 "Low dose", "High dose", "Niacin", "Waitlist"]),
    "instruments": ("PARAM", ["Word Recall Task", "Delayed Word Recall", "Hamilton D",
                              "Montgomery Asberg", "Beck Depression Inventory", "Young Mania",
                              "Mystical Experience", "Ego Dissolution"]),
    "dispositions": ("DCREASCD", ["Completed", "Adverse Event", "Lost to Follow-up",
                                  "Withdrew Consent", "Physician Decision", "Sponsor Decision"]),
    "ethnicities": ("ETHNIC", ["White British", "Black Caribbean", "Mixed White and Asian",
                               "HISPANIC OR LATINO", "NOT HISPANIC OR LATINO"]),
    "groups": ("GROUP", ["Group A", "Dose A", "Cohort B", "Part B", "Arm B", "Vitamin D"]),
    "versions": ("version", ["1.2", "2.0.1", "v3", "1.10.2", "2024.1"]),
    "site-codes": ("SITE", ["SITE01", "UK-01", "DE-02", "001", "NL03"]),
    "ages-18-89": ("AGE", [18, 25, 47, 61, 89]),
    "durations": ("note", ["for 95 days", "45 years", "90+ years", "aged 90 or older",
                           "over 90 years", "week 95"]),
    "dose-text": ("note", ["2 hours on the road", "via phone 2 times", "5 brain CT",
                           "had 3 very close friends", "iv", "p.o.", "i.v.", "N.A."]),
    "numbers-in-text": ("note", ["scores 12 13 14 15 16", "lot 0000012345", "ref 1111111111",
                                 "12.5 13.2 14.1 15.0"]),
}  # fmt: skip


@pytest.mark.parametrize(("column", "values"), BENIGN_VALUES.values(), ids=BENIGN_VALUES.keys())
def test_benign_values_are_not_reported(column, values):
    frame = _frame(column, _cycled(values))
    assert _scan(frame).empty
    assert _scan(frame, subject_column=None).empty


BENIGN_SUBJECTS = {
    "numbers": ["001", "002", "003"],
    "prefixed": ["S001", "S002", "S003"],
    "site-coded": ["DMT-01-0012", "DMT-01-0013", "DMT-02-0001"],
    "cdisc": ["PT1", "PT2", "PT3"],
    "integers": [1503, 1507, 1509],
    "eight-digit-codes": ["10010001", "10010002", "20240305"],
}


@pytest.mark.parametrize("ids", BENIGN_SUBJECTS.values(), ids=BENIGN_SUBJECTS.keys())
def test_benign_subject_ids(ids):
    frame = pd.DataFrame({"USUBJID": ids, "MADRS": [30, 25, 33]})
    assert _scan(frame, subject_column="USUBJID").empty


PERSONAL_SUBJECTS = {
    "emails": ["S001", "ann@example.org", "bob@example.org"],
    "names": ["S001", "Ann Lee", "Bob Stone"],
    "iso-dates": ["S001", "1985-02-03", "1990-11-30"],
    "birth-dates-ddmmyyyy": ["01011999", "03021985", "30111990"],
    "phones": ["S001", "07700 900123", "+44 7700 900124"],
    "nhs-numbers": ["S001", "9434765919", "943 476 5919"],
    "names-lower-case": ["S001", "john smith", "mary jones"],
    "initials": ["S001", "J.S.", "M.K."],
    "ssns": ["S001", "078-05-1120", "219-09-9999"],
    "month-years": ["S001", "03/1985", "11/1990"],
}


@pytest.mark.parametrize("ids", PERSONAL_SUBJECTS.values(), ids=PERSONAL_SUBJECTS.keys())
def test_personal_subject_ids(ids):
    frame = pd.DataFrame({"USUBJID": ids, "MADRS": [30, 25, 33]})
    problems = _scan(frame, subject_column="USUBJID")
    assert len(problems) == 1
    problem = problems.iloc[0]
    first = next(i for i, v in enumerate(ids) if v != "S001")
    assert problem["code"] == "subject-id-personal"
    assert problem["column"] == "USUBJID"
    assert problem["row"] == first + 1
    assert f"in {len(ids) - first} rows" in problem["message"]
    assert problem["subject"] == problem["value"] != ids[first]


def test_personal_subject_ids_are_masked_in_other_problems():
    frame = pd.DataFrame({"USUBJID": ["ann@example.org"], "visit_date": ["2024-03-05"]})
    problems = _scan(frame, subject_column="USUBJID")
    assert problems["code"].tolist() == ["subject-id-personal", "identifier-date"]
    assert problems["subject"].tolist() == ["a**@*******.***"] * 2


def test_unknown_subject_column_leaves_subject_empty():
    problems = _scan(_frame("contact", ["ann@example.org"]), subject_column=None)
    assert problems["subject"].tolist() == [None]


def test_missing_subject_column_is_an_error():
    with pytest.raises(MappingError, match="PATIENT"):
        _scan(_frame("MADRS", [30]), subject_column="PATIENT")


def test_allow_suppresses_a_column():
    frame = _frame("email", ["ann@example.org"]).assign(dob=["1985-02-03"])
    assert _scan(frame, allow=["email"])["column"].tolist() == ["dob", "dob"]
    assert _scan(frame, allow=["email", "dob"]).empty


def test_allow_suppresses_the_subject_rule():
    frame = pd.DataFrame({"USUBJID": ["Ann Lee", "Bob Stone"]})
    assert _scan(frame, subject_column="USUBJID", allow=["USUBJID"]).empty


@pytest.mark.parametrize(
    ("name", "subject"), [("fev_data.csv", "USUBJID"), ("antidepressant_data.csv", "PATIENT"),
                          ("bcva_data.csv", "USUBJID")]
)  # fmt: skip
@pytest.mark.parametrize("as_text", [True, False], ids=["as-text", "typed"])
def test_shared_datasets_hold_no_identifiers(name, subject, as_text):
    path = DATASETS / name
    if as_text:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", pd.NA)
    else:
        frame = pd.read_csv(path)
    assert _scan(frame, subject_column=subject).empty
    assert _scan(frame, subject_column=None).empty


def test_every_role_column_is_scanned():
    frame = pd.DataFrame(
        {
            "subject": ["S001", "S002", "S003"],
            "arm": ["PLACEBO", "jane.doe@example.org", "DMT"],
            "visit": ["BASELINE", "WEEK 1", "1985-03-05"],
            "MADRSTOT": ["31", "07700 900123", "28"],
        }
    )
    problems = _scan(frame)
    assert problems[["code", "column", "row"]].values.tolist() == [
        ["identifier-email", "arm", 2],
        ["identifier-date", "visit", 3],
        ["identifier-phone", "MADRSTOT", 2],
    ]


def test_numeric_columns_get_the_rules_for_numbers():
    frame = _frame("ref", [9434765919, 4010232137, 1234]).assign(AGE=[45, 95, 60])
    problems = _scan(frame)
    assert problems[["code", "column", "row", "value"]].values.tolist() == [
        ["identifier-ssn", "ref", 1, "9*********"],
        ["identifier-age-over-89", "AGE", 2, "9*"],
    ]
    # ten-digit codes of which few pass the NHS check are codes
    codes = _frame("ref", [1000000000 + 7919 * i for i in range(40)])
    assert _scan(codes).empty


def test_a_column_name_that_is_an_identifier_is_masked():
    frame = pd.DataFrame({"subject": ["S001"], "jane.doe@example.org": ["x"]})
    problems = _scan(frame)
    assert problems[["code", "column"]].values.tolist() == [
        ["identifier-column", "j***.***@*******.***"]
    ]
    assert "jane" not in problems.to_csv()


def test_found_values_are_protected_in_the_log():
    frame = _frame("visit", ["BASELINE", "1985-03-05"])
    log = ProblemLog(file="trial.csv")
    log.add("error", "early", "visit '1985-03-05' in row 2", visit="1985-03-05", row=2)
    find_identifiers(frame, log, subject_column="subject")
    log.add("error", "late", "row 2: 1985-03-05 again (subject S002)", value="1985-03-05")
    text = log.to_frame().astype(str).to_csv()
    assert "1985" not in text
    assert "row 2" in text and "S002" in text
    assert log.problems[0].message == "visit '1***-**-**' in row 2"


def test_short_numbers_are_masked_only_where_they_stand_alone():
    log = ProblemLog()
    log.protect(["93"])
    log.add("error", "x", "row 93: age 93", value="93")
    assert (log.problems[0].message, log.problems[0].value) == ("row 93: age 93", "9*")


def test_initials_are_masked_in_their_own_case():
    log = ProblemLog()
    log.protect(["J.S.", "MK"])
    log.add("error", "x", "visit 'J.S.' and MK; mk is a word", visit="J.S.")
    assert log.problems[0].message == "visit 'J.*.' and M*; mk is a word"
    assert log.problems[0].visit == "J.*."


def test_merge_carries_the_protected_values():
    sub = ProblemLog(file="dm.csv")
    find_identifiers(_frame("ARM", ["jane.doe@example.org"]), sub, subject_column="subject")
    log = ProblemLog(file="qs.csv")
    log.merge(sub)
    log.add("error", "arm-changes", "arms ['PLACEBO', 'jane.doe@example.org']")
    assert "jane" not in log.to_frame().to_csv()


def test_personal_subject_ids_protect_every_subject():
    frame = pd.DataFrame({"USUBJID": ["S001", "ann@example.org"], "MADRS": [30, 25]})
    log = ProblemLog()
    find_identifiers(frame, log, subject_column="USUBJID")
    log.add("error", "x", "subject S001 at visit WEEK 1", subject="S001")
    assert log.problems[-1].subject == "S***"
    assert log.problems[-1].message == "subject S*** at visit WEEK 1"


@pytest.mark.parametrize("value", ["doe, jane", "John Doe", "Max Mustermann", "Joe Bloggs"])
def test_placeholder_names_are_names(value):
    # the names of examples and test records (tools/make_names.py: PLACEHOLDER_SURNAMES)
    assert "identifier-person-name" in set(_scan(_frame("notes", [value]))["code"])


@pytest.mark.parametrize("value", ["93y", "age 93", "93 yo"])
def test_short_written_ages_over_89(value):
    assert "identifier-age-over-89" in set(_scan(_frame("notes", [value]))["code"])


# find_identifiers does not test short codes (``S0000001``: one or two letters, one to nine
# digits) with any detector, on the grounds that none can match one; this holds it to that.
_SHORT_CODES = ["S0000001", "P1", "AB123456789", "x12", "ZZ999999999", "US5", "N1", "AM12"]


@pytest.mark.parametrize("name", sorted(anonymity._DETECTORS))
def test_no_detector_matches_a_short_code(name):
    detect, _ = anonymity._DETECTORS[name]
    texts = pd.Series(_SHORT_CODES, dtype="str")
    assert not np.asarray(detect(texts), dtype=bool).any()
    assert not np.asarray(values.nhs_numbers(texts), dtype=bool).any()
    assert all(re.fullmatch(anonymity._CODE, t) for t in _SHORT_CODES)
