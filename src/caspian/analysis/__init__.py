"""Trade and economics on a solved network: market outcomes, welfare, cost-benefit, tracing.

Every function takes a :class:`~caspian.network.network.Network` and its
:class:`~caspian.optimize.results.OptimizationResult` and returns tidy pandas tables whose units
are in ``frame.attrs["units"]``. The package imports ``network`` and ``optimize`` only.
"""
