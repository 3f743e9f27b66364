"""The choices the service offers (and with it the API and the CLI) match the engine's."""

from __future__ import annotations

from typing import get_args

from matcher.scoring.partners.weights import GEOGRAPHY_MODES, Geography
from matcher.services.partners import GEOGRAPHY_CHOICES


def test_the_service_offers_every_geography_mode_the_ranker_knows_and_no_other():
    assert GEOGRAPHY_CHOICES == GEOGRAPHY_MODES == get_args(Geography)
