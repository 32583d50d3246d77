"""How an adapter's failures read: one ``InterchangeError`` naming the file and, where it
can be found, the line or element.

Adapters raise all kinds of exceptions on a bad file; :func:`is_bad_input`
tells those from bugs of ours, :func:`read_failure` and :func:`write_failure`
turn them into one line each.
"""

from __future__ import annotations

import re
from pathlib import Path

import opentimelineio as otio

from postprod.errors import InterchangeError

#: The exceptions adapters raise on bad input (their own kinds derive from these or are caught by module).
ADAPTER_FAILURES: tuple[type[BaseException], ...] = (
    otio.exceptions.OTIOError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,
    UnicodeDecodeError,
    OSError,
    RuntimeError,
    ZeroDivisionError,
)

#: Modules whose own exception classes mean "this file is bad", not "postprod is broken".
_PARSER_MODULES = (
    "xml",
    "aaf2",
    "lxml",
    "otio_aaf_adapter",
    "otio_fcp_adapter",
    "otio_fcpx_xml_adapter",
)


def is_bad_input(error: BaseException) -> bool:
    """Whether an exception from an adapter says the file is bad (rather than a bug of ours)."""
    return isinstance(error, ADAPTER_FAILURES) or type(error).__module__.split(".")[0] in (
        _PARSER_MODULES
    )


def reason(error: BaseException) -> str:
    """The first line of an exception's text, or its type if it has none."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def read_failure(source: Path, error: BaseException, where: str | None = None) -> InterchangeError:
    """An adapter's read failure as one line: file, line or element, what, what to do."""
    if where is None and isinstance(error, UnicodeDecodeError) and source.is_file():
        with open(source, "rb") as handle:
            line_number = handle.read(error.start).count(b"\n") + 1
        where = f"{source}, line {line_number}, byte {error.start}"
    if where is None:
        line = re.search(r"line (\d+)(?:, column (\d+))?", str(error), re.IGNORECASE)
        if line:
            where = f"{source}, line {line.group(1)}" + (
                f", column {line.group(2)}" if line.group(2) else ""
            )
        else:
            where = str(source)
    return InterchangeError(
        f"{source.name} could not be read ({type(error).__name__}: {reason(error)})",
        where=where,
        fix="check the file in the tool that made it, or re-export it",
    )


def write_failure(target: Path, adapter: str, error: BaseException) -> InterchangeError:
    """An adapter's write refusal as one line."""
    return InterchangeError(
        f"cannot write {target.name} as {adapter} ({type(error).__name__}: {reason(error)})",
        where=str(target),
        fix="export to .otio, which keeps everything",
    )
