"""Canonical forms of what callers say: phone numbers, customer numbers, names, emails, ids."""

import pytest

from parley.errors import InvalidInput
from parley.parties.normalize import (
    email_key,
    email_normalized,
    identifier_key,
    is_customer_number,
    luhn_check_digit,
    parse_phone,
    phone_candidates,
    phone_e164,
    search_text,
)

# -- phone numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("0171 2345678", "DE", "+491712345678"),
        ("+49 171 2345678", "DE", "+491712345678"),
        ("0049 171 2345678", "DE", "+491712345678"),
        ("+49 (0)171 2345678", "DE", "+491712345678"),
        ("0171/234 56 78", "DE", "+491712345678"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("415.555.2671", "US", "+14155552671"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("044 668 18 00", "CH", "+41446681800"),
        ("0664 1234567", "AT", "+436641234567"),
    ],
)
def test_phone_numbers_are_read_in_the_region_they_are_written_in(raw, region, e164):
    assert parse_phone(raw, region) == e164
    assert phone_e164(raw, region, "phoneNumber") == e164


def test_an_international_number_is_read_the_same_whatever_the_default_region():
    for region in ("DE", "GB", "US", "FR"):
        assert parse_phone("+1 415 555 2671", region) == "+14155552671"


def test_the_same_national_digits_mean_different_numbers_in_different_regions():
    assert parse_phone("030 1234567", "DE") == "+49301234567"
    assert parse_phone("030 1234567", "DE") != parse_phone("030 1234567", "AT")


def test_digits_without_a_plus_are_also_read_as_an_international_number():
    candidates = phone_candidates("491712345678", "DE")
    assert "+491712345678" in candidates
    assert len(candidates) == len(set(candidates))


@pytest.mark.parametrize("raw", ["", "   ", "12345", "abc", "+49 171", "1" * 41])
def test_what_is_not_a_phone_number_has_no_reading(raw):
    assert phone_candidates(raw, "DE") == []
    assert parse_phone(raw, "DE") is None


def test_an_invalid_phone_number_is_refused_naming_its_field():
    with pytest.raises(InvalidInput) as raised:
        phone_e164("12345", "DE", "contactMedium[0].phoneNumber")
    assert raised.value.field == "contactMedium[0].phoneNumber"
    assert raised.value.message.startswith("contactMedium[0].phoneNumber:")
    assert "12345" in raised.value.message


# -- customer numbers (Luhn) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "check"),
    [("7992739871", "3"), ("123456789", "7"), ("000000000", "0"), ("100000000", "8")],
)
def test_luhn_check_digit_matches_the_standard_algorithm(body, check):
    assert luhn_check_digit(body) == check


def test_every_single_digit_error_changes_the_luhn_check_digit():
    body = "491827365"
    check = luhn_check_digit(body)
    for position in range(len(body)):
        for digit in "0123456789":
            if digit != body[position]:
                misheard = body[:position] + digit + body[position + 1 :]
                assert luhn_check_digit(misheard) != check


@pytest.mark.parametrize(
    "written", ["1234567897", "123 456 789 7", "123-456-7897", " 1234-567 897 "]
)
def test_a_customer_number_is_recognised_however_it_is_grouped(written):
    assert is_customer_number(written) == "1234567897"


@pytest.mark.parametrize(
    "written",
    ["1234567890", "123456789", "12345678970", "12345678a7", "", "+491234567897", "12.345.678.97"],
)
def test_what_is_not_a_customer_number_is_not_one(written):
    assert is_customer_number(written) is None


# -- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Müller", "muller"),
        ("MÜLLER", "muller"),
        ("Müller-Lüdenscheidt", "muller ludenscheidt"),
        ("Straße", "strasse"),
        ("ZOË  Ñandú", "zoe nandu"),
        ("  François\tD'Aubigné \n", "francois d aubigne"),
        ("Łukasz Wałęsa", "lukasz walesa"),
        ("Søren Kierkegård", "soren kierkegard"),
    ],
)
def test_search_text_folds_case_accents_punctuation_and_spacing(raw, folded):
    assert search_text(raw) == folded


def test_search_text_joins_its_parts_and_skips_missing_ones():
    assert search_text("Jonas Müller", None, "München") == "jonas muller munchen"
    assert search_text(None, "") == ""


def test_accented_and_plain_spellings_fold_to_the_same_text():
    assert search_text("Müller") == search_text("Muller") == search_text("MULLER")
    assert search_text("José García") == search_text("jose garcia")


# -- emails and identifiers --------------------------------------------------------------


def test_email_normalisation_keeps_the_local_part_and_lowercases_the_domain():
    assert email_normalized(" Anna.Schmidt@Example.ORG ", "emailAddress") == (
        "Anna.Schmidt@example.org"
    )


def test_email_key_is_case_insensitive():
    assert email_key(" Anna.Schmidt@Example.ORG ") == email_key("anna.schmidt@example.org")


@pytest.mark.parametrize("raw", ["not-an-email", "anna@", "@example.org", "anna@@example.org", ""])
def test_an_invalid_email_is_refused_naming_its_field(raw):
    field = "contactMedium[1].emailAddress"
    with pytest.raises(InvalidInput) as raised:
        email_normalized(raw, field)
    assert raised.value.field == field
    assert raised.value.message.startswith(f"{field}: ")
    assert "not a valid email address" in raised.value.message


def test_identifier_key_drops_separators_and_uppercases():
    assert identifier_key(" t22-000 129/4.5 ") == "T2200012945"
    assert identifier_key("T22000129") == identifier_key("t22 000 129")
