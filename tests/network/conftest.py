"""Fixtures of the network tests."""

from __future__ import annotations

import pytest

from caspian.network import Network
from tests.network.networks import full_network, tiny_network


@pytest.fixture
def full() -> Network:
    """A network that sets every supported attribute (see ``networks.full_network``)."""
    return full_network()


@pytest.fixture
def tiny() -> Network:
    """A three-bus network for error-message tests."""
    return tiny_network()
