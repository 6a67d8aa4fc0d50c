"""ID-card numbers: the GB 11643 check digit, the message, masking."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from staffing.idcards import check_character, make_id_number, mask_id_number, validate_id_number
from staffing.models import Person


def test_check_character_of_the_standard_example():
    # The worked example of GB 11643-1999.
    assert check_character("11010519491231002") == "X"
    validate_id_number("11010519491231002X")
    validate_id_number("11010519491231002x")  # a lower-case x is accepted


@pytest.mark.parametrize(
    "number",
    ["110105194912310021", "11010519491231002", "1101051949123100XX", "110105194913310028"],
)
def test_bad_numbers_are_refused(number):
    with pytest.raises(ValidationError):
        validate_id_number(number)


def test_wrong_check_digit_message_is_chinese():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        validate_id_number("110105194912310021")
    assert "校验码" in caught.value.messages[0]


def test_make_and_mask():
    number = make_id_number("320105", datetime.date(1970, 5, 4), 123)
    validate_id_number(number)
    assert mask_id_number(number) == "320105********" + number[-4:]
    assert mask_id_number(None) == ""


@pytest.mark.django_db
def test_person_with_wrong_check_digit_is_not_saved(demo):
    good = make_id_number("320105", datetime.date(1970, 5, 4), 123)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    person = Person(name="李四", street=demo["streets"]["南湖"], id_number=bad)
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert "id_number" in caught.value.message_dict


@pytest.mark.django_db
def test_birth_date_and_gender_must_match_the_number(demo):
    number = make_id_number("320105", datetime.date(1970, 5, 4), 123)  # odd: a man
    person = Person(
        name="李四",
        street=demo["streets"]["南湖"],
        id_number=number,
        birth_date=datetime.date(1971, 5, 4),
        gender="f",
    )
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert set(caught.value.message_dict) == {"birth_date", "gender"}


def test_check_character_fast_sum_equals_the_digit_by_digit_sum():
    import random

    from staffing.idcards import CHECK_CHARACTERS, WEIGHTS, check_character

    rng = random.Random(17)
    for _ in range(2000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
        assert check_character(first17) == CHECK_CHARACTERS[total % 11]
    # Full-width digits (not ASCII) take the digit-by-digit way, with the same answer.
    assert check_character("３２０１０５１９７００１０１００１") == check_character(
        "32010519700101001"
    )
    with pytest.raises(ValueError):
        check_character("3201051970010100")  # 16 digits
