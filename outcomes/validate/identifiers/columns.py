"""Column names that say a column holds direct identifiers, in English, German, French, Spanish,
Italian, Dutch and Portuguese.

A name is first normalised (:func:`normalise`): accents folded, camelCase split, lower case, and
runs of anything but letters and digits made one space. It is then matched whole, so that
``PHONE_VISIT``, ``VISITNAME``, ``SITEID`` or ``drug_name`` are not identifiers while
``name_of_patient``, ``gp_name``, ``nok_phone`` and ``geburtsdatum`` are.
"""

from __future__ import annotations

import re
from collections.abc import Hashable

from outcomes.names import words

__all__ = ["identifier_kind", "is_age_column", "is_initials_column", "is_zip_column", "normalise"]


def _words(*alternatives: str) -> str:
    """One group matching any of ``alternatives``; a space in one may be left out."""
    return "(?:" + "|".join(a.replace(" ", " ?") for a in alternatives) + ")"


#: Whose identifier: a qualifier before the identifier word (``patient name``, ``gp phone``).
_ROLE = _words(
    "patient", "patients", "patienten", "patiente", "paciente", "paziente", "subject",
    "participant", "participante", "teilnehmer", "deelnemer", "person", "pt", "subj", "contact",
    "home", "work", "personal", "private", "mobile", "cell", "gp", "doctor",
    "physician", "therapist", "clinician", "nurse", "psychiatrist", "psychologist", "sitter",
    "guide", "facilitator", "rater", "staff", "street",
    "carer", "caregiver", "care giver", "caretaker", "nok", "next of kin", "kin",
    "emergency", "emergency contact", "parent", "mother", "father", "spouse", "partner",
    "guardian", "relative", "referrer", "sibling", "child", "informant", "witness", "proxy",
    "legal representative", "postal", "mailing", "residential", "first", "last", "family",
    "given", "middle", "maiden", "full", "birth", "sur", "fore",
)  # fmt: skip
_OF = _words("of", "of the", "de", "de la", "du", "des", "del", "della", "di", "do", "da", "van",
             "van de", "van het", "von", "der")  # fmt: skip
_NUMBER = _words("number", "num", "no", "nr", "id", "nummer", "numero")

_KINDS: dict[str, str] = {
    "a personal name": _words(
        "name", "names", "fname", "lname", "surname", "forename", "nickname", "alias",
        "initials", "inits", "vorname", "nachname", "familienname", "geburtsname",
        "rufname", "initialen", "kuerzel", "nom", "prenom", "prenoms", "nom de famille",
        "nom de naissance", "initiales", "nombre", "nombres", "apellido", "apellidos",
        "primer apellido", "segundo apellido", "nombre completo", "iniciales", "nome",
        "cognome", "nome e cognome", "nome completo", "iniziali", "naam", "voornaam",
        "voornamen", "achternaam", "familienaam", "roepnaam", "tussenvoegsel", "voorletters",
        "sobrenome", "apelido", "iniciais",
    ),
    "an e-mail address": _words(
        "e mail", "email", "mail", "e mail address", "email address", "e mail addr",
        "email addr", "e mail adresse", "email adresse", "e mailadres", "mailadres", "courriel",
        "adresse mail", "adresse e mail", "adresse electronique", "correo", "correo electronico",
        "posta elettronica", "indirizzo email", "endereco de email", "endereco eletronico",
    ),
    "a telephone number": _words(
        "phone", "telephone", "tel", "mobile", "cell phone", "fax", "telefon", "handy",
        "mobil", "rufnummer", "portable", "telefono", "movil", "celular", "cellulare",
        "telefoon", "mobiel", "gsm", "telefone", "telemovel", "whatsapp", "telefono cellulare",
        "telefono movil", "telefone celular", "numero de telefono", "numero di telefono",
    ) + f"(?: ?{_NUMBER})?",
    "an address": _words(
        "address", "addr", "address line", "street", "city", "town", "county", "zip",
        "zip code", "post code", "postal code", "adresse", "anschrift", "strasse", "wohnort",
        "plz", "postleitzahl", "code postal", "ville", "domicile", "direccion", "domicilio",
        "calle", "codigo postal", "ciudad", "localidad", "indirizzo", "citta", "adres",
        "straat", "woonplaats", "huisnummer", "endereco", "morada", "cep", "cidade",
        "birth place", "place of birth", "birthplace", "geburtsort", "lieu de naissance",
        "lugar de nacimiento", "luogo di nascita", "geboorteplaats", "local de nascimento",
        "residence", "place of residence",
    ) + "(?: ?line)?",
    "a date of birth": _words(
        "dob", "date of birth", "birth date", "birthday", "birth dt", "birth dtc", "birth dat",
        "brth dt", "brth dtc", "brth dat", "geburtsdatum", "geburtstag", "geb datum", "gebdat",
        "date de naissance", "date naissance", "ddn", "fecha de nacimiento",
        "fecha nacimiento", "fec nac", "data di nascita", "data nascita", "geboortedatum",
        "geboorte datum", "data de nascimento", "data nascimento", "nascimento", "nacimiento",
        "naissance", "date birth", "birth month", "month of birth", "birth year month",
        "year month of birth", "birth month year", "dob month",
    ),
    "an identity number": _words(
        "ssn", "social security", "nhs", "chi", "hospital", "account", "mrn", "medical record",
        "insurance", "health plan", "health card", "hcn", "national insurance", "ni",
        "nino", "pps", "medicare", "versichertennummer", "krankenversichertennummer", "kvnr",
        "sozialversicherungsnummer", "svnr", "steuer id", "steuernummer", "personalausweis",
        "securite sociale", "numero de securite sociale", "nir", "insee", "carte vitale",
        "dni", "nie", "nif", "nss", "seguridad social", "tarjeta sanitaria", "codice fiscale",
        "tessera sanitaria", "bsn", "burgerservicenummer", "sofinummer", "cpf", "utente",
    ) + f"(?: ?{_NUMBER})?",
    "an IP address": r"ip ?(?:address|addr)|ipv[46](?: ?(?:address|addr))?",
    "a URL": r"url|uri|web ?(?:site|page|address)|home ?page",
    "a licence, vehicle or device number": r"(?:driv(?:er|ers|ing) ?)?licen[cs]e"
    f"(?: ?{_NUMBER})?|passport(?: ?{_NUMBER})?|vehicle(?: ?(?:registration|reg|plate))?"
    f"(?: ?{_NUMBER})?|vin|(?:licen[cs]e|number) ?plate"
    f"|device ?(?:serial|id)(?: ?{_NUMBER})?",
    "a contact person": _words(
        "nok", "next of kin", "emergency contact", "notfallkontakt", "personne a contacter",
        "contacto de emergencia", "contatto di emergenza", "noodcontact", "contact number",
        "contact no", "contact details", "contact info", "contact information",
    ) + "(?: ?(?:details|info|person))?",
    "a social media or account name": _words(
        "twitter", "instagram", "facebook", "tiktok", "linkedin", "snapchat", "skype",
        "social media",
    ) + "(?: ?(?:handle|account|id|name|user ?name))?|screen ?name",
}  # fmt: skip
#: Whose contact: "contact" is an identifier after whose it is (``nok_contact``), not alone.
_CONTACT = re.compile(rf"(?:{_ROLE}) ?(?:s )?contacts?(?: ?[0-9]+)?")
#: Words after the identifier word that say only how it is stored (``dob_text``, ``phone_raw``).
_STORED = r"(?: ?(?:text|txt|raw|str|string|orig|original|verbatim|value|val|char|full))?"
#: Words that say "identity number" only with a number word after them ("nhs no", not "nhs").
_NEED_NUMBER = r"nhs|chi|hospital|account|ni|pps|utente"
_SUFFIX = r"(?: ?[0-9]+)?"
_WHOSE = rf"(?:(?:{_ROLE}) ?(?:s )?)"

