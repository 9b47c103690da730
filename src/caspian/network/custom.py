"""Custom columns: kept and ignored as PyPSA does, unless they look like a misspelt attribute.

PyPSA keeps the columns of a component it does not know (``length_m`` on a line, ``country``
on a generator, a user's tags) and so does caspian-grid: a *custom* column is read, kept on
the static table (or as a time series), written back when the network is written in a PyPSA
format, and not used by the optimiser. Reading a PyPSA file that has custom columns emits
one :class:`CustomColumnWarning` listing them.

A custom column that looks like a misspelling of an attribute that changes the optimisation
is refused instead, with a "did you mean", since ignoring ``p_nom_extendible`` or
``marginal_costs`` would give a wrong answer. The rule, by :func:`misspelt_attribute`: with
``c`` the column name in lower case with ``-`` and spaces read as ``_``, the column misspells
the attribute ``a`` (a schema or refused attribute of the component) if

1. ``c == a`` or difflib's similarity ratio of ``c`` and ``a`` is at least 0.85, and
2. ``c`` is not ``a`` with whole words added: the ``_``-separated words of ``a`` are not a
   contiguous run of the words of ``c``. A column named by an attribute plus a word before
   or after it (``length_m``, ``length_km``, ``bus_name``, ``p_nom_max_2030``) has a
   meaning of its own and is kept; ``marginal_costs`` (a letter added inside a word) is not.

Known PyPSA attributes are never custom: results are dropped on import, refused attributes
are refused when set, and passthrough attributes are kept without a notice.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from caspian.network.network import Network
from caspian.network.pypsa_attrs import EXTRA_PORT, EXTRA_SERIES
from caspian.network.schema import COMPONENTS, ComponentSchema

SIMILARITY_CUTOFF = 0.85
"""difflib ratio from which a column counts as a misspelling (``length_m`` vs ``length`` is
0.857, ``p_nom_extendible`` vs ``p_nom_extendable`` 0.94, ``country`` vs ``carrier`` 0.29)."""


class CustomColumnWarning(UserWarning):
    """A network read from a PyPSA file has custom columns, kept but not used.

    Silence it with ``warnings.filterwarnings("ignore", category=CustomColumnWarning)``.
    """


def misspelt_attribute(column: str, options: Iterable[str]) -> str | None:
    """The attribute among ``options`` that ``column`` misspells, or None (see module doc)."""
    name = column.strip().lower().replace("-", "_").replace(" ", "_")
    words = name.split("_")
    matches = difflib.get_close_matches(name, list(options), n=3, cutoff=SIMILARITY_CUTOFF)
    for attr in matches:
        if not _adds_words(words, attr.split("_")):
            return attr
    return None


def _adds_words(words: list[str], attr_words: list[str]) -> bool:
    """True if ``words`` are ``attr_words`` with whole words before or after them."""
    size = len(attr_words)
    return len(words) > size and any(
        words[i : i + size] == attr_words for i in range(len(words) - size + 1)
    )


def refusable(schema: ComponentSchema, per_snapshot: bool) -> tuple[str, ...]:
    """The attributes a custom column of ``schema`` may misspell: those that change the LP."""
    if per_snapshot:
        refused = [a for a in schema.refused if a in EXTRA_SERIES[schema.name]]
        return (*schema.varying_names, *refused)
    return (*schema.attribute_names, *schema.refused)


def is_custom(schema: ComponentSchema, column: str, per_snapshot: bool = False) -> bool:
    """True if ``column`` is no attribute PyPSA or caspian-grid knows for ``schema``."""
    known = {*schema.attribute_names, *schema.refused, *schema.passthrough}
    if per_snapshot:
        known |= EXTRA_SERIES[schema.name]
    return column not in known and not (schema.name == "Link" and EXTRA_PORT.match(column))


def custom_columns(n: Network) -> list[str]:
    """``Component.column`` for every custom static column and time series of ``n``."""
    found: list[str] = []
    for cname, schema in COMPONENTS.items():
        frame = n.static[cname]
        found += [f"{cname}.{c}" for c in frame.columns if is_custom(schema, str(c))]
        found += [
            f"{cname}.{attr} (per snapshot)"
            for attr, table in n.dynamic[cname].items()
            if table.shape[1] and is_custom(schema, attr, per_snapshot=True)
        ]
    return found


def custom_notice(n: Network, source: str) -> str | None:
    """The text of the CustomColumnWarning for ``n`` read from ``source``; None if none."""
    found = custom_columns(n)
    if not found:
        return None
    return (
        f"{source}: {len(found)} custom column(s) kept but not used by caspian-grid: "
        f"{', '.join(found)}. They are written back when the network is written in a PyPSA "
        "format; rename one if it was meant as a PyPSA attribute."
    )
