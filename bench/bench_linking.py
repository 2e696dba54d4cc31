"""Linking at scale: 100,000 customers against 100,000 provider parties, generated in memory with known truth.

The figure that matters is the matching time after the fetch (goal: at most 10 s on a 2-core machine), so no
provider is involved: the parties are built here as the provider adapter would hand them over.

Mix of the customers (each has one true party unless stated):
  35 % same VAT number, typed differently (dots, spaces, lower case, no prefix);
  15 % no VAT number on one side, the enterprise number on the other (CBE identifier);
  40 % name only: typos, accents, legal-form noise (BV/NV/SRL/SARL/GmbH...), word order, same postcode;
  10 % no party at all (must stay unmatched).
Parties without a customer fill the rest, so blocks hold distractors with similar names.

Usage: .venv/bin/python bench/bench_linking.py [--customers N] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from haulbill.addressbook.linking import Party, match  # noqa: E402

FIRST = [
    "Janssens",
    "Peeters",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De",
    "Smet",
    "Dubois",
    "Lambert",
    "Dupont",
    "Martin",
    "Simon",
    "Laurent",
    "Leroy",
    "Lejeune",
    "Renard",
    "Collignon",
    "Vermeulen",
    "Van",
    "Damme",
    "De",
    "Backer",
    "Hermans",
    "Michiels",
    "Bogaert",
    "Desmet",
    "Van",
    "den",
    "Broeck",
    "Lemmens",
    "Schmitz",
    "Muller",
    "Weber",
    "Fischer",
    "Becker",
    "Hoffmann",
    "Moreau",
    "Girard",
    "Bonnet",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Mercier",
    "Blanc",
    "Guerin",
    "Faure",
    "Andre",
    "Fournier",
    "Van",
    "Dijk",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "De",
    "Boer",
    "Mulder",
    "De",
    "Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "De",
    "Wit",
    "Dijkstra",
    "Smits",
    "De",
    "Graaf",
    "Van",
    "der",
    "Meer",
    "Kok",
    "Jansen",
]
SECTOR = [
    "Transport",
    "Logistics",
    "Logistiek",
    "Trucking",
    "Freight",
    "Cargo",
    "Expeditie",
    "Distribution",
    "Koeriers",
    "Bouw",
    "Brouwerij",
    "Brasserie",
    "Boulangerie",
    "Bakkerij",
    "Staal",
    "Metaal",
    "Hout",
    "Beton",
    "Chemie",
    "Pharma",
    "Food",
    "Voeding",
    "Meubelen",
    "Textiel",
    "Papier",
    "Verpakking",
    "Recycling",
    "Agro",
    "Tuinbouw",
    "Zuivel",
    "Dranken",
    "Auto",
    "Garage",
    "Techniek",
    "Elektro",
    "Bureau",
    "Services",
    "Trading",
    "Import",
    "Export",
    "Group",
    "Holding",
    "Partners",
    "Industries",
    "Solutions",
    "Systems",
    "Materials",
]
PLACE = [
    "Antwerp",
    "Gent",
    "Brugge",
    "Leuven",
    "Mechelen",
    "Hasselt",
    "Liege",
    "Namur",
    "Charleroi",
    "Mons",
    "Kortrijk",
    "Aalst",
    "Genk",
    "Ostend",
    "Wavre",
    "Arlon",
    "Tournai",
    "Turnhout",
    "Lier",
    "Ninove",
    "Rhine",
    "Maas",
    "Schelde",
    "Kempen",
    "Ardennes",
    "Flanders",
    "Wallonia",
    "Europe",
    "Benelux",
    "Noord",
    "Zuid",
    "Oost",
    "West",
    "Centraal",
    "Atlas",
    "Delta",
    "Omega",
    "Alpha",
    "Nova",
    "Prima",
    "Euro",
    "Inter",
    "Trans",
    "Global",
    "Royal",
]
LEGAL = ["BV", "NV", "SRL", "SA", "SPRL", "SARL", "GmbH", "BVBA", "VOF", "Ltd", "B.V.", "N.V.", "S.A."]
ACCENTED = {"e": "é", "a": "à", "o": "ö", "u": "ü", "c": "ç", "i": "ï"}
CITIES = [(f"{pc}", f"City{pc}") for pc in range(1000, 10000, 9)]  # ~1000 postcodes


def vat_for(n: int) -> str:
    base = 20_000_000 + (n * 7919) % 79_999_999
    return f"BE0{base:08d}{97 - base % 97:02d}"[:12]


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.3:
        return word[:i] + word[i + 1 :]  # deletion
    if kind < 0.6:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # transposition
    if kind < 0.8:
        return word[:i] + rng.choice("aeioulnrst") + word[i + 1 :]  # substitution
    return word[:i] + ACCENTED.get(word[i].lower(), word[i]) + word[i + 1 :]


def noisy_name(rng: random.Random, name: str) -> str:
    words = name.split()
    if rng.random() < 0.6:
        j = rng.randrange(len(words))
        words[j] = typo(rng, words[j])
    if rng.random() < 0.2 and len(words) > 2:
        words[0], words[1] = words[1], words[0]
    out = " ".join(words)
    if rng.random() < 0.3:
        out = out.upper()
    if rng.random() < 0.7:
        out += " " + rng.choice(LEGAL)
    return out


def build(n: int, seed: int) -> tuple[list[Party], list[Party], dict[str, str | None]]:
    rng = random.Random(seed)
    used: set[str] = set()
    customers: list[Party] = []
    remotes: list[Party] = []
    truth: dict[str, str | None] = {}
    postcodes = [pc for pc, _c in CITIES]
    weights = [rng.paretovariate(1.5) for _ in postcodes]  # some postcodes are much busier than others

    def fresh_name() -> str:
        while True:
            name = f"{rng.choice(FIRST)} {rng.choice(SECTOR)} {rng.choice(PLACE)}"
            if rng.random() < 0.3:
                name = f"{rng.choice(SECTOR)} {rng.choice(FIRST)}"
            if name not in used:
                used.add(name)
                return name

    remote_id = 500_000
    for i in range(n):
        pc = rng.choices(postcodes, weights)[0]
        city = f"City{pc}"
        name = fresh_name()
        kind = rng.random()
        key = f"c{i}"
        vat = vat_for(i)
        remote_id += 1
        rid = str(remote_id)
        if kind < 0.35:
            shown = rng.choice([vat, vat.lower(), vat[2:], f"BE {vat[2:6]}.{vat[6:9]}.{vat[9:]}"])
            customers.append(Party(key, name, shown, "", pc, city, "BE"))
            remotes.append(Party(rid, noisy_name(rng, name), vat, "", pc, city, "BE"))
            truth[key] = rid
        elif kind < 0.50:
            customers.append(Party(key, name, "", vat[2:], pc, city, "BE"))
            remotes.append(Party(rid, noisy_name(rng, name), "", vat[2:], pc, city, "BE"))
            truth[key] = rid
        elif kind < 0.90:
            customers.append(Party(key, name, vat if rng.random() < 0.5 else "", "", pc, city, "BE"))
            remotes.append(Party(rid, noisy_name(rng, name), "", "", pc, city.upper(), "BE"))
            truth[key] = rid
        else:
            customers.append(Party(key, name, "", "", pc, city, "BE"))
            truth[key] = None
            # a distractor party elsewhere, so the party count stays n
            other = rng.choices(postcodes, weights)[0]
            remotes.append(Party(rid, noisy_name(rng, fresh_name()), "", "", other, f"City{other}", "BE"))
    rng.shuffle(remotes)
    return customers, remotes, truth


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    customers, remotes, truth = build(options.customers, options.seed)

    started = time.perf_counter()
    result = match(customers, remotes)
    elapsed = time.perf_counter() - started

    proposals: dict[str, list] = defaultdict(list)
    for candidate in result.proposals:
        proposals[candidate.customer].append(candidate)
    predicted: dict[str, str] = {c.customer: c.remote for c in result.links}
    for customer, found in proposals.items():
        best = max(found, key=lambda c: c.score)
        if not best.ambiguous:
            predicted[customer] = best.remote
    correct = sum(1 for c, r in predicted.items() if truth.get(c) == r)
    auto_correct = sum(1 for c in result.links if truth.get(c.customer) == c.remote)
    matchable = sum(1 for r in truth.values() if r is not None)
    reachable = {c for c in truth if c in predicted or c in proposals}
    found_any = sum(
        1
        for c in reachable
        if truth[c] is not None and (predicted.get(c) == truth[c] or any(p.remote == truth[c] for p in proposals[c]))
    )

    print(f"customers: {len(customers)} count")
    print(f"parties: {len(remotes)} count")
    print(f"matching_time: {elapsed:.2f} s")
    print(f"linked_at_once: {len(result.links)} count")
    print(f"auto_link_precision: {auto_correct / max(1, len(result.links)):.4f} ratio")
    print(f"proposals_for_review: {len(result.proposals)} count")
    print(f"precision: {correct / max(1, len(predicted)):.4f} ratio")
    print(f"recall: {correct / max(1, matchable):.4f} ratio")
    print(f"recall_including_ambiguous: {found_any / max(1, matchable):.4f} ratio")


if __name__ == "__main__":
    main()
