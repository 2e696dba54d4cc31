"""Matching an address book against a provider's customers: pure functions, no database, no network.

Three rules, strongest first, each with a score from 0 to 100:

1. the same VAT number (score 100);
2. the same enterprise number: the provider's registry identifier (CBE in Belgium) or the one a Belgian VAT
   number contains (score 100);
3. a similar name in the same postcode (or, without a postcode, the same city). Names are compared after
   removing case, accents, punctuation and legal-form noise (BV, NV, SRL, GmbH...), token order ignored; the
   score is that similarity, lowered when the cities disagree.

A customer with exactly one identifier match, that no other customer also matches, is linked at once. Everything
else (name matches, and identifier matches shared by several customers or parties) is proposed for review.

The work is blocked so it scales: identifiers are dictionary look-ups, names are only compared inside a
postcode (or city) block, and a very large block is split further by shared name tokens. Comparisons inside a
block are done by rapidfuzz in C.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

VAT = "vat"
ENTERPRISE = "enterprise"
NAME = "name"

EXACT_SCORE = 100
# A name match below this is not worth a reviewer's time.
PROPOSE_AT = 80
# Candidates this close to a customer's best are all shown: the data cannot tell them apart.
AMBIGUITY_MARGIN = 4
CITY_MISMATCH_PENALTY = 10
CITY_ONLY_PENALTY = 5
# Blocks bigger than this many comparisons are split by shared name tokens before comparing.
MAX_BLOCK_PAIRS = 2_000_000

# Legal forms that carry no identity: "Kroon BV" and "Kroon NV" are the same name for matching.
LEGAL_FORMS = frozenset(
    [
        "bv",
        "nv",
        "srl",
        "sprl",
        "sa",
        "sarl",
        "sas",
        "sasu",
        "eurl",
        "snc",
        "sc",
        "scrl",
        "scs",
        "cv",
        "cvba",
        "cvoa",
        "bvba",
        "vof",
        "commv",
        "comm",
        "gcv",
        "gmbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "ltd",
        "limited",
        "plc",
        "llc",
        "inc",
        "corp",
        "co",
        "cie",
        "ets",
        "etn",
        "asbl",
        "vzw",
        "aisbl",
        "ivzw",
        "bvbvba",
        "spa",
        "srls",
        "sl",
        "slu",
        "ab",
        "as",
        "oy",
    ]
)
_DOTTED_ABBREVIATION = re.compile(r"\b(?:[a-z]\.){2,}")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_VAT_JUNK = re.compile(r"[^A-Z0-9]")


@dataclass(frozen=True, slots=True)
class Party:
    """One side of the match: a customer (key = its id) or a provider party (key = the remote id)."""

    key: str
    name: str
    vat_number: str = ""
    enterprise_number: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class Candidate:
    customer: str
    remote: str
    method: str
    score: int
    ambiguous: bool = False


@dataclass
class MatchResult:
    links: list[Candidate] = field(default_factory=list)  # unambiguous identifier matches: link at once
    proposals: list[Candidate] = field(default_factory=list)  # for a person to accept or reject
    unmatched: list[str] = field(default_factory=list)  # customers with no candidate at all


# normalisation -------------------------------------------------------------------------------------------------
def normalise_name(name: str) -> str:
    """Lower case, no accents, no punctuation, no legal form, tokens sorted: "N.V. Kroon & Zonen" -> "kroon zonen"."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode("ascii").lower()
    text = _DOTTED_ABBREVIATION.sub(lambda m: m.group(0).replace(".", "") + " ", text)
    tokens = [t for t in _NOT_ALNUM.split(text) if t and t not in LEGAL_FORMS]
    tokens.sort()
    return " ".join(tokens)


def normalise_vat(value: str, country: str = "") -> str:
    """A cheap compact form for comparison (no checksum: a wrong number simply matches nothing)."""
    text = _VAT_JUNK.sub("", (value or "").upper())
    if not text:
        return ""
    if text[:2].isdigit() and country:
        text = country.upper() + text
    if text.startswith("BE") and len(text) == 11:  # the old 9-digit Belgian number
        text = "BE0" + text[2:]
    return text


