"""The audit's tolerance, shared by the audit (:mod:`caspian.optimize.audit`) and by the
clean-up that anticipates it (:mod:`caspian.optimize.cleanup`)."""

from __future__ import annotations

RELATIVE_TOLERANCE = 1e-5
"""Violations are measured against ``RELATIVE_TOLERANCE * (1 + magnitude of the terms)``."""
