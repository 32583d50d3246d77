"""One check for every command that writes: the output is refused before anything is
opened for writing when it is an input, the project or one of its media files, a
folder where a file goes, in a missing or read-only folder, or (``postprod
--no-clobber ...``) already there. :func:`guard_outputs` applies it to every command
from the names of its parameters, so a new command is covered as it is registered."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from postprod.cli.numbers import check_numbers
from postprod.errors import PostprodError, check_output


def guard(
    out: os.PathLike[str] | str,
    *inputs: os.PathLike[str] | str | None,
    project: os.PathLike[str] | str | None = None,
    folder: bool = False,
    no_clobber: bool = False,
) -> Path:
    """Check ``out`` against ``inputs`` and, given ``project``, the project file and every
    media file it uses; returns ``out``."""
    sources = [Path(path) for path in inputs if path is not None]
    if project is not None:
        sources.extend(project_files(Path(project)))
    return check_output(
        out, tuple(sources), error=PostprodError, no_clobber=no_clobber, folder=folder
    )


def project_files(project: Path) -> list[Path]:
    """The project file, its journal folder and the media files its clips name."""
    from postprod.project import load_project
    from postprod.timeline.model import media_path

    files = [project, project.with_name(project.name + ".history")]
    if not project.is_file():
        return files
    try:
        timeline = load_project(project)
    except PostprodError:
        return files  # the command itself will say what is wrong with it
    for clip in timeline.find_clips():
        path = media_path(clip, project.parent)
        if path is not None:
            files.append(path)
    return files


#: Parameters that name what a command writes; every other path parameter is an input.
OUTPUTS = ("out", "contact_sheet", "png", "stems", "report_dir")
#: Outputs that are folders (the rest are files).
FOLDERS = ("stems", "report_dir")
#: Commands whose ``--out`` is a folder.
FOLDER_COMMANDS = ("demo", "deliver", "farm deliver")
#: Commands that may write a project over itself: an edit in place, one undo step.
IN_PLACE_COMMANDS = ("autocut",)


def guard_outputs(command: Any, name: str, *, no_clobber: bool = False) -> Any:
    """Wrap ``command`` (and its subcommands) so that each checks its numbers
    (:mod:`postprod.cli.numbers`) and its outputs (:func:`guard`) against its inputs before
    it runs: one rule for every command, old and new."""
    for sub_name, sub in getattr(command, "commands", {}).items():
        guard_outputs(sub, f"{name} {sub_name}", no_clobber=no_clobber)
    callback = getattr(command, "callback", None)
    if callback is None:
        return command
    paths = [param.name for param in command.params if _is_path(param)]
    options = {param.name: (param.opts or [param.name])[0] for param in command.params}

    @functools.wraps(callback)
    def checked(**params: Any) -> Any:
        check_numbers(params, options, name)
        if any(path in OUTPUTS for path in paths):
            _check(name, params, paths, no_clobber)
        return callback(**params)

    command.callback = checked
    return command


def _check(name: str, params: dict[str, Any], paths: list[str], no_clobber: bool) -> None:
    inputs: list[Path] = []
    for key in paths:
        value = params.get(key)
        if key in OUTPUTS or value is None:
            continue
        inputs.extend(Path(v) for v in (value if isinstance(value, list | tuple) else [value]))
    project = params.get("project")
    for key in OUTPUTS:
        out = params.get(key)
        if out is None or key not in paths:
            continue
        if name in IN_PLACE_COMMANDS and Path(out).suffix == ".otio":
            inputs = [path for path in inputs if path.resolve() != Path(out).resolve()]
        folder = (
            key in FOLDERS
            or (key == "out" and name in FOLDER_COMMANDS)
            or (key == "out" and params.get("preset") == "png")
        )
        guard(out, *inputs, project=project, folder=folder, no_clobber=no_clobber)


def _is_path(param: Any) -> bool:
    descriptor = getattr(param, "type_descriptor", None)
    return "Path" in repr(getattr(descriptor, "annotation", None))