def enterprise_key(party: Party) -> str:
    """The registry number, digits and letters only; a Belgian VAT number holds the enterprise number."""
    number = _VAT_JUNK.sub("", (party.enterprise_number or "").upper())
    if number:
        if len(number) == 9 and number.isdigit() and (party.country or "BE").upper() == "BE":
            number = "0" + number
        return number.removeprefix("BE")
    vat = normalise_vat(party.vat_number, party.country)
    if vat.startswith("BE") and len(vat) == 12:
        return vat[2:]
    return ""


def normalise_place(value: str) -> str:
    text = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_ALNUM.sub("", text)


# matching ------------------------------------------------------------------------------------------------------
def match(
    customers: Sequence[Party],
    remotes: Sequence[Party],
    *,
    propose_at: int = PROPOSE_AT,
    progress: Callable[[int, int | None], None] | None = None,
) -> MatchResult:
    """Match customers (not yet linked) against remote parties (not linked to anyone). See the module docstring."""
    result = MatchResult()
    exact = _identifier_candidates(customers, remotes)
    taken_remotes: set[str] = set()
    resolved: set[str] = set()

    remotes_per_candidate: dict[str, int] = defaultdict(int)
    for found in exact.values():
        for remote, _method in found:
            remotes_per_candidate[remote] += 1
    for customer_key, found in exact.items():
        resolved.add(customer_key)
        ambiguous = len(found) > 1 or any(remotes_per_candidate[r] > 1 for r, _m in found)
        for remote, method in found:
            taken_remotes.add(remote)
            candidate = Candidate(customer_key, remote, method, EXACT_SCORE, ambiguous)
            (result.proposals if ambiguous else result.links).append(candidate)
    if progress:
        progress(len(resolved), len(customers))

    left = [c for c in customers if c.key not in resolved]
    pool = [r for r in remotes if r.key not in taken_remotes]
    fuzzy = _name_candidates(left, pool, propose_at)
    result.proposals.extend(fuzzy)
    proposed = {c.customer for c in fuzzy}
    result.unmatched = [c.key for c in left if c.key not in proposed]
    if progress:
        progress(len(customers), len(customers))
    return result


def _identifier_candidates(customers: Sequence[Party], remotes: Sequence[Party]) -> dict[str, list[tuple[str, str]]]:
    """customer key -> [(remote key, method)] for VAT matches, else enterprise-number matches."""
    by_vat: dict[str, list[str]] = defaultdict(list)
    by_enterprise: dict[str, list[str]] = defaultdict(list)
    for remote in remotes:
        vat = normalise_vat(remote.vat_number, remote.country)
        if vat:
            by_vat[vat].append(remote.key)
        enterprise = enterprise_key(remote)
        if enterprise:
            by_enterprise[enterprise].append(remote.key)
    found: dict[str, list[tuple[str, str]]] = {}
    for customer in customers:
        vat = normalise_vat(customer.vat_number, customer.country)
        if vat and vat in by_vat:
            found[customer.key] = [(r, VAT) for r in dict.fromkeys(by_vat[vat])]
            continue
        enterprise = enterprise_key(customer)
        if enterprise and enterprise in by_enterprise:
            found[customer.key] = [(r, ENTERPRISE) for r in dict.fromkeys(by_enterprise[enterprise])]
    return found


@dataclass(slots=True)
class _Prepared:
    party: Party
    name: str
    vat: str
    city: str


def _prepare(parties: Iterable[Party]) -> list[_Prepared]:
    return [
        _Prepared(p, normalise_name(p.name), normalise_vat(p.vat_number, p.country), normalise_place(p.city))
        for p in parties
    ]


def _block_keys_for_remote(remote: _Prepared) -> list[str]:
    keys = []
    postcode = normalise_place(remote.party.postcode)
    if postcode:
        keys.append("p:" + postcode)
    elif remote.city:
        keys.append("n:" + remote.city)  # no postcode: reachable from customers of that city
    if remote.city:
        keys.append("c:" + remote.city)
    return keys


