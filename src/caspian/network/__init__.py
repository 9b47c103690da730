"""The network data model: components, their schema, validation and file formats."""

from __future__ import annotations

from caspian.network.custom import CustomColumnWarning
from caspian.network.io import read_network, write_network
from caspian.network.network import Network
from caspian.network.validate import validate

__all__ = ["CustomColumnWarning", "Network", "read_network", "validate", "write_network"]
