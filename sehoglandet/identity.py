"""Swedish personal identity numbers: personnummer and samordningsnummer.

Accepted input: 10 or 12 digits, with or without "-" or "+" before the last four ("+" marks a
10-digit number of someone aged 100 or more). Stored as 12 digits, shown as ÅÅÅÅMMDD-NNNN.
python-stdnum checks personnummer; samordningsnummer (day of birth + 60) get the same checks here
with the day brought back first.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import luhn

_PATTERN = re.compile(r"^(\d{2})?(\d{6})([-+]?)(\d{4})$", re.ASCII)


@dataclass(frozen=True)
class IdentityNumber:
    digits: str  # 12 digits: YYYYMMDDNNNN
    is_coordination_number: bool
    birth_date: date

    @property
    def display(self) -> str:
        return format_identity_number(self.digits)


def format_identity_number(digits: str) -> str:
    """ÅÅÅÅMMDD-NNNN from the 12 stored digits."""
    return f"{digits[:8]}-{digits[8:]}" if len(digits) == 12 else digits


def parse_identity_number(value: str, *, today: date | None = None) -> IdentityNumber:
    """Check a personnummer or samordningsnummer and return it normalised, or raise ValidationError."""
    today = today or timezone.localdate()
    compact = re.sub(r"\s", "", value or "")
    match = _PATTERN.match(compact)
    if not match:
        raise ValidationError(_("Write the number as ÅÅÅÅMMDD-NNNN or ÅÅMMDD-NNNN (10 or 12 digits)."), code="format")
    century, six, separator, last_four = match.groups()
    year2, month, day = int(six[:2]), int(six[2:4]), int(six[4:6])
    is_coordination = day > 60
    real_day = day - 60 if is_coordination else day

    if century is not None:
        year = int(century) * 100 + year2
    else:
        # The latest century that puts the birth date in the past; "+" adds a hundred years.
        year = today.year - today.year % 100 + year2
        if year > today.year:
            year -= 100
        if separator == "+":
            year -= 100
    try:
        birth_date = date(year, month, real_day)
    except ValueError:
        raise ValidationError(_("The number does not start with a real date of birth."), code="date") from None
    if birth_date > today:
        raise ValidationError(_("The date of birth lies in the future."), code="date")
    if not luhn.is_valid(six + last_four):
        raise ValidationError(_("The last digit does not match: check the number for a typing error."), code="checksum")
    return IdentityNumber(
        digits=f"{birth_date.year:04d}{six[2:]}{last_four}",
        is_coordination_number=is_coordination,
        birth_date=birth_date,
    )


def with_check_digit(birth: date, serial: int) -> str:
    """A personnummer ÅÅÅÅMMDD-NNNN for `birth` and a three-digit `serial`, with its check digit.

    For demo and test data only: numbers made this way are fictional.
    """
    body = f"{birth:%y%m%d}{serial % 1000:03d}"
    return f"{birth:%Y%m%d}-{body[6:]}{luhn.calc_check_digit(body)}"
