"""PII redaction: the one function every report uses to hide personal data in customer text.

Each finding is replaced by a tag (``[EMAIL]``, ``[PHONE]``, ...) and counted per kind. The detectors run in
this order, each on the text the previous ones left (tags carry no digit and no ``@``, so no tag is looked at
again):

1. ``url``: ``http(s)://`` and ``ftp://`` links and ``www.`` addresses (punctuation after them stays).
2. ``email``: e-mail addresses, also with internationalised (Unicode) local parts and domains
   (``jörg@müller.de``, ``user@bücher.example``).
3. ``iban``: IBANs in any case, with spaces, dashes or dots, validated by ``stdnum.iban.is_valid`` (check
   digits, each country's length and format).
4. ``tax_id``: a German tax id (``stdnum.de.idnr``) or tax number (``stdnum.de.stnr``) right after its name
   (``Steuer-ID``, ``IdNr``, ``Steuernummer``, ``StNr``); a US social security number after ``SSN`` or written
   ``123-45-6789`` on its own (``stdnum.us.ssn``). Without its name an 11-digit tax id cannot be told from an
   order number, so it is not looked for.
5. ``card``: 13-19 digits, separated by spaces, dashes or dots or glued to letters (``card4111...``), passing
   the Luhn check (``stdnum.luhn``), not starting with 0, not after a ``+``.
6. ``phone``: digit runs (separators: spaces, ``-./()``) and the matches of
   ``phonenumbers.PhoneNumberMatcher`` (leniency VALID, regions ``PHONE_REGIONS``: DE, GB, US, NL, IT, FR),
   each accepted by one of these rules: international (``+``, a ``(0)`` after the country code dropped) and a
   possible number, or ``00`` and a valid number; national with the trunk 0 (``0171-12-3456``,
   ``030/1234567``), 7-14 digits and possible in DE, GB, NL, IT or FR; North American, written
   ``(555) 123-4567`` / ``555-123-4567`` / ``1-800-555-0199`` and possible, or 10 bare digits and valid; an
   Italian mobile (``333 123 4567``) and valid.
7. ``handle``: ``@handles`` (not ``@5pm``).

Dates (``12.03.2024``, ``2024-03-12``, ``03/12/2024``, ``12.03.24``, ``01/2014``, ranges), times and amounts
with a currency are set aside before cards and phones are looked for. A number right after an order, ticket,
invoice, booking, reservation, tracking, reference, claim, bag tag, case or flight word (``Bestellung 0815
4711``, ``order #...``) or after ``#`` is no phone unless written with ``+`` or ``00``; a number glued to
letters (``INC0012345``) is no phone unless the letters end in ``Tel``, ``Fon``, ``Phone``, ``Mobil``,
``Handy``, ``Fax``, ``Cell``, ``Call`` or ``Ruf``; nor is a number joined to another by a dot or dash
(``978-3-16-148410-0``).

False positives accepted (better an order number masked than a phone number shown):

- a number starting with a single 0, with 7-14 digits (a customer number ``0123456789``), is a ``[PHONE]``
  unless an order word or ``#`` comes right before it;
- 10 bare digits that are a valid North American number (roughly every second such number) or a valid
  Italian mobile (3xx) are a ``[PHONE]``, likewise unless an order word comes before;
- a 13-19 digit number (tracking, order, contract or profile id) passes the Luhn check one time in ten and is
  then a ``[CARD]``;
- a Luhn-valid 13-19 digit number not starting with 0 or ``+`` is a ``[CARD]`` even when it is a phone number
  (masked all the same), and a social security number starting with 0 is a ``[PHONE]``.

Not found: phone numbers of other regions in national form, numbers spelt with letters (``O16O``),
obfuscated e-mail addresses (``jo [at] example [dot] com``), names and postal addresses.
"""

from __future__ import annotations

import math
import numbers
import re

import pandas as pd
import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher
from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum.de import idnr as _idnr
from stdnum.de import stnr as _stnr
from stdnum.us import ssn as _ssn

from .._errors import CxInputError

__all__ = ["PHONE_REGIONS", "PII_KINDS", "redact", "redact_series"]

