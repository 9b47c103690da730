"""Scenario sweeps on Dask and the results catalogue."""
