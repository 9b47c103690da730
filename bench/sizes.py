"""Benchmark sizes (buses x hours) and the default ladder."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Size:
    """A synthetic network size: ``n_buses`` buses over ``n_hours`` hourly snapshots."""

    n_buses: int
    n_hours: int

    @property
    def label(self) -> str:
        """The size as written on the command line, e.g. ``"10x168"``."""
        return f"{self.n_buses}x{self.n_hours}"

    @classmethod
    def parse(cls, text: str) -> Size:
        """Read ``"BUSESxHOURS"`` (e.g. ``"10x168"``)."""
        try:
            buses, hours = (int(part) for part in text.strip().lower().split("x"))
        except ValueError:
            raise ValueError(f"size {text!r} is not BUSESxHOURS, e.g. 10x168.") from None
        if buses < 1 or hours < 1:
            raise ValueError(f"size {text!r} needs at least one bus and one hour.")
        return cls(buses, hours)


LADDER: tuple[Size, ...] = (
    Size(10, 168),
    Size(20, 336),
    Size(30, 730),
    Size(50, 2190),
    Size(100, 8760),
)
"""The default ladder, from a week of 10 buses to a year of 100 buses (6.7M variables)."""

QUICK: tuple[Size, ...] = LADDER[:2]


def parse_sizes(text: str) -> tuple[Size, ...]:
    """Read a comma-separated list of sizes, e.g. ``"10x168,20x336"``, in the order given."""
    return tuple(Size.parse(part) for part in text.split(",") if part.strip())
