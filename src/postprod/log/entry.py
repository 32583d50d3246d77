"""Log entries and their typed details, and the hash that chains them.

An entry's ``details`` are stored as JSON text; at the boundary they become a
typed object chosen by the entry's kind (a recording take, a broadcast item,
a product with its output files, or free notes). Keys a type does not know
are kept in ``extra``, so nothing a caller logged is ever dropped, and
``to_dict()`` gives back exactly what is stored (and hashed).

The hash of an entry is ``sha256(prev_hash + canonical_json(fields))`` where
the fields are ``at, kind, project, channel, operator, note, details,
corrects`` and canonical JSON has sorted keys and no spaces.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Literal, Self, TypeAlias

from postprod.errors import LogError

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry."""

RECORDING_KINDS = ("recording",)
PRODUCT_KINDS = ("render", "mix", "delivery", "qc", "import", "export", "edit")
BROADCAST_KINDS = ("broadcast",)
NOTE_KINDS = ("note", "correction", "session")
KINDS = RECORDING_KINDS + PRODUCT_KINDS + BROADCAST_KINDS + NOTE_KINDS
STATUSES = ("aired", "cut", "replaced", "skipped")
#: How a status reads in reports: ``cut`` is stored (the first release's word) for cut short.
STATUS_LABELS = {"aired": "aired", "cut": "cut short", "replaced": "replaced", "skipped": "skipped"}
#: The frame rate an as-run entry's timecodes count in when it names none.
DEFAULT_AS_RUN_RATE = "25"

BroadcastStatus: TypeAlias = Literal["aired", "cut", "replaced", "skipped"]


def parse_status(text: str) -> BroadcastStatus:
    """A status as typed (``cut short``, ``cut-short`` and ``cut`` are one) as stored."""
    key = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    key = "cut" if key == "cut short" else key
    if key not in STATUSES:
        raise LogError(
            f"broadcast status {text!r} is not one of aired, cut short, replaced, skipped",
            fix="use aired, cut (cut short), replaced or skipped",
        )
    return key  # type: ignore[return-value]


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the same data always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, hashed_fields: Mapping[str, Any]) -> str:
    """SHA-256 of the previous entry's hash and this entry's canonical JSON."""
    return hashlib.sha256((prev_hash + canonical_json(dict(hashed_fields))).encode()).hexdigest()