#: The kinds of personal data :func:`redact` replaces (the first four in the order of the former
#: ``cxlib.feedback.PII_KINDS``); each becomes the tag ``[KIND]`` in upper case.
PII_KINDS = ("email", "iban", "card", "phone", "url", "handle", "tax_id")

#: The regions whose phone-number formats are recognised (as national and international numbers).
PHONE_REGIONS = ("DE", "GB", "US", "NL", "IT", "FR")

_TAGS = {kind: f"[{kind.upper()}]" for kind in PII_KINDS}
_MAYBE = re.compile(r"\d|@|http|www|ftp", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_SP = r"[ \t\u00a0\u2009\u202f]"  # spaces inside a number: ordinary, no-break, thin, narrow no-break

# --- URLs, e-mail addresses, handles ------------------------------------------------------------------------
_URL = re.compile(r"(?:(?:https?|ftp)://|(?<![\w@.-])www\.)[^\s<>\"'`]+", re.IGNORECASE)
# local part @ domain labels . a Unicode or punycode top-level domain
_EMAIL = re.compile(r"[\w.%+-]*\w@(?:[^\W_](?:[\w-]{0,62}[^\W_])?\.)+(?:xn--[a-z0-9-]{1,59}|[^\W\d_]{2,63})"
                    r"(?![\w-])", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@.+/-])@(\w{1,30})")
_NOT_HANDLE = re.compile(r"\d+(?:[.:]\d+)?(?:am|pm|h|uhr)?", re.IGNORECASE)  # "@5pm", "@10:30"

# --- IBAN and tax ids ---------------------------------------------------------------------------------------
_IBAN = re.compile(r"(?<![0-9])[A-Z]{2}(?:[ \u00a0.-]{0,2}[0-9]){2}(?:[ \u00a0.-]{0,2}[A-Z0-9]){11,34}",
                   re.IGNORECASE)
_TAX_NAME = re.compile(
    r"(?<![^\W\d_])(?:steuer[\s-]*(?:id(?:entifikations)?(?:[\s-]*nr|nummer)?|nummer|nr)|steuerliche\s+"
    r"identifikationsnummer|st(?:eu)?\.?[\s-]*id(?:[\s.-]*nr)?|str?\.?-?nr|id[\s.-]*nr|"
    r"tax[\s-]*(?:id|number)|tin|ssn|social\s+security(?:\s+(?:no|number|nr))?)"
    r"\.?\s*(?:nr\.?|no\.?|number|nummer)?\s*[:#=]?\s*",
    re.IGNORECASE)
_TAX_DIGITS = re.compile(r"\d(?:(?:" + _SP + r"|[./-])?\d){8,12}(?!\d)")
_SSN = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")

# --- what cards and phones must not swallow: dates, times, amounts ------------------------------------------
_D, _M, _Y4 = r"(?:0?[1-9]|[12]\d|3[01])", r"(?:0?[1-9]|1[0-2])", r"(?:19|20)\d{2}"


def _date4(a: str, b: str) -> str:
    """A date with a four-digit year (D.M.Y, D-M-Y, D/M/Y, M/D/Y, Y-M-D with the same separator twice), with
    an optional ISO time; ``a``, ``b`` name the separator groups."""
    return (rf"(?:{_D}\.{_SP}?{_M}\.{_SP}?{_Y4}|{_D}(?P<{a}>[/-]){_M}(?P={a}){_Y4}"
            rf"|{_M}(?P<{a}m>[./-]){_D}(?P={a}m){_Y4}|{_Y4}(?P<{b}>[./-]){_M}(?P={b}){_D})"
            r"(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")


