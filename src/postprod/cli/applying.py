"""How every command that changes a project applies its operation, alone or in a script.

A command builds one operation and hands it to :func:`apply`. Run on its own,
the operation is applied at once (one undo step), printed and logged. Run from
``postprod edit P --script FILE``, it is collected instead, and the whole script
is applied at the end as one undo step: all of it or, at the first refusal,
none of it.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

import typer

from postprod.errors import EditError, PostprodError
from postprod.operations import Operation, Project, apply_operations

#: Where a running script keeps the operations its lines made (``click.Context.meta``
#: is shared by every context nested under the one the script runs in).
BATCH = "postprod.batch"

#: Command groups whose project argument comes right after the group's name.
PROJECT_FIRST = ("edit", "mixer", "clip", "timeline")
#: Command groups whose project argument comes after the subcommand (``track add P ...``).
PROJECT_SECOND = ("track",)


def apply(ctx: typer.Context, project: Path, operation: Operation) -> None:
    """Apply ``operation`` to ``project`` now, or collect it when a script is running."""
    batch = ctx.meta.get(BATCH)
    if batch is not None:
        batch.append(operation)
        return
    Project(project).apply(operation)
    typer.echo(f"{operation.name}: done ({operation.describe()})")
    _log(project, operation.describe(), {"operation": operation.to_dict()})


def script_lines(text: str, source: str) -> list[tuple[int, list[str]]]:
    """A script's commands as (line number, words); blank lines and ``#`` comments skipped."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            words = shlex.split(line, comments=True)
        except ValueError as error:
            raise EditError(
                f"line {number}: {error}", where=source, fix="close the quotes"
            ) from None
        if words:
            found.append((number, words))
    return found


def command_line(words: list[str], project: Path) -> list[str]:
    """A script line as a whole command line: the project put in its place.

    ``append -t V1 -m a.mp4`` is an edit (``edit P append ...``); a line may also
    name its group: ``mixer set --track A1 --gain-db -3``, ``track add --audio FX``.
    """
    group, rest = words[0], words[1:]
    if group in ("undo", "redo", "edit"):
        raise EditError(f"{group} has no place in a script", fix="a script line is one change")
    if group in PROJECT_FIRST:
        return [group, str(project), *rest]
    if group in PROJECT_SECOND:
        return [group, *rest[:1], str(project), *rest[1:]]
    return ["edit", str(project), *words]


def run_script(
    project: Path, text: str, source: str, invoke: Callable[[list[str], dict[str, object]], None]
) -> list[Operation]:
    """Run every line (``invoke`` runs one command line with the shared meta), applying
    its operations to the project in memory; then save the result as one undo step.
    The first line that fails stops the script with the project untouched."""
    from postprod.project.lock import editing

    with editing(project):  # the whole script is one change: no other edit between
        session = Project(project)
        timeline = session.timeline()
        batch: list[Operation] = []
        for number, words in script_lines(text, source):
            made: list[Operation] = []
            try:
                invoke(command_line(words, project), {BATCH: made})
                timeline = apply_operations(timeline, made, folder=project.parent)
            except PostprodError as error:
                raise type(error)(
                    f"line {number} ({' '.join(words)}): {error.what}",
                    where=source,
                    fix=f"{error.fix or 'fix that line'}; nothing was changed",
                ) from None
            except typer.TyperException as error:  # a usage error: unknown option, missing value
                what = " ".join(error.format_message().split())
                raise EditError(
                    f"line {number} ({' '.join(words)}): {what}",
                    where=source,
                    fix="see the command's --help; nothing was changed",
                ) from None
            batch += made
        if not batch:
            raise EditError("the script changes nothing", where=source, fix="give one edit a line")
        description = f"script {source}: {len(batch)} operations"
        session.commit(timeline, batch, description)
    _log(project, description, {"operations": [operation.to_dict() for operation in batch]})
    return batch


def _log(project: Path, note: str, details: dict[str, object]) -> None:
    from postprod.cli.journal import record  # the log (SQLite) only when a change is made

    record("edit", note, project=project, outputs=[project], details=details)