def _number(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise LogError(f"log detail {key} must be a number, not {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise LogError(f"log detail {key} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise LogError(f"log detail {key} must be finite, not {value!r}")
    return number


def _integer(data: Mapping[str, Any], key: str) -> int | None:
    number = _number(data, key)
    if number is None:
        return None
    if number != int(number):
        raise LogError(f"log detail {key} must be a whole number, not {data[key]!r}")
    return int(number)


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _flag(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise LogError(f"log detail {key} must be true or false, not {value!r}")


class _Details:
    """Shared behaviour: dict round trip (known fields plus ``extra``) and mapping-style reads."""

    __slots__ = ()
    KNOWN: ClassVar[tuple[str, ...]] = ()
    extra: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form, exactly as stored and hashed (``None`` fields left out)."""
        data: dict[str, Any] = dict(self.extra)
        for item in fields(self):  # type: ignore[arg-type]
            if item.name == "extra":
                continue
            value = getattr(self, item.name)
            if isinstance(value, tuple):
                value = [v.to_dict() if isinstance(v, OutputFile) else v for v in value]
            if value is not None:
                data[item.name] = value
        return data

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict().get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    @classmethod
    def _extra(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k not in cls.KNOWN}


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A file a command wrote, with its SHA-256 so a later copy can be checked against it."""

    path: str
    sha256: str
    size_bytes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "sha256": self.sha256}
        if self.size_bytes is not None:
            data["size_bytes"] = self.size_bytes
        return data

    @classmethod
    def from_dict(cls, data: Any) -> OutputFile:
        if not isinstance(data, Mapping) or "path" not in data or "sha256" not in data:
            raise LogError(f"a logged output needs a path and a sha256, not {data!r}")
        return cls(str(data["path"]), str(data["sha256"]), _integer(data, "size_bytes"))


@dataclass(frozen=True, slots=True)
class RecordingTake(_Details):
    """A recorded take: where it went, what came in, how long and how loud."""

    KNOWN: ClassVar[tuple[str, ...]] = (
        "track",
        "input",
        "start_timecode",
        "duration_s",
        "sample_rate",
        "file",
        "sha256",
        "peak_dbfs",
        "loudness_lufs",
    )
    track: str | None = None
    input: str | None = None
    start_timecode: str | None = None
    duration_s: float | None = None
    sample_rate: int | None = None
    file: str | None = None
    sha256: str | None = None
    peak_dbfs: float | None = None
    loudness_lufs: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            track=_text(data, "track"),
            input=_text(data, "input"),
            start_timecode=_text(data, "start_timecode"),
            duration_s=_number(data, "duration_s"),
            sample_rate=_integer(data, "sample_rate"),
            file=_text(data, "file"),
            sha256=_text(data, "sha256"),
            peak_dbfs=_number(data, "peak_dbfs"),
            loudness_lufs=_number(data, "loudness_lufs"),
            extra=cls._extra(data),
        )


@dataclass(frozen=True, slots=True)
class BroadcastItem(_Details):
    """One event of a channel's play-out, as run: what was due, when it aired, how it ended.

    ``house_id`` is the station's number for the material (BXF's house
    number); ``scheduled_at`` and ``aired_at`` are station wall-clock date and
    time; ``status`` is aired, cut (cut short), replaced or skipped (never went
    to air: no ``aired_at``), and ``reason`` says why when it was not aired as
    scheduled; ``rate`` is the frame rate its timecodes count in (the
    channel's; 25 when not given).
    """

    KNOWN: ClassVar[tuple[str, ...]] = (
        "programme",
        "house_id",
        "scheduled_at",
        "aired_at",
        "duration_s",
        "loudness_lufs",
        "status",
        "reason",
        "rate",
        "file",
        "sha256",
    )
    programme: str = ""
    house_id: str | None = None
    scheduled_at: str | None = None
    aired_at: str | None = None
    duration_s: float | None = None
    loudness_lufs: float | None = None
    status: BroadcastStatus = "aired"
    reason: str | None = None
    rate: str | None = None
    file: str | None = None
    sha256: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            programme=str(data.get("programme") or ""),
            house_id=_text(data, "house_id"),
            scheduled_at=_text(data, "scheduled_at"),
            aired_at=_text(data, "aired_at"),
            duration_s=_number(data, "duration_s"),
            loudness_lufs=_number(data, "loudness_lufs"),
            status=parse_status(str(data.get("status") or "aired")),
            reason=_text(data, "reason"),
            rate=_text(data, "rate"),
            file=_text(data, "file"),
            sha256=_text(data, "sha256"),
            extra=cls._extra(data),
        )

    @property
    def start(self) -> str | None:
        """When it started, or was due to for an item that never aired."""
        return self.aired_at or self.scheduled_at


@dataclass(frozen=True, slots=True)
class Product(_Details):
    """A render, mix, delivery, QC run, import, export or edit: what it made and how it measured."""

    KNOWN: ClassVar[tuple[str, ...]] = (
        "outputs",
        "preset",
        "passed",
        "loudness_lufs",
        "true_peak_dbtp",
        "operation",
    )
    outputs: tuple[OutputFile, ...] = ()
    preset: str | None = None
    passed: bool | None = None
    loudness_lufs: float | None = None
    true_peak_dbtp: float | None = None
    operation: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        outputs = data.get("outputs") or []
        if not isinstance(outputs, list | tuple):
            raise LogError(f"log detail outputs must be a list, not {outputs!r}")
        return cls(
            outputs=tuple(OutputFile.from_dict(o) for o in outputs),
            preset=_text(data, "preset"),
            passed=_flag(data, "passed"),
            loudness_lufs=_number(data, "loudness_lufs"),
            true_peak_dbtp=_number(data, "true_peak_dbtp"),
            operation=_text(data, "operation"),
            extra=cls._extra(data),
        )

    def to_dict(self) -> dict[str, Any]:
        data = _Details.to_dict(self)
        if not self.outputs:
            data.pop("outputs", None)
        return data


