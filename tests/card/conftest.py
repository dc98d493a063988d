"""Card tests: the SoftHSM2 development cards, the card agent running against them, and
(certificates from a CA made in the test: the ``pki`` fixture of tests/conftest.py).
Every test here is marked ``card``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ..support.cards import Agent, DevCards, running_agent
from ..support.hub import LiveHub, start_live_hub

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.card)


@pytest.fixture
def card_hub(settings_for, dev_cards: DevCards) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    """A live hub that trusts the development cards, without a captcha."""
    yield from start_live_hub(settings_for, captcha=False, **dev_cards.hub_settings())


@pytest.fixture
def agent(card_hub: LiveHub, dev_cards: DevCards) -> Iterator[Agent]:
    with running_agent(dev_cards, card_hub.url) as running:
        yield running
