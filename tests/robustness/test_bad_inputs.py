"""Every command that reads a file, given what a careless or hostile user might give it.

Each case: a correct result or one ``error:`` line with exit 2, no traceback, no
file left behind (see harness.Outcome.problems).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import hostile
from .harness import assert_handled, run

#: Commands that read one media file IN (written to the case's folder) and may write OUT.
MEDIA_READERS: dict[str, tuple[str, list[str]]] = {
    "probe": (".wav", ["probe", "{IN}"]),
    "probe-video": (".mp4", ["probe", "{IN}"]),
    "loudness": (".wav", ["loudness", "{IN}"]),
    "normalize": (".wav", ["normalize", "{IN}", "-o", "{OUT}.wav", "--target", "-23"]),
    "qc": (".wav", ["qc", "{IN}", "--preset", "ebu-r128"]),
    "clean": (".wav", ["clean", "{IN}", "-o", "{OUT}.wav"]),
    "fx-apply": (".wav", ["fx", "apply", "{IN}", "-o", "{OUT}.wav", "--preset", "telephone"]),
    "autocut": (".wav", ["autocut", "{IN}", "-o", "{OUT}.otio", "--rate", "25"]),
    "sync": (".wav", ["sync", "{GOOD}", "{IN}"]),
    "ltc-decode": (".wav", ["tc", "ltc", "decode", "{IN}"]),
    "adr-align": (".wav", ["adr", "align", "{GOOD}", "{IN}", "-o", "{OUT}.wav"]),
    "import-edl": (".edl", ["import", "{IN}", "-o", "{OUT}.otio", "--rate", "25"]),
    "import-xml": (".xml", ["import", "{IN}", "-o", "{OUT}.otio"]),
    "import-otioz": (".otioz", ["import", "{IN}", "-o", "{OUT}.otio"]),
    "sfx-recipe": (".toml", ["sfx", "recipe", "{IN}", "-o", "{OUT}.wav"]),
}


def _args(template: list[str], folder: Path, source: Path) -> list[str]:
    good = folder / "good.wav"
    if not good.exists():
        hostile.good_wav(good)
    names = {"{IN}": str(source), "{OUT}": str(folder / "out"), "{GOOD}": str(good)}
    return [names.get(part, part).replace("{OUT}", str(folder / "out")) for part in template]


MEDIA_CASES = [
    (command, kind)
    for command, (suffix, _) in MEDIA_READERS.items()
    for kind in hostile.BAD_MEDIA
    if kind != "truncated" or suffix in (".wav", ".mp4")
]


@pytest.mark.parametrize(("command", "kind"), MEDIA_CASES)
def test_bad_media(
    command: str, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", f"bad file: {kind}")
    suffix, template = MEDIA_READERS[command]
    hostile.good_wav(tmp_path / "good.wav")
    source = hostile.BAD_MEDIA[kind](tmp_path / f"input{suffix}")
    outcome = run(_args(template, tmp_path, source), capsys, watch=tmp_path)
    assert_handled(outcome)
    assert outcome.status == 2, f"a {kind} input was accepted: {outcome.out[-300:]}"


#: Commands that read a project P.
PROJECT_READERS: dict[str, list[str]] = {
    "inspect": ["inspect", "{P}"],
    "timeline-show": ["timeline", "show", "{P}"],
    "mixer-show": ["mixer", "{P}", "show"],
    "edit-add-marker": ["edit", "{P}", "add-marker", "--at", "0", "--name", "m"],
    "render": ["render", "{P}", "-o", "{OUT}.mp4", "--proxy"],
    "mix": ["mix", "{P}", "-o", "{OUT}.wav"],
    "export-edl": ["export", "{P}", "-o", "{OUT}.edl"],
    "export-xml": ["export", "{P}", "-o", "{OUT}.xml"],
    "deliver": ["deliver", "{P}", "--preset", "ebu-r128", "-o", "{OUT}"],
    "relink": ["relink", "{P}", "--search", "{DIR}", "-o", "{OUT}.otio"],
    "autocut": ["autocut", "{P}", "-o", "{OUT}.otio"],
}

PROJECT_KINDS = [*hostile.BAD_MEDIA, "garbage-json", *hostile.HOSTILE_PROJECTS]
PROJECT_KINDS.remove("truncated")


def _project_args(template: list[str], folder: Path, project: Path) -> list[str]:
    names = {"{P}": str(project), "{DIR}": str(folder)}
    return [names.get(part, part).replace("{OUT}", str(folder / "out")) for part in template]


#: Commands every hostile project is tried on in the default run (the rest: long cases).
QUICK_PROJECT_READERS = ("inspect", "edit-add-marker", "mix", "render", "export-edl")
PROJECT_CASES = [
    pytest.param(
        command, kind, marks=[] if command in QUICK_PROJECT_READERS else [pytest.mark.long]
    )
    for command in PROJECT_READERS
    for kind in PROJECT_KINDS
]


@pytest.mark.parametrize(("command", "kind"), PROJECT_CASES)
def test_hostile_project(
    command: str, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", f"project: {kind}")
    if kind in hostile.BAD_MEDIA:
        path = hostile.BAD_MEDIA[kind](tmp_path / "show.otio")
    else:
        path = hostile.hostile_project(tmp_path, kind)
    outcome = run(_project_args(PROJECT_READERS[command], tmp_path, path), capsys, watch=tmp_path)
    allowed = [name for name in outcome.new_files if name.startswith("show.otio.history")]
    assert_handled(outcome, allowed=allowed)
