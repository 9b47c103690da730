"""Read the code blocks of a docs page and run them as docs/contributing.md says.

A page runs top to bottom in a fresh working folder: ``pycon`` blocks as doctests sharing one
namespace, ``python`` blocks in that namespace, ``console`` blocks through bash, blocks with a
``title`` written as files. ``<!-- docs-test: background PORT -->`` starts a console block in the
background; ``<!-- docs-test: skip REASON -->`` shows a block without running it.
"""

from __future__ import annotations

import contextlib
import doctest
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.docs.outputs import mismatch

DOCS = Path(__file__).resolve().parents[2] / "docs"
RUNNABLE = ("pycon", "python", "console")
COMMAND_TIMEOUT_S = 600
SHOWN_NOT_RUN: list[str] = []  # "where: reason" of every skipped block, for the test report
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+-]*)(?P<info>[^\n]*)$")
_TITLE = re.compile(r"""title=(?:"([^"]*)"|'([^']*)'|(\S+))""")
_DIRECTIVE = re.compile(r"^<!--\s*docs-test:\s*(?P<kind>[a-z]+)\s*(?P<arg>.*?)\s*-->\s*$")
_EXIT = re.compile(r"^\[exit (\d+)\]$")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: str
    line: int  # 1-based line of the opening fence
    lang: str
    body: str
    title: str | None = None
    directive: tuple[str, str] | None = None  # (kind, argument)

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"

    @property
    def runs(self) -> bool:
        """True for an example the page runs (code, or a file it writes); False for the
        illustrations (``text``, an untitled ``yaml``...)."""
        return self.lang in RUNNABLE or self.title is not None