def _block_keys_for_customer(customer: _Prepared) -> list[str]:
    postcode = normalise_place(customer.party.postcode)
    if postcode:
        return ["p:" + postcode] + (["n:" + customer.city] if customer.city else [])
    return ["c:" + customer.city] if customer.city else []


def _name_candidates(customers: Sequence[Party], remotes: Sequence[Party], propose_at: int) -> list[Candidate]:
    local = [c for c in _prepare(customers) if c.name]
    remote = [r for r in _prepare(remotes) if r.name]
    remote_blocks: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(remote):
        for key in _block_keys_for_remote(item):
            remote_blocks[key].append(index)
    local_blocks: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(local):
        for key in _block_keys_for_customer(item):
            if key in remote_blocks:
                local_blocks[key].append(index)

    # customer index -> {remote index: score}
    scores: dict[int, dict[int, int]] = defaultdict(dict)
    cutoff = max(0, propose_at - 1)
    for key, local_ids in local_blocks.items():
        remote_ids = remote_blocks[key]
        city_only = key.startswith("c:")
        for li, ri, name_score in _compare_block(local, remote, local_ids, remote_ids, cutoff):
            customer, party = local[li], remote[ri]
            if customer.vat and party.vat and customer.vat != party.vat:
                continue  # two different legal entities that happen to share a name
            score = name_score
            if city_only:
                score -= CITY_ONLY_PENALTY
            elif customer.city and party.city and fuzz.ratio(customer.city, party.city) < 85:
                score -= CITY_MISMATCH_PENALTY
            if score >= propose_at and score > scores[li].get(ri, -1):
                scores[li][ri] = score

    # Keep each customer's best candidates; flag ties and parties that are the best of several customers.
    kept: dict[int, list[tuple[int, int]]] = {}
    best_for: dict[int, int] = defaultdict(int)
    for li, found in scores.items():
        if not found:
            continue
        best = max(found.values())
        chosen = sorted(((ri, s) for ri, s in found.items() if s >= best - AMBIGUITY_MARGIN), key=lambda x: -x[1])
        kept[li] = chosen
        for ri, s in chosen:
            if s == best:
                best_for[ri] += 1
    out: list[Candidate] = []
    for li, chosen in kept.items():
        several = len(chosen) > 1
        for ri, s in chosen:
            ambiguous = several or best_for[ri] > 1
            out.append(Candidate(local[li].party.key, remote[ri].party.key, NAME, int(s), ambiguous))
    return out


def _compare_block(
    local: list[_Prepared], remote: list[_Prepared], local_ids: list[int], remote_ids: list[int], cutoff: int
) -> Iterable[tuple[int, int, int]]:
    """(customer index, remote index, name score >= cutoff) for the pairs of one block."""
    if len(local_ids) * len(remote_ids) <= MAX_BLOCK_PAIRS:
        yield from _compare_all(local, remote, local_ids, remote_ids, cutoff)
        return
    # A huge block (a capital's postcode, or data without postcodes): only compare names sharing a token,
    # ignoring tokens so common they say nothing ("transport").
    postings: dict[str, list[int]] = defaultdict(list)
    for ri in remote_ids:
        for token in set(remote[ri].name.split()):
            postings[token].append(ri)
    too_common = max(50, len(remote_ids) // 50)
    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for li in local_ids:
        wanted: set[int] = set()
        for token in set(local[li].name.split()):
            posting = postings.get(token, ())
            if len(posting) <= too_common:
                wanted.update(posting)
        if wanted:
            groups[tuple(sorted(wanted))].append(li)
    for remote_group, locals_in_group in groups.items():
        yield from _compare_all(local, remote, locals_in_group, list(remote_group), cutoff)


def _compare_all(
    local: list[_Prepared], remote: list[_Prepared], local_ids: list[int], remote_ids: list[int], cutoff: int
) -> Iterable[tuple[int, int, int]]:
    choices = [remote[i].name for i in remote_ids]
    for li in local_ids:
        for _name, score, position in process.extract(
            local[li].name, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=len(choices)
        ):
            yield li, remote_ids[position], round(score)