@dataclass(frozen=True, slots=True)
class Notes(_Details):
    """Details of a note, a correction or a session: free keys only."""

    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(extra=dict(data))


Details: TypeAlias = RecordingTake | BroadcastItem | Product | Notes

_TYPES: dict[str, type[RecordingTake] | type[BroadcastItem] | type[Product] | type[Notes]] = {
    **dict.fromkeys(RECORDING_KINDS, RecordingTake),
    **dict.fromkeys(BROADCAST_KINDS, BroadcastItem),
    **dict.fromkeys(PRODUCT_KINDS, Product),
}


def details_type(
    kind: str,
) -> type[RecordingTake] | type[BroadcastItem] | type[Product] | type[Notes]:
    """The details class for a kind (free notes for kinds without a typed form)."""
    return _TYPES.get(kind, Notes)


def parse_details(kind: str, data: Details | Mapping[str, Any] | None) -> Details:
    """Typed details for ``kind`` from a mapping (or check an object already typed)."""
    expected = details_type(kind)
    if data is None:
        data = {}
    if isinstance(data, RecordingTake | BroadcastItem | Product | Notes):
        if not isinstance(data, expected):
            raise LogError(
                f"a {kind} entry takes {expected.__name__} details, not {type(data).__name__}"
            )
        return expected.from_dict(json.loads(canonical_json(data.to_dict())))
    if not isinstance(data, Mapping):
        raise LogError(f"log details must be a mapping, not {type(data).__name__}")
    try:  # through JSON: what is stored is exactly what is hashed and read back
        plain = json.loads(
            json.dumps(dict(data), sort_keys=True, ensure_ascii=False, default=_plain)
        )
    except (TypeError, ValueError) as error:
        raise LogError(f"log details cannot be stored as JSON ({error})") from None
    return expected.from_dict(plain)


def read_details(kind: str, text: str) -> Details:
    """Details as stored; data an older version wrote that no longer parses stays as free notes."""
    try:
        data = json.loads(text)
    except ValueError:
        return Notes(extra={"unreadable_details": text})
    if not isinstance(data, dict):
        return Notes(extra={"value": data})
    try:
        return details_type(kind).from_dict(data)
    except LogError:
        return Notes(extra=data)


def _plain(value: Any) -> Any:
    """NumPy scalars and paths as plain JSON values (other layers measure with NumPy)."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def check_kind(kind: str) -> str:
    """``kind`` if it is one the log knows."""
    if kind not in KINDS:
        raise LogError(f"unknown log kind {kind!r}", fix=f"use one of {', '.join(KINDS)}")
    return kind


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the log, as stored: never changed once written."""

    id: int
    kind: str
    at: str
    project: str
    channel: str
    operator: str
    note: str
    details: Details
    corrects: int | None
    prev_hash: str
    hash: str

    def hashed_fields(self) -> dict[str, Any]:
        """The fields the hash covers (everything but the id and the hashes)."""
        return {
            "at": self.at,
            "kind": self.kind,
            "project": self.project,
            "channel": self.channel,
            "operator": self.operator,
            "note": self.note,
            "details": self.details.to_dict(),
            "corrects": self.corrects,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form (``log show --json``, the JSON export)."""
        return {
            "id": self.id,
            **self.hashed_fields(),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }
