"""Fixtures of the network tests."""

from __future__ import annotations

import logging

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


@pytest.fixture
def quiet_pypsa() -> None:
    """PyPSA as the interoperability tests use it: text as object columns, only errors logged.

    Used through ``pypsa_files.PYPSA_MARKS``; PyPSA is imported here, not at collection.
    """
    import pypsa

    pypsa.options.api.legacy_string_dtype = True
    logging.getLogger("pypsa").setLevel(logging.ERROR)