_PROTECT = [
    # date ranges first, so "01.01.2024-31.12.2024" is no 16-digit number
    re.compile(rf"(?<!\d)(?<!\d[./-]){_date4('a', 'b')}\s*[-\u2013]\s*{_date4('c', 'd')}(?![./-]?\d)"),
    re.compile(rf"(?<!\d)(?<!\d[./-]){_date4('a', 'b')}(?![./-]\d)"),
    # two-digit years only where no other digit group is near (see _NEAR: "01.12.45.67.89" is a French phone)
    re.compile(rf"(?<!\d)(?:{_D}\.{_SP}?{_M}\.{_SP}?|{_D}/{_M}/)\d{{2}}(?!\d)"),
    re.compile(rf"(?<![\d.])(?<!\d{_SP}){_D}\.{_M}\.(?![\d.])"),  # "am 12.03. um"
    re.compile(rf"(?<![\d./+-]){_M}[./]{_Y4}(?![\d./])"),  # "01/2014", "03.2024"
    re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?:\s?(?:am|pm|uhr|h)\b)?(?![\d:])", re.IGNORECASE),
    re.compile(r"(?:[€$£¥]|\b(?:EUR|USD|GBP|CHF|Euro?s?|dollars?)\b)\s?"
               r"(?:\d{1,3}(?:[.,'\u00a0 ]\d{3})+|\d+)(?:[.,]\d{1,2})?(?!\d)", re.IGNORECASE),
    re.compile(r"(?<![\d.,])(?:\d{1,3}(?:[.,'\u00a0 ]\d{3})+|\d+)(?:[.,](?:\d{1,2}|-{1,2}))?\s?"
               r"(?:[€$£¥]|(?:EUR|USD|GBP|CHF|Euro?s?|dollars?)\b)", re.IGNORECASE),
]
_SHORT_DATE = _PROTECT[2]
_NEAR_BEFORE = re.compile(r"[\d+][\s()./\-\u2013]{0,4}$")
_NEAR_AFTER = re.compile(r"[\s()./\-\u2013]{0,4}\d")
_BARRIER = "\x00"

# --- cards --------------------------------------------------------------------------------------------------
_CARD_RUN = re.compile(r"\d(?:(?:" + _SP + r"{1,2}|" + _SP + r"?[.-]" + _SP + r"?)?\d)*")
_GROUPS = re.compile(r"\d+")

# --- phones -------------------------------------------------------------------------------------------------
# up to four of: spaces, brackets, slash, dash, or a dot not ending a sentence ("0171 1234567. 2 bags")
_PHONE_SEP = rf"(?:(?:[ \t\u00a0\u2009\u202f()/\-\u2013]|\.(?!{_SP})){{1,4}})"
_PHONE_RUN = re.compile(rf"(?:\(?\+{_SP}?|\()?\d(?:{_PHONE_SEP}?\d)*")
_DECIMAL = re.compile(r"-?[1-9]\d{0,2}[.,]\d{4,}")
_TRUNK_ZERO = re.compile(r"\(\s?0\s?\)")
# North American shape: a separator between the groups is required (10 bare digits must be a valid number)
_NANP_SEP = rf"(?:{_SP}{{0,2}}[-./]{_SP}{{0,2}}|{_SP}{{1,2}})"
_NANP_SHAPE = re.compile(rf"^(?:\+?1{_NANP_SEP}?)?(?:\({_SP}?\d{{3}}{_SP}?\){_NANP_SEP}?|\d{{3}}{_NANP_SEP})"
                         rf"\d{{3}}{_NANP_SEP}\d{{4}}$")
_ORDER_WORD = re.compile(
    r"\b(?:order|bestell\w*|auftrag\w*|rechnung\w*|invoice|ticket|vorgang\w*|booking|buchung\w*|tracking|"
    r"isbn|sendung\w*|paket\w*|reference|referenz\w*|ref|case|flight|flug\w*|serial|serien\w*|artikel\w*|"
    r"item|sku|plz|zip|postcode|postleitzahl|res|reservation|reservierung\w*|confirmation|pnr|record\s+locator|"
    r"claim|bag\s*tags?|bag\w*|gep\u00e4ck\w*)\s*(?:-?\s?(?:nr|no|numbers?|nummern?|ids?|codes?|#))?\.?\s*"
    r"[:#\-\u2013]?\s*$", re.IGNORECASE)
_PHONE_PART = re.compile(r"hotline|telefon|phone|fon|tel\b|fax|handy|mobil|line|ruf|call", re.IGNORECASE)
_PHONE_WORD = re.compile(r"(?:tel|fon|phone|mobil|mobile|handy|fax|cell|call|ruf)$", re.IGNORECASE)
_NATIONAL = ("DE", "GB", "NL", "IT", "FR")


def _spans_replace(text: str, spans: list, tag: str) -> str:
    parts, last = [], 0
    for s, e in spans:
        parts.append(text[last:s])
        parts.append(tag)
        last = e
    parts.append(text[last:])
    return "".join(parts)


