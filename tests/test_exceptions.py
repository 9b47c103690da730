"""Every error class caspian-grid defines is in the package's hierarchy, under CaspianError."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import caspian
from caspian.exceptions import CaspianError, InputError, SolverError


def _modules() -> list[str]:
    found = pkgutil.walk_packages(caspian.__path__, prefix="caspian.")
    return sorted(info.name for info in found)


def _defined_exceptions() -> dict[str, type[BaseException]]:
    """Exception classes (warnings aside) defined in any module of the package, by name."""
    classes: dict[str, type[BaseException]] = {}
    for name in _modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                cls.__module__ == name
                and issubclass(cls, BaseException)
                and not issubclass(cls, Warning)
            ):
                classes[f"{name}.{cls.__qualname__}"] = cls
    return classes


def test_every_exception_class_is_a_caspian_error() -> None:
    classes = _defined_exceptions()
    # The walk reaches the layers: the errors of web/, decompose/ and corridor/ are found.
    assert {
        "caspian.exceptions.InputError",
        "caspian.decompose.master.MasterError",
        "caspian.decompose.subproblem.SubproblemError",
        "caspian.web.jobs.JobInputError",
        "caspian.web.jobs.JobsFull",
        "caspian.web.store.BadName",
        "caspian.corridor.yaml_input._LimitError",
    } <= set(classes)
    outside = sorted(name for name, cls in classes.items() if not issubclass(cls, CaspianError))
    assert outside == []


def test_errors_keep_their_builtin_bases_and_match_the_project_error() -> None:
    from caspian.decompose.master import MasterError
    from caspian.decompose.subproblem import SubproblemError
    from caspian.web.job_manager import JobNotRestartable
    from caspian.web.jobs import JobInputError, JobsFull
    from caspian.web.store import BadName, BrokenFile

    for bad_input in (JobInputError, BadName, BrokenFile):
        assert issubclass(bad_input, InputError) and issubclass(bad_input, ValueError)
    for solver in (MasterError, SubproblemError):
        assert issubclass(solver, SolverError)
    for refused in (JobsFull, JobNotRestartable):
        assert issubclass(refused, RuntimeError) and not issubclass(refused, InputError)
    assert JobInputError([(("name",), "taken")]).problems == [(("name",), "taken")]
    broken = BrokenFile("headlines.json", "is empty.", run_id="r1")
    assert (broken.file, broken.problem, broken.run_id) == ("headlines.json", "is empty.", "r1")
    assert str(broken) == "run 'r1': headlines.json is empty."
