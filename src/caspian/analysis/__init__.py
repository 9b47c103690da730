"""Trade and economics on a solved network: market outcomes, welfare, cost-benefit, tracing.

Every function takes a [`Network`][caspian.network.network.Network] and its
[`OptimizationResult`][caspian.optimize.results.OptimizationResult] and returns tidy pandas tables
whose units are in ``frame.attrs["units"]``. The package imports ``network`` and ``optimize`` only.
"""