def _urls(text: str) -> list:
    if not re.search(r"://|www\.", text, re.IGNORECASE):
        return []
    spans = []
    for m in _URL.finditer(text):
        s, e = m.span()
        while e > s:
            last = text[e - 1]
            unbalanced = last == ")" and text.count("(", s, e) < text.count(")", s, e)
            if last not in ".,;:!?]}\u00bb\u201d\u2019" and not unbalanced:
                break
            e -= 1
        spans.append((s, e))
    return spans


def _emails(text: str) -> list:
    return [m.span() for m in _EMAIL.finditer(text)] if "@" in text else []


def _handles(text: str) -> list:
    if "@" not in text:
        return []
    return [m.span() for m in _HANDLE.finditer(text) if not _NOT_HANDLE.fullmatch(m.group(1))]


def _valid_iban(compact: str) -> bool:
    try:
        return _iban.is_valid(compact)
    except Exception:  # noqa: BLE001 - odd characters: not an IBAN
        return False


def _ibans(text: str) -> list:
    spans, pos = [], 0
    while True:
        m = _IBAN.search(text, pos)
        if m is None:
            return spans
        start, cand = m.start(), m.group(0)
        where = [i for i, ch in enumerate(cand) if ch.isascii() and ch.isalnum()]
        end = None
        for n in range(min(len(where), 34), 14, -1):  # the longest valid IBAN from here (15-34 characters)
            if _valid_iban("".join(cand[i] for i in where[:n])):
                end = start + where[n - 1] + 1
                break
        if end is None:
            pos = start + 1
        else:
            spans.append((start, end))
            pos = end


def _tax_ids(text: str) -> list:
    spans = []
    for m in _TAX_NAME.finditer(text):
        d = _TAX_DIGITS.match(text, m.end())
        if d is None:
            continue
        digits = re.sub(r"\D", "", d.group(0))
        ok = ((len(digits) == 11 and _idnr.is_valid(digits)) or (len(digits) == 9 and _ssn.is_valid(digits))
              or _stnr.is_valid(d.group(0)) or _stnr.is_valid(digits))
        if ok:
            spans.append(d.span())
    for m in _SSN.finditer(text):
        s, e = m.span()
        alone = not _NEAR_BEFORE.search(text, max(0, s - 5), s) and not _NEAR_AFTER.match(text, e)
        # one starting with 0 is a national phone number ("030-12-0001"), masked as [PHONE] all the same
        if alone and text[s] != "0" and _ssn.is_valid(m.group(0)) and not any(a <= s < b for a, b in spans):
            spans.append((s, e))
    return sorted(spans)


def _protected(text: str) -> str:
    """The text with dates, times and amounts replaced by barriers of the same length."""
    chars = None
    for pattern in _PROTECT:
        for m in pattern.finditer(text if chars is None else "".join(chars)):
            if pattern is _SHORT_DATE and (_NEAR_BEFORE.search(text, max(0, m.start() - 5), m.start())
                                          or _NEAR_AFTER.match(text, m.end())):
                continue
            if chars is None:
                chars = list(text)
            chars[m.start():m.end()] = _BARRIER * (m.end() - m.start())
    return text if chars is None else "".join(chars)


def _card_windows(groups: list) -> tuple | None:
    """The Luhn-valid window of whole digit groups (13-19 digits, not starting with 0) to mask first: the
    whole run, else a card-shaped grouping (4-4-4-4(-3), 4-6-5, 4-6-4, one block), else the longest."""
    found = []
    for i in range(len(groups)):
        digits = ""
        for j in range(i, len(groups)):
            digits += groups[j][0]
            if len(digits) > 19:
                break
            if len(digits) >= 13 and digits[0] != "0" and _luhn.is_valid(digits):
                sizes = [len(g[0]) for g in groups[i:j + 1]]
                shaped = (len(sizes) == 1 or sizes[:-1] == [4] * (len(sizes) - 1) and 1 <= sizes[-1] <= 4
                          or sizes in ([4, 6, 5], [4, 6, 4]))
                whole = i == 0 and j == len(groups) - 1
                found.append((not whole, not shaped, -len(digits), i, j))
    if not found:
        return None
    *_, i, j = min(found)
    return i, j


