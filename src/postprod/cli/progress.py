"""A Rich progress bar for long jobs: frames done, frames per second, time left."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

if TYPE_CHECKING:
    from postprod.render.mix import Progress as ProgressCallback


class _FramesPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.0f} fps" if task.speed else "")


@contextmanager
def frame_progress(label: str) -> Iterator[ProgressCallback]:
    """A callback ``(done, total)`` that drives a progress bar on stderr."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _FramesPerSecond(),
        TimeRemainingColumn(),
    )
    console = Console(stderr=True)
    if not console.is_terminal:  # a log or a pipe: no bar, and no stray line before an error
        yield _ignore
        return
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _ignore(done: int, total: int) -> None:
    """The progress callback when stderr is not a terminal."""