_PATTERNS = {
    kind: re.compile(
        rf"(?:{_WHOSE}{{0,2}}(?:{word})|(?:{word}) (?:{_OF} )?(?:{_ROLE})"
        rf"|{_NUMBER} {_OF} (?:{word})){_STORED}{_SUFFIX}"
    )
    for kind, word in _KINDS.items()
}
_BARE_NUMBER_WORD = re.compile(rf"{_WHOSE}{{0,2}}(?:{_NEED_NUMBER}){_SUFFIX}")
#: ``init`` is initials only after whose they are (``SUBJINIT``, ``pt_init``).
_INIT = re.compile(rf"{_WHOSE}{{1,2}}init{_SUFFIX}")
_AGE = re.compile(
    r"(?:baseline |bl )?(?:age|alter|edad|eta|leeftijd|idade)"
    r"(?: ?(?:in )?(?:years?|yrs?|y|jahre|ans|anos|anni|jaar))?(?: at [a-z ]+)?"
)
_ZIP = re.compile(r"\b(?:zip|post ?code|postal|plz|postleitzahl|code postal|codigo postal|cep)\b")
_INITIALS = re.compile(
    r"(?:[a-z]+ )?(?:init|inits|initials|initialen|initiales|iniciales|iniziali|iniciais"
    r"|voorletters|kuerzel)"
)


def normalise(name: Hashable) -> str:
    """Lower-case words of a column name, one space apart (:func:`outcomes.names.words`).

    Examples
    --------
    >>> normalise("DateOfBirth"), normalise("date_of_birth"), normalise("Prénom"), normalise("PLZ")
    ('date of birth', 'date of birth', 'prenom', 'plz')
    """
    return " ".join(words(name))


def identifier_kind(name: Hashable) -> str | None:
    """What kind of identifier a column's name says it holds, or ``None``.

    Examples
    --------
    >>> [identifier_kind(n) for n in ("name_of_patient", "gp_name", "nok_phone", "Geburtsdatum")]
    ['a personal name', 'a personal name', 'a telephone number', 'a date of birth']
    >>> [identifier_kind(n) for n in ("VISITNAME", "PHONE_VISIT", "drug_name", "contact", "NHS")]
    [None, None, None, None, None]
    """
    normalised = normalise(name)
    if _BARE_NUMBER_WORD.fullmatch(normalised):
        return None
    for kind, pattern in _PATTERNS.items():
        if pattern.fullmatch(normalised):
            return kind
    if _CONTACT.fullmatch(normalised):
        return "a contact person"
    return "a personal name" if _INIT.fullmatch(normalised) else None


def is_age_column(name: Hashable) -> bool:
    """Whether a column is named for the subjects' age (``AGE``, ``age_years``, ``Alter``).

    Examples
    --------
    >>> is_age_column("AGEYRS"), is_age_column("Âge"), is_age_column("AGEGR1")
    (True, True, False)
    """
    return _AGE.fullmatch(normalise(name)) is not None


def is_zip_column(name: Hashable) -> bool:
    """Whether a column's name mentions a ZIP or postal code."""
    return _ZIP.search(normalise(name)) is not None


def is_initials_column(name: Hashable) -> bool:
    """Whether a column is named for initials (``inits``, ``SUBJINIT``, ``Initialen``)."""
    normalised = normalise(name)
    return _INITIALS.fullmatch(normalised) is not None or normalised.endswith("init")
