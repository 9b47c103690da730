"""MkDocs hooks of the caspian-grid docs: generated tables, notebook pages and MathML.

- ``on_files`` turns every ``docs/**/*.ipynb`` into a page beside it (``x.ipynb`` -> ``x.md``),
  with its stored outputs; the notebook itself stays in the site for download.
- ``on_page_markdown`` replaces the markers ``<!-- caspian:NAME -->`` (a line of their own) with
  tables made from the code: the CLI's help, the corridor dataset's provenance and sources, the
  shipped scenarios and the component schema. So these pages cannot drift from the code.
- ``on_page_content`` converts the maths that ``pymdownx.arithmatex`` (generic mode) marks into
  MathML with ``latex2mathml``, so formulas need no script and no internet.

An unknown marker, a maths expression that cannot be converted or an unreadable notebook stops the
build with a message naming the page.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import latex2mathml.converter
import yaml
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

MARKER = re.compile(r"^<!-- caspian:([a-z-]+) -->[ \t]*$", re.MULTILINE)
# "[S23]" in the data's own text is a source id, not a link or a cross-reference.
_BRACKETED = re.compile(r"\[([^\[\]\n]*)\](?!\()")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    """Text for one Markdown table cell: pipes escaped, line breaks joined."""
    text = "" if value is None else str(value)
    if text in ("nan", "<NA>", "None"):
        text = ""
    text = _plain_brackets(text.replace("|", "\\|").replace("\n", " ").strip())
    if not text.startswith("`"):
        text = text.replace("<", "&lt;").replace(">", "&gt;")
    return text


def _plain_brackets(text: str) -> str:
    """Brackets escaped outside code spans, so Markdown shows them as they are."""
    parts = re.split(r"(`[^`\n]*`)", text)
    return "".join(
        part if i % 2 else _BRACKETED.sub(r"\\[\1\\]", part) for i, part in enumerate(parts)
    )


def _table(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.6g}"
    return _cell(value)


# --------------------------------------------------------------------------------------------
# generated tables
# --------------------------------------------------------------------------------------------


def _cli_reference() -> str:
    """Every ``caspian`` command with its usage, description, arguments and options."""
    import typer.main

    from caspian.cli.main import app

    root = typer.main.get_command(app)
    out: list[str] = []

    # Typer ships its own copy of click, so commands are recognised by what they do.
    def walk(command: Any, path: list[str], parent: Any) -> None:
        ctx = command.context_class(command, info_name=path[-1], parent=parent)
        if path != ["caspian"]:
            out.append(f"## `{' '.join(path)}`\n")
        help_text = (command.help or "").strip()
        if help_text:
            out.append(re.sub(r"\s*\n\s*", " ", help_text.split("\n\n")[0]) + "\n")
            rest = help_text.split("\n\n")[1:]
            out.extend(p.strip() + "\n" for p in rest if p.strip())
        usage = " ".join(command.collect_usage_pieces(ctx))
        usage = re.sub(r"\{([a-z_]+)\}", lambda m: m[1].upper(), usage)
        usage = re.sub(r"\[([a-z_]+)\]", lambda m: f"[{m[1].upper()}]", usage)
        out.append(f"```text\n{' '.join(path)} {usage}\n```\n")
        rows = []
        for param in command.params:
            if param.param_type_name == "option" and "--help" in param.opts:
                continue
            rows.append(_param_row(param, ctx))
        if rows:
            out.append(_table(["name", "type", "default", "description"], rows))
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    walk(sub, [*path, name], ctx)

    walk(root, ["caspian"], None)
    return "\n".join(out)


def _param_row(param: Any, ctx: Any) -> list[object]:
    if param.param_type_name == "argument":
        name = f"`{(param.name or '').upper()}`" + (" ..." if param.nargs == -1 else "")
        help_text = getattr(param, "help", None) or ""
    else:
        names = [*param.opts, *param.secondary_opts]
        name = ", ".join(f"`{n}`" for n in names)
        help_text = getattr(param, "help", None) or ""
    flag = bool(getattr(param, "is_flag", False))
    kind = "flag" if flag else str(param.display_type(ctx)).strip("<>")
    default = param.default
    if default is None or callable(default) or default == "" or (flag and not default):
        shown = ""
    elif isinstance(default, (list, tuple)):
        shown = ", ".join(map(str, default))
    else:
        shown = f"`{default}`"
    if param.required:
        shown = "required"
    return [name, kind, shown, re.sub(r"\s+", " ", help_text)]


def _provenance() -> str:
    from caspian.corridor.dataset import load_dataset

    frame = load_dataset().provenance
    rows = [
        [
            r.table,
            r.key,
            r.quantity,
            _number(r.value),
            r.unit,
            r.year,
            r.source,
            r.confidence,
            r.note,
        ]
        for r in frame.itertuples(index=False)
    ]
    header = ["table", "key", "quantity", "value", "unit", "year", "source", "confidence", "note"]
    return f"{len(rows)} numbers.\n\n" + _table(header, rows)


def _sources() -> str:
    from caspian.corridor.dataset import load_dataset, sources_table

    table = sources_table(load_dataset())
    rows = [
        [f"`{s}`", c, n, t]
        for s, c, n, t in zip(
            table.index, table["citation"], table["values"], table["tables"], strict=True
        )
    ]
    return _table(["source", "citation", "numbers", "tables"], rows)


def _flatten(raw: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in raw.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            items += _flatten(value, f"{name}.")
        else:
            items.append((name, value))
    return items


def _scenarios() -> str:
    from caspian.corridor.scenario import available_scenarios, scenario_folder

    rows = []
    for name in available_scenarios():
        raw = yaml.safe_load((scenario_folder() / f"{name}.yaml").read_text(encoding="utf-8"))
        extends = raw.pop("extends", "")
        description = raw.pop("description", "")
        changes = "; ".join(f"`{k}: {json.dumps(v)}`" for k, v in _flatten(raw))
        rows.append([f"`{name}`", f"`{extends}`" if extends else "", description, changes])
    return _table(["scenario", "extends", "what it is", "settings it gives"], rows)


def _components() -> str:
    from caspian.network.schema import COMPONENTS

    out = []
    for schema in COMPONENTS.values():
        out.append(f"### {schema.name}\n")
        out.append(f"{schema.description} Table name: `{schema.list_name}`.\n")
        rows = []
        for a in schema.attributes:
            default = "required" if a.required else _number(a.default)
            rows.append(
                [f"`{a.name}`", a.dtype, a.unit, default, "yes" if a.varying else "", a.description]
            )
        out.append(
            _table(["attribute", "type", "unit", "default", "per snapshot", "meaning"], rows)
        )
        if schema.refused:
            refused = ", ".join(f"`{k}`" for k in schema.refused)
            out.append(f"Refused when set (not supported): {refused}.\n")
    return "\n".join(out)


def _reference_data() -> str:
    """The compilation the dataset was drawn from, without its own title (the page has one)."""
    from caspian.corridor.dataset import default_data_folder

    text = (default_data_folder() / "caspian_data.md").read_text(encoding="utf-8")
    body = text.split("\n", 1)[1] if text.startswith("# ") else text
    return _plain_brackets(body)


GENERATORS: dict[str, Callable[[], str]] = {
    "cli": _cli_reference,
    "provenance": _provenance,
    "sources": _sources,
    "scenarios": _scenarios,
    "components": _components,
    "reference-data": _reference_data,
}


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in GENERATORS:
            raise PluginError(
                f"{page.file.src_uri}: unknown marker <!-- caspian:{name} -->; "
                f"known: {', '.join(sorted(GENERATORS))}."
            )
        return GENERATORS[name]()

    return MARKER.sub(replace, markdown)


# --------------------------------------------------------------------------------------------
# notebooks
# --------------------------------------------------------------------------------------------


def output_text(output: dict[str, Any]) -> str | None:
    """The text a notebook output shows (stream, text/plain, or the error); None otherwise."""
    kind = output.get("output_type")
    if kind == "stream":
        return "".join(output.get("text", ""))
    if kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        if "text/plain" in data:
            return "".join(data["text/plain"])
        return None
    if kind == "error":
        return f"{output.get('ename')}: {output.get('evalue')}"
    return None


def notebook_markdown(path: Path, download_name: str) -> str:
    """A notebook as a Markdown page: its markdown cells, its code and its stored text outputs."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (OSError, ValueError, KeyError) as error:
        raise PluginError(f"{path}: not a readable notebook ({error}).") from error
    parts: list[str] = []
    for index, cell in enumerate(cells):
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            parts.append(source.strip() + "\n")
            if index == 0:
                parts.append(
                    f"[Download the notebook]({download_name}) · it runs offline in the project's "
                    "`.venv` and is re-run by the test suite.\n"
                )
        elif cell.get("cell_type") == "code" and source.strip():
            parts.append(f"```python\n{source.rstrip()}\n```\n")
            texts = [t for t in map(output_text, cell.get("outputs", [])) if t]
            if texts:
                text = "".join(texts).rstrip("\n").replace("```", "` ` `")
                parts.append(f"```text\n{text}\n```\n")
    return "\n".join(parts)


