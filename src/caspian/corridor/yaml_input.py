"""The YAML files of scenarios and sweeps: found by name or path, read within bounds, and their
problems described one line each.

A scenario or sweep file holds a few kilobytes of settings.
[`read_yaml`][caspian.corridor.yaml_input.read_yaml] uses PyYAML's safe loader (no Python objects)
and refuses, with an
[`InputError`][caspian.exceptions.InputError] naming the file and the line, before any value is
built:

* a file over [`MAX_YAML_BYTES`][caspian.corridor.yaml_input.MAX_YAML_BYTES];
* values nested deeper than [`MAX_YAML_DEPTH`][caspian.corridor.yaml_input.MAX_YAML_DEPTH]
  (PyYAML recurses once per level, so thousands of levels end in a ``RecursionError``);
* more than [`MAX_YAML_NODES`][caspian.corridor.yaml_input.MAX_YAML_NODES] values once aliases
  (``*name``) are expanded: nine lines of nested aliases (a "billion laughs") stand for 10^9
  values, which PyYAML shares but validating or showing them would walk one by one;
* an alias inside the value it refers to (a value that contains itself).

[`describe`][caspian.corridor.yaml_input.describe] turns one pydantic error into a line naming the
key path as written in the file and its value (cut to
[`SHOWN_CHARS`][caspian.exceptions.SHOWN_CHARS] characters by
[`shown`][caspian.exceptions.shown]); a value out of range gets the field's whole range
(``caspian.availability = 1.5: must be between 0 and 1``).
"""

from __future__ import annotations

import difflib
import os
import re
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from caspian.exceptions import CaspianError, InputError, shown
from caspian.network.network import did_you_mean

MAX_YAML_BYTES = 1_000_000
"""Largest scenario or sweep file read, in bytes (the shipped ones are under 5,000)."""
MAX_YAML_DEPTH = 50
"""Deepest nesting of mappings and lists in a scenario or sweep file (the shipped ones: 4)."""
MAX_YAML_NODES = 100_000
"""Most values (keys, scalars, lists and mappings) a scenario or sweep file may hold once its
aliases are expanded."""
_YAML_HINT = (
    "A scenario or sweep file holds a few settings; write them out plainly, without deep "
    "nesting or aliases that expand into more values."
)


class _LimitError(yaml.MarkedYAMLError, CaspianError):
    """A YAML file over one of the bounds of this module."""


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, counting the values each node stands for as it is composed.

    The size of a node is 1 plus the sizes of its items; an alias adds the size of the node it
    refers to each time it is used, so the root's size is the number of values with every alias
    expanded, found in time proportional to the file's length.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._sizes: dict[int, int] = {}
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            mark = self.peek_event().start_mark
            problem = f"nests deeper than {MAX_YAML_DEPTH} levels"
            raise _LimitError(problem=problem, problem_mark=mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is None:
            return None
        items: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            items = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            items = [part for pair in node.value for part in pair]
        size = 1
        for item in items:
            if id(item) not in self._sizes:  # composed neither before nor inside this node
                raise _LimitError(
                    problem="has an alias inside the value it refers to (a value containing "
                    "itself)",
                    problem_mark=item.start_mark,
                )
            size += self._sizes[id(item)]
        if size > MAX_YAML_NODES:
            raise _LimitError(
                problem=f"holds more than {MAX_YAML_NODES:,} values once its aliases are "
                "expanded (nested aliases, a 'billion laughs')",
                problem_mark=node.start_mark,
            )
        self._sizes[id(node)] = size
        return node


def read_yaml(path: Path) -> Any:
    """The contents of the YAML file ``path``, read with the bounds of this module.

    Raises
    ------
    InputError
        Naming the file, if it cannot be read, is not UTF-8, is not valid YAML, or is over a
        bound (with the line where it goes over).
    """
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_YAML_BYTES + 1)
    except OSError as error:
        raise InputError(f"cannot be read: {error.strerror or error}.", file=str(path)) from None
    if len(data) > MAX_YAML_BYTES:
        raise InputError(
            f"is larger than {MAX_YAML_BYTES:,} bytes, the most a scenario or sweep file may be.",
            file=str(path),
            hint=_YAML_HINT,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"is not UTF-8 text (byte {error.start + 1} cannot be decoded).",
            file=str(path),
            hint="Save it as UTF-8.",
        ) from None
    try:
        return yaml.load(text, Loader=_BoundedLoader)  # a subclass of SafeLoader
    except _LimitError as error:
        where = _line(error.problem_mark)
        raise InputError(f"{error.problem}{where}.", file=str(path), hint=_YAML_HINT) from None
    except yaml.YAMLError as error:
        raise InputError(f"is not valid YAML: {_cut(str(error))}", file=str(path)) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        # PyYAML's constructors raise these for values they cannot build (2021-02-30, an
        # integer of more than 4300 digits).
        raise InputError(
            f"has a value YAML cannot read: {_cut(str(error))}",
            file=str(path),
            hint="Check dates and very long numbers; quote a value to keep it as text.",
        ) from None


