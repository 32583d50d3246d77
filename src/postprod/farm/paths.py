"""Path mapping: media mounted at another path on the workers (``--map /mnt/a=/Volumes/a``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from postprod.errors import RenderError
from postprod.planner.plan import RenderPlan, Source, VideoSpan


@dataclass(frozen=True, slots=True)
class PathMap:
    """Paths that start with ``here`` (as the job's machine sees them) start with ``there``
    on the workers."""

    here: str
    there: str

    @staticmethod
    def parse(text: str) -> PathMap:
        here, sep, there = text.partition("=")
        if not sep or not here or not there:
            raise RenderError(
                f"path mapping {text!r} is not FROM=TO",
                fix="for example --map /mnt/media=/Volumes/media",
            )
        return PathMap(here.rstrip("/") or "/", there.rstrip("/") or "/")

    def apply(self, path: str) -> str:
        if path == self.here:
            return self.there
        prefix = self.here if self.here.endswith("/") else self.here + "/"
        if path.startswith(prefix):
            return self.there.rstrip("/") + "/" + path[len(prefix) :]
        return path


def map_path(path: str, maps: tuple[PathMap, ...]) -> str:
    """``path`` as the workers see it: the first mapping whose prefix it starts with."""
    for mapping in maps:
        mapped = mapping.apply(path)
        if mapped != path:
            return mapped
    return path


def map_plan(plan: RenderPlan, maps: tuple[PathMap, ...]) -> RenderPlan:
    """The plan with every media path mapped (titles and slates have no file)."""
    if not maps:
        return plan

    def source(value: Source | None) -> Source | None:
        if value is None or value.title is not None:
            return value
        return replace(value, path=map_path(value.path, maps))

    def spans(track: tuple[VideoSpan, ...]) -> tuple[VideoSpan, ...]:
        return tuple(replace(s, a=source(s.a), b=source(s.b)) for s in track)

    tracks = tuple(
        replace(
            track,
            segments=tuple(replace(s, path=map_path(s.path, maps)) for s in track.segments),
        )
        for track in plan.tracks
    )
    return replace(
        plan,
        video=spans(plan.video),
        overlays=tuple(spans(track) for track in plan.overlays),
        tracks=tracks,
    )
