"""Distributions of sampled sweep parameters and the unit design they are drawn from.

Each distribution maps unit coordinates $u \\in [0, 1)$ through its inverse CDF
(``ppf``), so a Latin-hypercube design stays stratified for every parameter, whatever its
distribution.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, ClassVar, Literal, get_args

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator
from scipy import stats
from scipy.stats import qmc

SampleMethod = Literal["lhs", "monte_carlo"]
"""Latin hypercube (``scipy.stats.qmc.LatinHypercube``) or independent uniform draws."""

_Finite = Annotated[float, Field(allow_inf_nan=False)]
_Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
_Weight = Annotated[float, Field(gt=0, le=1e12, allow_inf_nan=False)]


def dist_tag(model: Any) -> Any:
    """The ``dist`` tag of a distribution model, or None."""
    field = getattr(model, "model_fields", {}).get("dist")
    return get_args(field.annotation)[0] if field else None


class StrictModel(BaseModel):
    """A frozen pydantic model that refuses unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Uniform(StrictModel):
    """Uniform on ``[low, high)``: $x = low + u (high - low)$."""

    dist: Literal["uniform"]
    low: _Finite
    high: _Finite
    draws: ClassVar[type] = float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low}).")
        return self

    def ppf(self, u: NDArray[np.float64]) -> list[Any]:
        """Inverse CDF at the unit coordinates ``u``, as plain floats."""
        values = stats.uniform.ppf(u, loc=self.low, scale=self.high - self.low)
        return [float(x) for x in values]


class Triangular(StrictModel):
    """Triangular on ``[low, high]`` with its peak at ``mode`` (``scipy.stats.triang``)."""

    dist: Literal["triangular"]
    low: _Finite
    mode: _Finite
    high: _Finite
    draws: ClassVar[type] = float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"needs low <= mode <= high and low < high, got low {self.low}, "
                f"mode {self.mode}, high {self.high}."
            )
        return self

    def ppf(self, u: NDArray[np.float64]) -> list[Any]:
        """Inverse CDF at the unit coordinates ``u``, as plain floats."""
        scale = self.high - self.low
        values = stats.triang.ppf(u, (self.mode - self.low) / scale, loc=self.low, scale=scale)
        return [float(x) for x in values]


class Normal(StrictModel):
    """Normal with ``mean`` and standard deviation ``sd``, truncated to ``[low, high]`` when
    given (``scipy.stats.truncnorm``; the density is renormalised inside the bounds)."""

    dist: Literal["normal"]
    mean: _Finite
    sd: _Positive
    low: _Finite | None = None
    high: _Finite | None = None
    draws: ClassVar[type] = float

    @model_validator(mode="after")
    def _ordered(self) -> Normal:
        if self.low is not None and self.high is not None and not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low}).")
        return self

    def ppf(self, u: NDArray[np.float64]) -> list[Any]:
        """Inverse CDF at the unit coordinates ``u``, as plain floats inside the bounds."""
        low = -np.inf if self.low is None else self.low
        high = np.inf if self.high is None else self.high
        a, b = (low - self.mean) / self.sd, (high - self.mean) / self.sd
        values = stats.truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd)
        return [float(x) for x in np.clip(values, low, high)]  # clip: round-off at the bounds


class Integers(StrictModel):
    """Integers ``low, low + 1, ..., high`` (both included), equally likely:
    $x = low + \\lfloor u (high - low + 1) \\rfloor$."""

    dist: Literal["integers"]
    low: int
    high: int
    draws: ClassVar[type] = int

    @model_validator(mode="after")
    def _ordered(self) -> Integers:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must not be below low ({self.low}).")
        return self

    def ppf(self, u: NDArray[np.float64]) -> list[Any]:
        """Inverse CDF at the unit coordinates ``u``, as plain ints."""
        values = self.low + np.floor(u * (self.high - self.low + 1)).astype(np.int64)
        return [int(x) for x in np.minimum(values, self.high)]


class Choice(StrictModel):
    """One of ``values``, with probabilities proportional to ``weights`` (default: equal;
    each above 0 and at most 1e12, so that their sum stays exact enough).

    The inverse CDF picks value $k$ where $W_{k-1} \\le u < W_k$, with $W$ the
    cumulative normalised weights, so a Latin hypercube is stratified over the values too.
    """

    dist: Literal["choice"]
    values: list[JsonValue] = Field(min_length=1)
    weights: list[_Weight] | None = None
    draws: ClassVar[type] = object

    @model_validator(mode="after")
    def _matching(self) -> Choice:
        if self.weights is not None and len(self.weights) != len(self.values):
            raise ValueError(
                f"has {len(self.values)} values but {len(self.weights)} weights; give one "
                "weight per value, or none for equal weights."
            )
        return self

    def ppf(self, u: NDArray[np.float64]) -> list[Any]:
        """The value whose cumulative-weight interval holds each unit coordinate in ``u``."""
        weights = np.ones(len(self.values)) if self.weights is None else np.array(self.weights)
        cumulative = np.cumsum(weights) / weights.sum()
        index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(self.values) - 1)
        return [copy.deepcopy(self.values[i]) for i in index]


_DISTRIBUTIONS = (Uniform, Triangular, Normal, Integers, Choice)
DISTRIBUTION_NAMES: tuple[str, ...] = tuple(dist_tag(d) for d in _DISTRIBUTIONS)

Distribution = Annotated[
    Uniform | Triangular | Normal | Integers | Choice, Field(discriminator="dist")
]
"""One sampled parameter's distribution, chosen by its ``dist`` key."""


def unit_design(n: int, d: int, method: SampleMethod, seed: int) -> NDArray[np.float64]:
    """``n`` x ``d`` points in $[0, 1)^d$, from ``numpy.random.default_rng(seed)``.

    ``lhs`` (``scipy.stats.qmc.LatinHypercube``): column $j$ is
    $u_{ij} = (\\pi_j(i) + \\xi_{ij}) / n$ with $\\pi_j$ a random permutation of
    $0..n-1$ and $\\xi_{ij} \\sim U[0, 1)$, so each of the $n$ equal strata of
    every column holds exactly one point. ``monte_carlo``: independent $U[0, 1)$ draws.
    """
    rng = np.random.default_rng(seed)
    if method == "lhs":
        return np.asarray(qmc.LatinHypercube(d=d, rng=rng).random(n), dtype=np.float64)
    return rng.random((n, d))
