"""Names that become file or folder names: one safe pattern, and paths that stay in their folder.

A scenario's ``name:``, a sweep's name, a run id or a dashboard job's scenario name decides where
results are written. Every such name must match :data:`SAFE_NAME` (:func:`check_name`), and every
path built from one must resolve inside the folder it belongs to (:func:`inside`), so that
``name: ../victim`` or an absolute path can neither write nor replace anything elsewhere.
"""

from __future__ import annotations

import re
from pathlib import Path

from caspian.exceptions import InputError

SAFE_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}"
"""Letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit, at most 100
characters: no separators, no ``..``, nothing hidden, nothing absolute."""

SAFE_NAME = re.compile(rf"^{SAFE_NAME_PATTERN}$")

SAFE_NAME_HELP = (
    "use letters, digits, '.', '_' and '-' only, starting with a letter or digit, at most 100 "
    "characters (e.g. 'my-scenario')"
)


def check_name(
    name: object,
    *,
    what: str = "name",
    component: str | None = None,
    file: str | None = None,
) -> str:
    """``name`` if it matches :data:`SAFE_NAME`, else an :class:`InputError` naming it.

    ``what`` says which name it is (``"scenario name"``), ``component`` and ``file`` where it
    came from.
    """
    text = name if isinstance(name, str) else None
    if text is None or not SAFE_NAME.fullmatch(text) or text.endswith("."):
        shown = repr(name) if len(repr(name)) <= 120 else repr(name)[:117] + "..."
        raise InputError(
            f"{what} {shown} cannot be used as a file or folder name.",
            file=file,
            component=component,
            attribute="name",
            value=name,
            hint=f"Rename it: {SAFE_NAME_HELP}.",
        )
    return text


def inside(folder: str | Path, path: str | Path, *, what: str = "path") -> Path:
    """``path`` resolved, if it lies inside ``folder`` (resolved; links followed); else an
    :class:`InputError`. A relative ``path`` is taken relative to ``folder`` (give a name or a
    path below the folder, not one that starts with the folder again)."""
    root = Path(folder).resolve()
    candidate = Path(path)
    resolved = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if resolved != root and not resolved.is_relative_to(root):
        raise InputError(
            f"{what} {str(path)!r} resolves to {resolved}, outside {root}.",
            value=str(path),
            hint="Give a name without '..', separators or an absolute path.",
        )
    return resolved