def _line(mark: Any) -> str:
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""


def _cut(text: str, limit: int = 1000) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for a path, or with a NUL in it
        return False


def resolve_yaml(
    name_or_path: str | Path, folder: Path, kind: str, *, relative_to: Path | None = None
) -> Path:
    """The YAML file a ``kind`` (scenario, sweep) is given by: a path, or a name shipped in
    ``folder``; an unknown name gets a "did you mean" and the list of shipped ones.

    It is a path when it ends in ``.yaml`` or ``.yml``, or holds a folder separator; anything
    else is a shipped name, even where a file or folder of that name happens to sit in the
    working folder (``base`` is the shipped base scenario wherever the command runs). A relative
    path is looked for beside ``relative_to`` (the file that names it, for ``extends``) first.
    """
    if not isinstance(name_or_path, str | Path):
        raise InputError(
            f"a {kind} is a shipped name or the path to a YAML file, not {shown(name_or_path)}.",
        )
    text = str(name_or_path)
    candidate = Path(name_or_path)
    is_path = (
        candidate.suffix in (".yaml", ".yml")
        or "/" in text
        or os.sep in text
        or candidate.is_absolute()
    )
    if is_path:
        if relative_to is not None and not candidate.is_absolute():
            beside = relative_to / candidate
            if _is_file(beside):
                return beside
        if not _is_file(candidate):
            raise InputError(
                f"{kind} file {shown(text)} does not exist.",
                hint=f"Give a shipped {kind} name or the path to a YAML file.",
            )
        return candidate
    shipped = folder / f"{name_or_path}.yaml"
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    if str(name_or_path) in names:
        return shipped
    match = difflib.get_close_matches(str(name_or_path), names, n=1, cutoff=0.5)
    hint = f" Did you mean '{match[0]}'?" if match else ""
    raise InputError(
        f"unknown {kind} {shown(str(name_or_path))}.",
        hint=f"Shipped {kind}s: {', '.join(names)}.{hint} Or give the path to a YAML file.",
    )


# --- describing pydantic errors -------------------------------------------------------------

RANGE_ERRORS = frozenset(
    {
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "finite_number",
        "int_parsing_size",
    }
)
"""The pydantic error types of a number out of its field's range."""
_MISSING = object()


def listing(problems: list[str]) -> str:
    """``"2 problems:"`` and one indented line per problem."""
    return f"{len(problems)} problem{'s' if len(problems) > 1 else ''}:\n" + "\n".join(
        f"  - {p}" for p in problems
    )


