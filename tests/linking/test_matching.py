"""The pure matching rules (no database, no provider)."""

from haulbill.addressbook.linking import Party, match, normalise_name


def test_it_ignores_case_accents_punctuation_and_legal_forms_in_names():
    assert normalise_name("N.V. Brasserie Wallonne") == normalise_name("brasserie wallonne sa")
    assert normalise_name("Müller Spedition GmbH") == normalise_name("MULLER SPEDITION")
    assert normalise_name("Kroon & Zonen B.V.") == normalise_name("Zonen Kroon BVBA")
    assert normalise_name("Transports Lyonnais SARL") == "lyonnais transports"


def test_it_links_the_same_vat_number_typed_differently():
    result = match([Party("1", "Alpha", "be 0477.472.701")], [Party("r1", "Alpha NV", "BE0477472701")])
    assert [(c.customer, c.remote, c.method, c.score) for c in result.links] == [("1", "r1", "vat", 100)]


def test_it_links_an_old_nine_digit_belgian_number_without_prefix():
    result = match([Party("1", "Alpha", "477472701", country="BE")], [Party("r1", "Alpha", "BE0477472701")])
    assert len(result.links) == 1


def test_it_links_by_enterprise_number_from_a_belgian_vat_number():
    result = match([Party("1", "Alpha", enterprise_number="0477.472.701")], [Party("r1", "Other name", "BE0477472701")])
    assert [(c.remote, c.method) for c in result.links] == [("r1", "enterprise")]


def test_it_proposes_a_name_with_a_typo_in_the_same_postcode():
    result = match(
        [Party("1", "Transports Lyonais", postcode="69002", city="Lyon")],
        [Party("r1", "TRANSPORTS LYONNAIS SARL", postcode="69002", city="LYON")],
    )
    assert not result.links
    [proposal] = result.proposals
    assert proposal.method == "name" and 80 <= proposal.score < 100 and not proposal.ambiguous


def test_it_does_not_compare_names_across_postcodes():
    result = match(
        [Party("1", "Kroon Logistics", postcode="9000", city="Gent")],
        [Party("r1", "Kroon Logistics", postcode="2000", city="Antwerpen")],
    )
    assert not result.proposals and result.unmatched == ["1"]


def test_it_marks_two_equally_good_names_as_ambiguous():
    result = match(
        [Party("1", "Kroon Logistics", postcode="9000", city="Gent")],
        [
            Party("r1", "Kroon Logistics BV", postcode="9000", city="Gent"),
            Party("r2", "Kroon Logistics NV", postcode="9000", city="Gent"),
        ],
    )
    assert sorted(p.remote for p in result.proposals) == ["r1", "r2"]
    assert all(p.ambiguous for p in result.proposals)


def test_it_sends_a_vat_number_shared_by_two_customers_to_review():
    result = match(
        [Party("1", "A", "BE0477472701"), Party("2", "B", "BE0477472701")], [Party("r1", "A", "BE0477472701")]
    )
    assert not result.links
    assert {(p.customer, p.ambiguous) for p in result.proposals} == {("1", True), ("2", True)}


def test_it_never_proposes_a_name_match_whose_vat_number_differs():
    result = match(
        [Party("1", "Kroon Logistics", "BE0477472701", postcode="9000", city="Gent")],
        [Party("r1", "Kroon Logistics", "BE0403019261", postcode="9000", city="Gent")],
    )
    assert not result.proposals


def test_it_lowers_the_score_when_the_cities_disagree():
    same = match(
        [Party("1", "Kroon Logistics", postcode="9000", city="Gent")],
        [Party("r1", "Kroon Logistics", postcode="9000", city="Gent")],
    ).proposals[0]
    other = match(
        [Party("1", "Kroon Logistics", postcode="9000", city="Gent")],
        [Party("r1", "Kroon Logistics", postcode="9000", city="Brussel")],
    ).proposals[0]
    assert same.score == 100 and other.score == 90


def test_it_splits_a_huge_block_by_shared_name_tokens_and_still_finds_the_match(monkeypatch):
    from haulbill.addressbook import linking

    monkeypatch.setattr(linking, "MAX_BLOCK_PAIRS", 10)
    remotes = [Party(f"r{i}", f"Company {i} Logistics", postcode="1000") for i in range(50)]
    remotes.append(Party("target", "Brouwerij Kroon", postcode="1000"))
    result = match([Party("1", "Brouwerij Kroonn", postcode="1000")], remotes)
    assert [p.remote for p in result.proposals] == ["target"]