def on_files(files: Files, config: Any, **_: Any) -> Files:
    for file in list(files):
        if file.src_uri.endswith(".ipynb"):
            source = Path(config["docs_dir"]) / file.src_uri
            page_uri = file.src_uri[: -len(".ipynb")] + ".md"
            content = notebook_markdown(source, Path(file.src_uri).name)
            files.append(File.generated(config, page_uri, content=content))
    return files


# --------------------------------------------------------------------------------------------
# maths
# --------------------------------------------------------------------------------------------

_MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<block>.*?)\\\])'
    r"\s*</(?P=tag)>",
    re.DOTALL,
)


def _mathml(latex: str, display: str, where: str) -> str:
    latex = latex.replace(r"\begin{aligned}", r"\begin{align*}")
    latex = latex.replace(r"\end{aligned}", r"\end{align*}")
    try:
        mathml = latex2mathml.converter.convert(latex, display=display)
    except Exception as error:
        raise PluginError(f"{where}: cannot convert the maths {latex!r} ({error}).") from error
    if "<mi>&</mi>" in mathml or "<mo>&</mo>" in mathml:
        raise PluginError(
            f"{where}: '&' outside an array in {latex!r}; use \\begin{{align*}} or "
            "\\begin{array}{rl} for aligned equations."
        )
    return mathml


def on_page_content(content: str, page: Any, **_: Any) -> str:
    where = page.file.src_uri

    def replace(match: re.Match[str]) -> str:
        block = match.group("block")
        latex = html.unescape(block if block is not None else match.group("inline"))
        return _mathml(latex, "block" if block is not None else "inline", where)

    return _MATH.sub(replace, content)