def blocks(page: Path) -> list[Block]:
    """The fenced blocks that start at the left margin (indented ones are quoted examples)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    name = _name(page)
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence = opening.group("fence")
        end = i + 1
        closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        if end == len(lines):
            raise AssertionError(f"docs/{name}:{i + 1}: code block never closed")
        title = _TITLE.search(opening.group("info"))
        previous = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        directive = _DIRECTIVE.match(previous.strip())
        found.append(
            Block(
                page=name,
                line=i + 1,
                lang=opening.group("lang").lower(),
                body="\n".join(lines[i + 1 : end]) + "\n",
                title=next((g for g in title.groups() if g), None) if title else None,
                directive=(directive.group("kind"), directive.group("arg")) if directive else None,
            )
        )
        i = end + 1
    return found


@dataclass
class Command:
    text: str
    expected: str
    exit_code: int
    line: int


def commands(block: Block) -> list[Command]:
    """The ``$ `` commands of a console block with the output each must print."""
    result: list[Command] = []
    lines = block.body.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            if lines[i].strip():
                raise AssertionError(f"{block.where}: output before any '$ ' command: {lines[i]!r}")
            i += 1
            continue
        start = i
        text = lines[i][2:]
        while text.endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text + "\n" + lines[i]  # bash reads the backslash-newline as one line
        i += 1
        output: list[str] = []
        while i < len(lines) and not lines[i].startswith("$ "):
            output.append(lines[i])
            i += 1
        exit_code = 0
        while output and not output[-1].strip():
            output.pop()
        if output and (code := _EXIT.match(output[-1].strip())):
            exit_code = int(code.group(1))
            output.pop()
        result.append(Command(text, "\n".join(output), exit_code, block.line + 1 + start))
    return result


class _Checker(doctest.OutputChecker):
    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        return mismatch(want, got) is None


@dataclass
class PageRun:
    """The state of one page being run: its folder, namespace and background processes."""

    page: str
    folder: Path
    namespace: dict[str, object] = field(default_factory=dict)
    background: list[subprocess.Popen[bytes]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env.update(COLUMNS="80", NO_COLOR="1", TERM="dumb", PYTHONWARNINGS="")
        env.pop("FORCE_COLOR", None)
        return env

    def run(self, block: Block) -> None:
        if block.directive and block.directive[0] == "skip":
            if not block.directive[1]:
                raise AssertionError(f"{block.where}: 'docs-test: skip' needs a reason")
            self.skipped.append(f"{block.where}: {block.directive[1]}")
            if (DOCS / self.page).is_file():  # a real page, not a test's
                SHOWN_NOT_RUN.append(self.skipped[-1])
            return
        if block.directive and block.directive[0] != "background":
            raise AssertionError(
                f"{block.where}: unknown directive 'docs-test: {block.directive[0]}'"
            )
        if block.title:
            path = self.folder / block.title
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block.body, encoding="utf-8")
            return
        if block.lang == "pycon":
            self._pycon(block)
        elif block.lang == "python":
            code = compile(block.body, block.where, "exec")
            with _cwd(self.folder):
                exec(code, self.namespace)
        elif block.lang == "console":
            if block.directive:
                self._background(block, int(block.directive[1]))
            else:
                for command in commands(block):
                    self._command(block, command)

    def _pycon(self, block: Block) -> None:
        test = doctest.DocTestParser().get_doctest(
            block.body, self.namespace, block.where, str(DOCS / block.page), block.line
        )
        runner = doctest.DocTestRunner(
            checker=_Checker(), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        )
        report: list[str] = []
        with _cwd(self.folder):
            runner.run(test, out=report.append, clear_globs=False)
        self.namespace.update(test.globs)  # DocTest works on a copy
        if runner.failures:
            raise AssertionError(f"{block.where}: a pycon example failed\n" + "".join(report))

    def _start(self, text: str, log: Path | None = None) -> subprocess.Popen[bytes]:
        """``bash -c text`` in the page's folder, in a process group of its own; its output
        is piped back, or written to ``log``."""
        with contextlib.ExitStack() as stack:
            out = stack.enter_context(log.open("wb")) if log else subprocess.PIPE
            return subprocess.Popen(
                ["bash", "-c", text],
                cwd=self.folder,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _command(self, block: Block, command: Command) -> None:
        where = f"docs/{block.page}:{command.line}: $ {command.text}"
        process = self._start(command.text)
        try:
            out, _ = process.communicate(timeout=COMMAND_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise AssertionError(f"{where}\nstill running after {COMMAND_TIMEOUT_S} s") from None
        got = out.decode("utf-8", errors="replace")
        if process.returncode != command.exit_code:
            raise AssertionError(
                f"{where}\nexited with {process.returncode}, "
                f"the docs say {command.exit_code}:\n{got}"
            )
        problem = mismatch(command.expected, got)
        if problem:
            raise AssertionError(
                f"{where}\n{problem}.\n--- the docs show:\n{command.expected}\n"
                f"--- it printed:\n{got}"
            )

    def _background(self, block: Block, port: int) -> None:
        if _listening(port):
            raise AssertionError(f"{block.where}: port {port} is taken before the block starts")
        started = []
        for command in commands(block):
            log = self.folder / f"background-{len(self.background)}.log"
            self.background.append(self._start(command.text, log))
            started.append((command.text, log))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not _listening(port):
            time.sleep(0.3)
        dead = [
            (t, log)
            for (t, log), p in zip(started, self.background[-len(started) :], strict=True)
            if p.poll() is not None
        ]
        if dead or not _listening(port):
            text, log = dead[0] if dead else started[0]
            raise AssertionError(
                f"{block.where}: nothing listens on port {port}"
                + (f"; '{text}' exited" if dead else "")
                + f":\n{log.read_text(errors='replace')[-3000:]}"
            )

    def close(self) -> None:
        for process in self.background:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.background:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
        return True
    return False


@contextlib.contextmanager
def _cwd(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def run_page(page: Path, folder: Path) -> PageRun:
    """Run every block of ``page`` in ``folder``; the first failure raises AssertionError."""
    state = PageRun(_name(page), folder, {"__name__": "__docs__"})
    try:
        for block in blocks(page):
            if block.runs:
                state.run(block)
    finally:
        state.close()
    return state


def _name(page: Path) -> str:
    """The page as messages name it: relative to docs/ (or its file name, for a test page)."""
    return page.relative_to(DOCS).as_posix() if page.is_relative_to(DOCS) else page.name


def pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "hooks" not in p.relative_to(DOCS).parts)
