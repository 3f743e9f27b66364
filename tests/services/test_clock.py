from datetime import date

import pytest

from matcher.services.clock import today


def test_configured_date_wins():
    assert today("2026-09-01") == date(2026, 9, 1)


def test_default_is_the_real_date():
    assert today(None) == date.today()


def test_bad_configured_date_is_an_error():
    with pytest.raises(ValueError):
        today("01/09/2026")