def _cards(text: str, guarded: str) -> list:
    spans = []
    for m in _CARD_RUN.finditer(guarded):
        s = m.start()
        if s and text[s - 1] == "+":
            continue  # an international phone number
        groups = [(g.group(0), s + g.start(), s + g.end()) for g in _GROUPS.finditer(m.group(0))]
        while groups and sum(len(g[0]) for g in groups) >= 13:
            window = _card_windows(groups)
            if window is None:
                break
            i, j = window
            spans.append((groups[i][1], groups[j][2]))
            groups = groups[j + 1:]
    return sorted(spans)


def _parse(number: str, region: str | None):
    try:
        return phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None


def _possible(number) -> bool:
    """Possible as a whole number (a number only dialable locally, without its area code, is not enough)."""
    return (number is not None and phonenumbers.is_possible_number_with_reason(number)
            == phonenumbers.ValidationResult.IS_POSSIBLE)


def _phone_ok(raw: str) -> bool:
    """Whether a candidate (the digits with their separators) is a phone number by the rules of the module."""
    raw = raw.strip()
    plus = raw.lstrip("(").startswith("+")
    digits = re.sub(r"\D", "", _TRUNK_ZERO.sub("", raw) if plus else raw)
    if plus:
        return 8 <= len(digits) <= 15 and _possible(_parse("+" + digits, None))
    if digits.startswith("00"):  # international prefix; order and tracking numbers start so too: valid only
        digits = re.sub(r"\D", "", _TRUNK_ZERO.sub("", raw))[2:]
        number = _parse("+" + digits, None)
        return 8 <= len(digits) <= 15 and number is not None and phonenumbers.is_valid_number(number)
    if digits.startswith("0"):
        if not 7 <= len(digits) <= 14 or re.match(r"\(?0[.,]\d", raw):  # not a decimal such as 0.211598
            return False
        return any(_possible(_parse(digits, region)) for region in _NATIONAL)
    # without the trunk 0 only two national forms: North American (plain or 3-3-4) and Italian mobiles (3xx)
    groups = _GROUPS.findall(raw)
    if len(digits) == 10 or (len(digits) == 11 and digits[0] == "1"):
        us = _parse(digits, "US")
        nanp = _NANP_SHAPE.match(raw) is not None
        if us is not None and ((phonenumbers.is_valid_number(us) and (nanp or len(groups) == 1))
                               or (nanp and _possible(us))):
            return True
    if digits.startswith("3") and len(digits) == 10 and (len(groups) == 1 or len(groups[0]) == 3):
        it = _parse(digits, "IT")
        return it is not None and phonenumbers.is_valid_number(it)
    return False


def _phone_context_ok(text: str, start: int, end: int, raw: str, order_run: bool = False) -> bool:
    """Not part of a longer number, no order/ticket word right before a national number, no letters glued to
    it (except Tel, Fon, ...)."""
    before = text[max(0, start - 40):start]
    if re.search(r"#\s?$|\d[./-]?$", before) or re.match(r"[./-]?\d", text[end:end + 2]):
        return False
    if before and before[-1].isalpha():
        word = re.search(r"[^\W\d_]+$", before).group(0)
        if not _PHONE_WORD.search(word):
            return False
    compact = raw.strip().lstrip("(")
    if compact.startswith(("+", "00")):
        return True
    order = _ORDER_WORD.search(before)
    if order is not None and _PHONE_PART.search(order.group(0)):
        order = None  # "Reservierungshotline", "Bestelltelefon": a phone line, not an order number
    return not order_run and order is None


