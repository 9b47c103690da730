"""Benchmarks of caspian-grid against PyPSA; run ``python -m bench.build_bench``.

They live apart from the tests and print ratios; nothing here asserts on wall-clock time.
"""
