"""The PyPSA tables in ``pypsa_attrs`` and the schema agree with PyPSA's own attribute files."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pypsa
import pytest

from caspian.network.pypsa_attrs import (
    CASPIAN_ONLY,
    EXTRA_SERIES,
    FEATURES,
    STRING_ATTRIBUTES,
    is_result,
)
from caspian.network.schema import COMPONENTS, ComponentSchema


def pypsa_attrs(schema: ComponentSchema) -> pd.DataFrame:
    path = Path(pypsa.__file__).parent / "data" / "component_attrs" / f"{schema.list_name}.csv"
    frame = pd.read_csv(path, index_col="attribute", dtype=str, keep_default_na=False)
    return frame.drop(index="name")


def parse(default: str, kind: str) -> object:
    if default in ("", "n/a", "nan"):
        return "" if "string" in kind else math.nan
    if kind == "boolean":
        return default == "True"
    if kind == "string":
        return default
    return float(default)


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@pytest.mark.parametrize("cname", list(COMPONENTS))
def test_every_pypsa_attribute_is_classified(cname: str) -> None:
    schema = COMPONENTS[cname]
    theirs = pypsa_attrs(schema)
    inputs = theirs[~theirs.status.str.startswith("Output")].index
    known = {*schema.attribute_names, *schema.refused, *schema.passthrough}
    assert set(inputs) - known == set(), "PyPSA inputs missing from the schema"
    outputs = theirs[theirs.status.str.startswith("Output")].index
    unclassified = [a for a in outputs if not is_result(cname, a) and a not in schema.passthrough]
    assert unclassified == []
    extra = set(schema.attribute_names) - set(theirs.index) - CASPIAN_ONLY.get(cname, set())
    assert extra == set(), "schema attributes PyPSA does not know"


@pytest.mark.parametrize("cname", list(COMPONENTS))
def test_series_attributes_match(cname: str) -> None:
    schema = COMPONENTS[cname]
    theirs = pypsa_attrs(schema)
    series = theirs[theirs.type.str.contains("series") & ~theirs.status.str.startswith("Output")]
    outside_schema = set(series.index) - set(schema.attribute_names)
    assert outside_schema == set(EXTRA_SERIES[cname])
    assert set(schema.varying_names) <= set(series.index)


@pytest.mark.parametrize("cname", list(COMPONENTS))
def test_defaults_match_pypsa(cname: str) -> None:
    schema = COMPONENTS[cname]
    theirs = pypsa_attrs(schema)
    for attr in schema.attributes:
        if attr.required or attr.name not in theirs.index:
            continue
        pypsa_default = parse(theirs.at[attr.name, "default"], theirs.at[attr.name, "type"])
        assert same(pypsa_default, attr.default), f"{cname}.{attr.name}: {pypsa_default!r}"
    for name, default in schema.refused.items():
        if name in theirs.index:
            pypsa_default = parse(theirs.at[name, "default"], theirs.at[name, "type"])
            assert same(pypsa_default, float(default) if not isinstance(default, str) else default)


def test_every_refused_attribute_names_its_feature() -> None:
    refused = {a for schema in COMPONENTS.values() for a in schema.refused}
    assert refused - set(FEATURES) == set()


def test_string_attributes_are_text_in_pypsa() -> None:
    for schema in COMPONENTS.values():
        theirs = pypsa_attrs(schema)
        for name in STRING_ATTRIBUTES & set(theirs.index):
            assert theirs.at[name, "type"] == "string", f"{schema.name}.{name}"
