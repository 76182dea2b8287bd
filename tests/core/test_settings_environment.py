"""Numbers read from the environment: a clear message for a value that is not one."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from sehoglandet.settings import env_float


def test_a_decimal_is_read_and_a_missing_or_empty_value_gives_the_default(monkeypatch):
    monkeypatch.setenv("SEHOGLANDET_TEST_COST", "4")
    assert env_float("SEHOGLANDET_TEST_COST", 1.1) == 4.0
    monkeypatch.setenv("SEHOGLANDET_TEST_COST", " ")
    assert env_float("SEHOGLANDET_TEST_COST", 1.1) == 1.1
    monkeypatch.delenv("SEHOGLANDET_TEST_COST")
    assert env_float("SEHOGLANDET_TEST_COST", 1.1) == 1.1


@pytest.mark.parametrize("value", ["fast", "0", "-2", "nan", "1,1"])
def test_a_value_that_is_not_a_positive_number_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv("SEHOGLANDET_TEST_COST", value)

    with pytest.raises(ImproperlyConfigured, match=r"SEHOGLANDET_TEST_COST must be a positive number such as 1\.1"):
        env_float("SEHOGLANDET_TEST_COST", 1.1)
