"""Benchmarks of caspian-grid against PyPSA: ``python -m bench.corridor_bench`` (the corridor
study, the real job) and ``python -m bench.build_bench`` (the synthetic ladder).

They live apart from the tests and print ratios; nothing here asserts on wall-clock time.
"""