def _phone_windows(text: str, s: int, run: str) -> list:
    """Phone numbers in one candidate run: the longest acceptable window of whole digit groups, left to right.
    A window may start or end inside the run only where the separator has a space (``Ticket 12 0171
    1234567``), never inside a number joined by dots or dashes (``978-3-16-148410-0``)."""
    groups = [(s + g.start(), s + g.end(), len(g.group(0))) for g in _GROUPS.finditer(run)]
    soft = [any(ch.isspace() for ch in text[groups[k][1]:groups[k + 1][0]]) for k in range(len(groups) - 1)]
    order_run = _ORDER_WORD.search(text[max(0, s - 40):s]) is not None  # "Ticket 4711 0815 4711"
    spans, i = [], 0
    while i < len(groups):
        hit = None
        if i == 0 or soft[i - 1]:
            for j in range(len(groups) - 1, i - 1, -1):  # the longest window from group i
                n = sum(g[2] for g in groups[i:j + 1])
                if n > 17 or n < 7 or (j < len(groups) - 1 and not soft[j]):
                    continue
                start = s if i == 0 else groups[i][0]
                if i > 0 and text[start - 1] == "(":
                    start -= 1
                end = groups[j][1]
                raw = text[start:end]
                if raw.count("(") > raw.count(")") and end < len(text) and text[end] == ")":
                    end += 1
                    raw = text[start:end]
                if _phone_ok(raw) and _phone_context_ok(text, start, end, raw, order_run and i > 0):
                    hit = (start, end, j)
                    break
        if hit is None:
            i += 1
        else:
            spans.append(hit[:2])
            i = hit[2] + 1
    return spans


def _phones(text: str, guarded: str) -> list:
    found, leftover = [], 0
    for m in _PHONE_RUN.finditer(guarded):
        s = m.start()
        if s and guarded[s - 1].isdigit():
            continue
        spans = _phone_windows(text, s, m.group(0))
        found.extend(spans)
        if not _DECIMAL.fullmatch(m.group(0).lstrip("(+")):  # a coordinate or measurement is no phone
            leftover += len(_DIGIT.findall(m.group(0))) - sum(len(_DIGIT.findall(text[a:b])) for a, b in spans)
    # the matcher is the second net, for digits the runs above did not take (odd separators, other splits);
    # what it finds passes the same rules
    if leftover >= 7:
        for region in PHONE_REGIONS:
            for match in PhoneNumberMatcher(guarded, region, leniency=Leniency.VALID):
                s, e = match.start, match.end
                raw = match.raw_string
                if _BARRIER not in raw and _phone_ok(raw) and _phone_context_ok(text, s, e, raw):
                    found.append((s, e))
    return _merge(found)


def _merge(spans: list) -> list:
    out = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _redact_str(text: str) -> tuple[str, dict]:
    counts = dict.fromkeys(PII_KINDS, 0)
    if not text or not _MAYBE.search(text):
        return text, counts

    def apply(kind, spans):
        nonlocal text
        if spans:
            text = _spans_replace(text, spans, _TAGS[kind])
            counts[kind] += len(spans)

    apply("url", _urls(text))
    apply("email", _emails(text))
    digits = len(_DIGIT.findall(text))
    if digits >= 4:
        apply("iban", _ibans(text))
    if digits >= 9:
        apply("tax_id", _tax_ids(text))
    if len(_DIGIT.findall(text)) >= 7:
        guarded = _protected(text)
        if digits >= 13:
            apply("card", _cards(text, guarded))
            guarded = _protected(text) if counts["card"] else guarded
        if len(_DIGIT.findall(guarded)) >= 7:
            apply("phone", _phones(text, guarded))
    apply("handle", _handles(text))
    return text, counts


