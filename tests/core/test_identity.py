"""Personnummer and samordningsnummer: format, real date, checksum, century, display.

Known valid numbers used here:
- 811228-9874, a long-published test personnummer (born 1981-12-28).
- 701063-2391, a samordningsnummer checked by hand: born 1970-10-03, so the day is 03 + 60 = 63.
  Luhn over 7010632391, weights 2,1,2,1,…: 7·2=14→5, 0, 1·2=2, 0, 6·2=12→3, 3, 2·2=4, 3, 9·2=18→9;
  5+0+2+0+3+3+4+3+9 = 29, so the check digit is (10 − 9) = 1. ✓
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from sehoglandet.identity import format_identity_number, parse_identity_number
from sehoglandet.models import Person
from tests.factories import make_person, valid_personnummer

TODAY = date(2026, 6, 15)


def parse(value: str, today: date = TODAY):
    return parse_identity_number(value, today=today)


def refusal(value: str, today: date = TODAY) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse(value, today)
    return caught.value


@pytest.mark.parametrize("value", ["811228-9874", "8112289874", "19811228-9874", "198112289874", " 811228 - 9874 "])
def test_a_personnummer_is_accepted_with_10_or_12_digits_and_with_or_without_the_dash(value):
    number = parse(value)

    assert number.digits == "198112289874"
    assert number.birth_date == date(1981, 12, 28)
    assert number.is_coordination_number is False
    assert number.display == "19811228-9874"


def test_a_plus_marks_someone_aged_a_hundred_or_more():
    number = parse("811228+9874")

    assert number.birth_date == date(1881, 12, 28)
    assert number.digits == "188112289874"


def test_ten_digits_take_the_latest_century_that_puts_the_birth_in_the_past():
    born_2001 = valid_personnummer(date(2001, 3, 4), 123)
    born_1999 = valid_personnummer(date(1999, 3, 4), 123)

    assert parse(born_2001[2:].replace("-", "")).birth_date == date(2001, 3, 4)
    assert parse(born_1999[2:]).birth_date == date(1999, 3, 4)


@pytest.mark.parametrize("value", ["701063-2391", "7010632391", "19701063-2391", "197010632391"])
def test_a_samordningsnummer_has_sixty_added_to_the_day(value):
    number = parse(value)

    assert number.is_coordination_number is True
    assert number.birth_date == date(1970, 10, 3)
    assert number.digits == "197010632391"
    assert number.display == "19701063-2391"


def test_a_wrong_check_digit_is_refused_with_a_clear_swedish_message():
    error = refusal("19900101-1234")

    assert error.code == "checksum"
    with translation.override("sv"):
        assert error.messages == ["Kontrollsiffran stämmer inte: kontrollera numret, det kan vara felskrivet."]


@pytest.mark.parametrize(
    "value",
    [
        "19900230-1234",  # 30 February
        "19901301-1234",  # month 13
        "19900100-1234",  # day 0
        "19900160-1234",  # day 60: neither a date nor a samordningsnummer
        "19900291-1234",  # samordningsnummer for 31 February
        "19000229-1234",  # 1900 was no leap year
    ],
)
def test_a_number_that_does_not_start_with_a_real_date_is_refused(value):
    assert refusal(value).code == "date"


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = TODAY + timedelta(days=1)
    number = f"{tomorrow:%Y%m%d}-0000"

    assert refusal(number).code == "date"
    assert refusal(number[2:]).code == "date"


def test_a_birth_on_the_day_itself_is_accepted():
    number = valid_personnummer(date(2020, 6, 15), 7)

    assert parse(number, today=date(2020, 6, 15)).birth_date == date(2020, 6, 15)


@pytest.mark.parametrize("value", ["", "abc", "12345", "811228-98745", "81122-89874", "811228--9874", "811228_9874"])
def test_anything_but_10_or_12_digits_is_refused_as_a_format_error(value):
    error = refusal(value)

    assert error.code == "format"
    with translation.override("sv"):
        assert "ÅÅÅÅMMDD-NNNN" in error.messages[0]


@pytest.mark.parametrize("value", ["８１１２２８-９８７４", "٨١١٢٢٨-٩٨٧٤"])
def test_digits_of_other_scripts_are_refused(value):
    with pytest.raises(ValidationError):
        parse(value)


@pytest.mark.parametrize("serial", [1, 58, 123, 480, 999])
@pytest.mark.parametrize("birth", [date(1931, 1, 1), date(1964, 2, 29), date(1988, 7, 31), date(2004, 12, 31)])
def test_every_generated_number_reads_back_the_same_with_10_and_12_digits(birth, serial):
    twelve = valid_personnummer(birth, serial)
    ten = twelve[2:]

    assert parse(twelve).birth_date == parse(ten).birth_date == birth
    assert parse(twelve).digits == parse(ten).digits == twelve.replace("-", "")


def test_a_number_is_shown_as_yyyymmdd_nnnn():
    assert format_identity_number("198112289874") == "19811228-9874"


def test_a_person_is_stored_with_12_digits_and_shown_with_the_dash(people):
    person = make_person(people["coach.nassjo"], birth=date(1981, 12, 28))

    assert len(person.identity_number) == 12
    assert person.identity_number.isdigit()
    assert person.identity_display == f"{person.identity_number[:8]}-{person.identity_number[8:]}"
    assert person.identity_kind == Person.IdentityKind.PERSONNUMMER