def describe(error: ErrorDetails, raw: Any, root: type[BaseModel]) -> str:
    """One pydantic error of validating ``raw`` as ``root``, as a line naming the key path as
    written in the file and the value there."""
    key, value = locate(raw, error["loc"], root)
    message = re.sub(r"^(Value|Assertion) error, ", "", error["msg"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        options = list(getattr(_model_at(root, error["loc"][:-1]), "model_fields", {}))
        name = str(error["loc"][-1])
        hint = did_you_mean(name, options) or f" Known keys: {', '.join(options)}."
        return f"unknown key {shown(key)}.{hint}"
    if kind == "union_tag_invalid":
        tag, expected = str(ctx.get("tag")), str(ctx.get("expected_tags", ""))
        expected_tags = re.findall(r"'([^']*)'", expected)
        tag_key = str(ctx.get("discriminator", "")).strip("'")
        return (
            f"{key}: unknown {tag_key} {shown(tag)}.{did_you_mean(tag, expected_tags)} Use one "
            f"of: {', '.join(expected_tags)}."
        )
    if kind == "union_tag_not_found":
        tag_key = str(ctx.get("discriminator", "")).strip("'")
        union = strip(_annotation_at(root, error["loc"]))
        tags = sorted(str(t) for m in get_args(union) for t in _tags(m)) if _is_union(union) else []
        choices = f", one of: {', '.join(tags)}" if tags else ""
        return f"{key} = {shown(value)}: needs {shown(tag_key)}{choices}."
    if kind == "missing":
        return f"{key}: required key missing."
    if "[key]" in error["loc"]:
        return f"{locate(raw, error['loc'][:-2], root)[0]}: {message}"
    if kind in RANGE_ERRORS:
        field = field_at(root, error["loc"])
        message = must_be(field, ctx, finite=kind == "finite_number") or message
    if not key:
        return message
    if value is _MISSING:
        return f"{key}: {message}"
    return f"{key} = {shown(value)}: {message}"


def must_be(field: FieldInfo | None, ctx: dict[str, Any], *, finite: bool = False) -> str:
    """``"must be between 0 and 1"`` from the bounds of ``field`` (or those in ``ctx``, a
    pydantic error's context), or ``""`` if there are none."""
    low, low_open, high, high_open = bounds(field)
    if low is None and high is None:
        low, low_open = ctx.get("ge", ctx.get("gt")), "gt" in ctx
        high, high_open = ctx.get("le", ctx.get("lt")), "lt" in ctx
    what = "must be a finite number" if finite else "must be"
    if low is not None and high is not None:
        return (
            f"{what} between {number(low)}{' (excluded)' if low_open else ''} and "
            f"{number(high)}{' (excluded)' if high_open else ''}"
        )
    if low is not None:
        return f"{what} {'above' if low_open else 'at least'} {number(low)}"
    if high is not None:
        return f"{what} {'below' if high_open else 'at most'} {number(high)}"
    return what if finite else ""


def bounds(field: FieldInfo | None) -> tuple[Any, bool, Any, bool]:
    """``(low, low excluded, high, high excluded)`` of a field's ``ge``/``gt``/``le``/``lt``."""
    low: Any = None
    high: Any = None
    low_open = high_open = False
    for item in getattr(field, "metadata", []):
        if isinstance(item, annotated_types.Ge):
            low, low_open = item.ge, False
        elif isinstance(item, annotated_types.Gt):
            low, low_open = item.gt, True
        elif isinstance(item, annotated_types.Le):
            high, high_open = item.le, False
        elif isinstance(item, annotated_types.Lt):
            high, high_open = item.lt, True
    return low, low_open, high, high_open


def number(value: Any) -> str:
    """A bound as a message shows it: ``0``, ``0.2``, ``100000``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def locate(raw: Any, loc: tuple[str | int, ...], root: Any = None) -> tuple[str, Any]:
    """The key path as written in the file and the value there (``_MISSING`` if none).

    With ``root`` (the model validated), the tags of discriminated unions in ``loc`` (pydantic
    puts ``uniform`` in ``sample.parameters.x.uniform.low``) are left out of the path.
    """
    key, value, annotation = "", raw, root
    for part in loc:
        if part == "[key]":
            continue
        annotation = strip(annotation)
        if _is_union(annotation) and any(part in _tags(m) for m in get_args(annotation)):
            annotation = next(m for m in get_args(annotation) if part in _tags(m))
            continue  # a discriminated-union tag, not a key of the file
        annotation = _step(annotation, part)
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
        if isinstance(value, dict):
            value = value.get(part, _MISSING)
        elif isinstance(value, list | tuple) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            value = _MISSING
    return key, value


def field_at(root: type[BaseModel], loc: tuple[str | int, ...]) -> FieldInfo | None:
    """The field a pydantic error location ends at, or None (e.g. inside a list)."""
    if not loc or not isinstance(loc[-1], str):
        return None
    model = _model_at(root, loc[:-1])
    return model.model_fields.get(loc[-1]) if model is not None else None


def _model_at(root: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class at ``loc`` inside ``root``, following fields, items and tags."""
    current = strip(_annotation_at(root, loc))
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _annotation_at(root: Any, loc: tuple[str | int, ...]) -> Any:
    """The annotation at ``loc`` inside ``root``, following fields, items and tags."""
    current: Any = root
    for part in loc:
        current = strip(current)
        if _is_union(current):  # a discriminated union: this part of the location is the tag
            current = next((m for m in get_args(current) if part in _tags(m)), None)
        else:
            current = _step(current, part)
    return current


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation one step (a field, a dict value or an item) inside ``annotation``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        return field.annotation if field else None
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin in (list, tuple) and args:
        return args[0]
    return None


def _tags(model: Any) -> set[Any]:
    """The values of a model's ``Literal`` fields (a discriminated union's tags)."""
    tags: set[Any] = set()
    for field in getattr(model, "model_fields", {}).values():
        if get_origin(field.annotation) is Literal:
            tags.update(get_args(field.annotation))
    return tags


def strip(annotation: Any) -> Any:
    """``annotation`` without ``Annotated`` and ``| None``."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
            continue
        members = [m for m in get_args(annotation) if m is not type(None)]
        if not _is_union(annotation) or len(members) != 1:
            return annotation
        annotation = members[0]


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)
