"""Every command that changes or produces something leaves an entry in the studio log.

The log is where ``POSTPROD_LOG`` says (or the per-user default). Logging
never fails a command: if the log cannot be written, the command's work
stands and one warning line says why.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from postprod.errors import PostprodError
from postprod.log import LogStore, default_location, file_sha256


def record(
    kind: str,
    note: str,
    *,
    project: str | os.PathLike[str] | None = None,
    outputs: Sequence[str | os.PathLike[str]] = (),
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry describing what a command did, with checksums of what it wrote."""
    if os.environ.get("POSTPROD_LOG", "").lower() == "off":
        return
    files = [
        {"path": str(Path(path).resolve()), "sha256": file_sha256(Path(path))}
        for path in outputs
        if Path(path).is_file()
    ]
    try:
        with LogStore(default_location()) as store:
            store.append(
                kind,
                note=note,
                project=str(project) if project else "",
                details={**_finite(details or {}), "outputs": files},
            )
    except (PostprodError, OSError) as error:
        message = error.message if isinstance(error, PostprodError) else str(error)
        typer.echo(f"warning: not logged ({message})", err=True)


def _finite(value: Any) -> Any:
    """``value`` with each non-finite float left out as ``None`` (the true peak of silence
    is -inf): the log keeps only finite figures, and a QC of a silent file is still logged."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