def _number_text(value) -> str | None:
    """A number as the digits it would show (``4111111111111111.0`` -> ``'4111111111111111'``), else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return None
    if isinstance(value, numbers.Integral):
        return str(int(value))
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    if math.isfinite(f) and f.is_integer() and abs(f) < 1e19:
        return str(int(f))
    return None


def redact(text) -> tuple:
    """Replace personal data in one text by tags and count them per kind.

    E-mail addresses (also internationalised), phone numbers (national and international forms of DE, GB, US,
    NL, IT, FR, found with ``phonenumbers``), IBANs (``stdnum.iban``, any case and spacing), card numbers
    (13-19 digits passing the Luhn check, any separators, also glued to letters), URLs, @handles and tax ids
    after their name. The rules and the false positives accepted are in the module docstring
    (``help(cxlib.display._redact)``).

    Parameters
    ----------
    text : str or object
        A verbatim. A number (int, or a float without a fractional part) is read as its digits and, when those
        are a card, phone or other number of personal data, returned as the redacted string; other values
        (None, NaN, dates, ...) are returned unchanged.

    Returns
    -------
    tuple
        ``(redacted, counts)``: the text with ``[EMAIL]``, ``[IBAN]``, ``[CARD]``, ``[PHONE]``, ``[URL]``,
        ``[HANDLE]`` or ``[TAX_ID]`` in place of each finding, and a dict kind -> number of replacements with
        every kind of ``PII_KINDS``.

    Examples
    --------
    >>> text, counts = redact("Ruf an: 0171-12-3456 oder jörg@müller.de, IBAN de89 3704 0044 0532 0130 00")
    >>> text
    'Ruf an: [PHONE] oder [EMAIL], IBAN [IBAN]'
    >>> {k: v for k, v in counts.items() if v}
    {'email': 1, 'iban': 1, 'phone': 1}
    >>> redact("Bestellung 4711-0815 am 12.03.2024 um 14:30, 49,99 €")[0]
    'Bestellung 4711-0815 am 12.03.2024 um 14:30, 49,99 €'
    >>> redact(4111111111111111)[0], redact(None)[0]
    ('[CARD]', None)
    """
    if isinstance(text, str):
        return _redact_str(text)
    digits = _number_text(text)
    if digits is not None:
        out, counts = _redact_str(digits)
        if out == digits and 8 <= len(digits) <= 15:
            # a phone number stored as a number lost its "+": try it as an international number
            number = _parse("+" + digits, None)
            if number is not None and phonenumbers.is_valid_number(number):
                out, counts["phone"] = _TAGS["phone"], 1
        if out != digits:
            return out, counts
    return text, dict.fromkeys(PII_KINDS, 0)


def redact_values(values) -> tuple[list, list]:
    """Redact a sequence of values, with the counts of each value (for per-row tallies).

    Parameters
    ----------
    values : iterable
        Texts (other values as in :func:`redact`).

    Returns
    -------
    tuple of (list, list)
        The redacted values, and for each a dict ``kind -> count``; a distinct text is redacted once.

    Examples
    --------
    >>> out, counts = redact_values(["mail me: a@b.de", "thanks"])
    >>> out, counts[0]["email"]
    (['mail me: [EMAIL]', 'thanks'], 1)
    """
    seen: dict = {}
    zero = dict.fromkeys(PII_KINDS, 0)
    out, counts = [], []
    for value in values:
        if isinstance(value, str):
            if not _MAYBE.search(value):
                out.append(value)
                counts.append(zero)
                continue
            if value not in seen:
                seen[value] = _redact_str(value)
            new, c = seen[value]
        else:
            new, c = redact(value)
        out.append(new)
        counts.append(c)
    return out, counts


def redact_series(values: pd.Series) -> tuple:
    """Redact every value of a column with :func:`redact`: fast on long columns.

    Values with no digit, no ``@`` and no ``http``/``www`` are passed over; a text that repeats (retweets,
    templates) is redacted once.

    Parameters
    ----------
    values : pandas.Series
        Texts (other values are treated as in :func:`redact`).

    Returns
    -------
    tuple
        ``(redacted, counts)``: a Series with the same index and name (the input's dtype when nothing was
        replaced, else object; string dtypes are kept) and a dict kind -> replacements over the column, with
        every kind of ``PII_KINDS``.

    Examples
    --------
    >>> import pandas as pd
    >>> tweets = pd.read_csv("data/airline_tweets.csv.gz")
    >>> text, counts = redact_series(tweets["text"])
    >>> counts["handle"] > 10_000, counts["url"] > 500, counts["phone"] > 20
    (True, True, True)
    >>> int(tweets["text"].str.contains("800-433-7300").sum()), int(text.str.contains("800-433-7300").sum())
    (6, 0)
    """
    if not isinstance(values, pd.Series):
        raise CxInputError(f"redact_series expects a pandas Series, got {type(values).__name__}; pass one "
                           "column (e.g. table['text']).")
    out, per_value = redact_values(values.tolist())
    totals = dict.fromkeys(PII_KINDS, 0)
    for c in per_value:
        for kind, k in c.items():
            totals[kind] += k
    if not any(totals.values()):
        return values.copy(), totals
    result = pd.Series(out, index=values.index, name=values.name, dtype=object)
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        result = result.astype(values.dtype)
    return result, totals
