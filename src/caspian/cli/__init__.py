"""The ``caspian`` command line: one module per command group, errors mapped in ``main``."""
