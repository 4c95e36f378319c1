"""The register's rules, without a database: one customer per casefolded name under
its most used spelling, near misses, policies, priorities, emails, and what check finds."""

from __future__ import annotations

import pytest

from backorder_cli.domain.customers import (
    Policy,
    Spelling,
    customer_violations,
    near_miss,
    order_customer_violations,
    parse_email,
    parse_order_policy,
    parse_policy,
    parse_priority,
    register_from_spellings,
)
from backorder_cli.errors import InvalidInput


def test_the_most_used_spelling_wins_and_a_tie_goes_to_the_earliest_order() -> None:
    register = register_from_spellings(
        [
            Spelling("Hansen & Søn VVS", 1, 10),
            Spelling("hansen & søn vvs", 2, 12),
            Spelling("BYG-HUSET", 1, 9),
            Spelling("Byg-Huset", 1, 4),
            Spelling("Großhandel Straße", 1, 7),
            Spelling("GROSSHANDEL STRASSE", 3, 8),
        ]
    )
    assert register == {
        "hansen & søn vvs": "hansen & søn vvs",
        "byg-huset": "Byg-Huset",
        "grosshandel strasse": "GROSSHANDEL STRASSE",
    }


KNOWN = ["Hansen & Søn VVS", "Customer 0001 ApS", "Elektro Nord"]


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("Hansen & Son VVS", "Hansen & Søn VVS"),  # accents
        ("Hansen &  Søn, VVS", "Hansen & Søn VVS"),  # spacing, punctuation
        ("Hanssen & Søn VVS", "Hansen & Søn VVS"),  # one letter more
        ("Hasnen & Søn VVS", "Hansen & Søn VVS"),  # two letters swapped
        ("Elektro Nordd", "Elektro Nord"),
        ("hansen & søn vvs", None),  # the same customer: found, not a near miss
        ("Customer 0002 ApS", None),  # digits differ: another customer
        ("Elektro Syd", None),
        ("Hansen og Søn VVS", None),  # two letters apart
    ],
)
def test_a_near_miss_names_the_customer_meant(name: str, meant: str | None) -> None:
    assert near_miss(name, KNOWN) == meant


def test_policies_are_read_as_people_type_them() -> None:
    assert parse_policy("cancel_rest") is Policy.CANCEL_REST
    assert parse_policy(" Ship Complete ") is Policy.SHIP_COMPLETE
    assert parse_order_policy("Customer") == ""
    with pytest.raises(InvalidInput, match="did you mean backorder"):
        parse_policy("backordr")


def test_priorities_and_emails_are_checked() -> None:
    assert parse_priority("-3") == -3
    assert parse_priority("+7") == 7
    for bad in ("1.5", "high", "10000000"):
        with pytest.raises(InvalidInput, match="priority must be"):
            parse_priority(bad)
    assert parse_email(" indkob@hansen-vvs.dk ") == "indkob@hansen-vvs.dk"
    assert parse_email("") == ""
    for bad in ("indkob", "a@b", "a b@c.dk", "Ann <a@b.dk>"):
        with pytest.raises(InvalidInput, match="not an email address"):
            parse_email(bad)


def test_check_finds_a_wrong_key_policy_and_an_orders_stale_copy() -> None:
    assert list(customer_violations("Hansen", "hansen", "manual", 0)) == []
    assert list(customer_violations("Hansen", "HANSEN", "later", 0)) == [
        "is filed under 'HANSEN', not its name's case fold 'hansen'",
        "has policy 'later', which is none of manual, backorder, cancel-rest, ship-complete",
    ]
    assert list(order_customer_violations("Hansen", None, 2, ("Hansen", 2))) == []
    assert list(order_customer_violations("hansen", "bogus", 0, ("Hansen", 2))) == [
        "carries customer name 'hansen', but its customer is registered as 'Hansen'",
        "has priority 0, but its customer 'Hansen' has priority 2",
        "has policy 'bogus', which is none of manual, backorder, cancel-rest, ship-complete",
    ]
    assert list(order_customer_violations("X", None, 0, None)) == [
        "names a customer that is not in the register"
    ]
