"""Which UK nation a postcode is in, so a complaint gets that nation's bank holidays.

Where a district straddles a border, or the postcode is not a UK nation's, the answer is None
and the customer is asked.
"""

from __future__ import annotations

import re

from escalation.choices import Nation

_SCOTTISH_AREAS = frozenset(
    "AB DD DG EH FK G HS IV KA KW KY ML PA PH ZE TD".split()
)  # TD: the Scottish Borders, except the districts below that straddle the border
_WELSH_AREAS = frozenset("CF LD LL NP SA".split())
# Districts that straddle a border: we ask rather than guess. (England and Wales share bank
# holidays, so those guesses would not move a clock; Scotland's and Northern Ireland's differ.)
_BORDER_DISTRICTS: dict[str, frozenset[int]] = {
    "TD": frozenset({12, 15}),  # Coldstream / Cornhill-on-Tweed; Berwick-upon-Tweed
    "LD": frozenset({7, 8}),  # Knighton, Presteigne
    "NP": frozenset({16, 25}),  # Chepstow / Tutshill; Monmouth
    "CH": frozenset({4}),  # Saltney and Broughton, on the Chester border
    "SY": frozenset({10, 13, 14}),  # Oswestry, Whitchurch, Malpas
    "HR": frozenset({2, 3, 5}),  # Golden Valley, Hay-on-Wye, Kington
}
# Areas that are English or Welsh by district.
_WELSH_DISTRICTS: dict[str, frozenset[int]] = {
    "CH": frozenset({5, 6, 7, 8}),  # Deeside, Flint, Mold, Holywell
    "SY": frozenset(range(15, 26)),  # Montgomeryshire and Ceredigion
}
_UNKNOWN_DISTRICTS: dict[str, frozenset[int]] = {
    "SY": frozenset(range(26, 100)),  # non-geographic
}
# Crown dependencies and forces post: not a UK nation's bank holidays; ask.
_NOT_A_NATION = frozenset({"IM", "JE", "GY"})

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_OUTWARD = re.compile(r"^([A-Z]{1,2})([0-9]{1,2})[A-Z]?$")


def postcode_normalise(postcode: str) -> str | None:
    """'bs312ug' → 'BS31 2UG'; None if it is not the shape of a full UK postcode."""
    compact = re.sub(r"\s+", "", postcode or "").upper()
    if compact == "GIR0AA":
        return "GIR 0AA"
    match = _POSTCODE.match(compact)
    return f"{match[1]} {match[2]}" if match else None


def nation_from_postcode(postcode: str | None) -> str | None:
    """The UK nation a postcode (or just its outward code) is in; None if missing, unknown or
    on a border, where the customer has to say."""
    compact = re.sub(r"\s+", "", postcode or "").upper()
    if not compact:
        return None
    if compact.startswith("GIR"):
        return Nation.ENG  # Girobank, Bootle: the one postcode not shaped like the others
    full = _POSTCODE.match(compact)
    outward = full[1] if full else compact
    match = _OUTWARD.match(outward)
    if match is None:
        return None
    area, district = match[1], int(match[2])
    if area in _NOT_A_NATION:
        return None
    if district in _BORDER_DISTRICTS.get(area, ()) or district in _UNKNOWN_DISTRICTS.get(area, ()):
        return None
    if area == "BT":
        return Nation.NIR
    if area in _SCOTTISH_AREAS:
        return Nation.SCT
    if area in _WELSH_AREAS or district in _WELSH_DISTRICTS.get(area, ()):
        return Nation.WLS
    return Nation.ENG
