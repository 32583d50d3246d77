"""Sound of any common rate and channel count, non-finite samples, and hostile option values."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from . import hostile
from .harness import assert_handled, run

RATES = (8_000, 22_050, 44_100, 48_000, 96_000, 192_000)
CHANNELS = (1, 2, 3, 6, 8)
READERS = {
    "loudness": ["loudness", "{IN}", "--json"],
    "normalize": ["normalize", "{IN}", "-o", "{D}/out.wav", "--target", "-23"],
    "clean": ["clean", "{IN}", "-o", "{D}/out.wav"],
    "probe": ["probe", "{IN}", "--json"],
}


def _args(template: list[str], source: Path, folder: Path) -> list[str]:
    return [a.replace("{IN}", str(source)).replace("{D}", str(folder)) for a in template]


#: In the default run a diagonal of the grid; the whole grid is a long case.
QUICK = {(8_000, 1), (44_100, 2), (48_000, 3), (96_000, 6), (192_000, 8)}
GRID = [
    pytest.param(
        command, rate, channels, marks=[] if (rate, channels) in QUICK else [pytest.mark.long]
    )
    for command in ("loudness", "normalize", "clean")
    for rate in RATES
    for channels in CHANNELS
]


@pytest.mark.parametrize(("command", "rate", "channels"), GRID)
def test_any_rate_and_channel_count(
    command: str,
    rate: int,
    channels: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    record_property,
) -> None:
    record_property("kind", "sound: rates and channels")
    source = hostile.good_wav(tmp_path / "in.wav", rate=rate, channels=channels, seconds=0.5)
    outcome = run(_args(READERS[command], source, tmp_path), capsys, watch=tmp_path)
    assert_handled(outcome, allowed=["out.wav"])
    if outcome.status == 0 and command != "loudness":
        import soundfile

        data, written_rate = soundfile.read(tmp_path / "out.wav", always_2d=True)
        assert data.shape[1] == channels and np.isfinite(data).all()
        assert abs(data.shape[0] / written_rate - 0.5) < 0.01


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
@pytest.mark.parametrize("command", [*READERS, "fx", "qc", "mix-of-it"])
def test_non_finite_samples_are_refused(
    command: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "sound: NaN/Inf samples")
    source = hostile.nonfinite_wav(tmp_path / "in.wav", float(value))
    if command == "fx":
        args = ["fx", "apply", source, "-o", tmp_path / "out.wav", "--preset", "telephone"]
    elif command == "qc":
        args = ["qc", source, "--preset", "ebu-r128"]
    elif command == "mix-of-it":
        project = hostile.project(tmp_path)
        (tmp_path / "dx.wav").write_bytes(source.read_bytes())
        args = ["mix", project, "-o", tmp_path / "out.wav"]
    else:
        args = _args(READERS[command], source, tmp_path)
    outcome = run(args, capsys, watch=tmp_path)
    assert_handled(outcome)
    if command != "probe":  # probing reads no samples
        assert outcome.status == 2


#: Option values a user may type by mistake (or on purpose), by command.
OPTION_VALUES: dict[str, list[str]] = {
    "normalize-target-nan": ["normalize", "{W}", "-o", "{D}/o.wav", "--target", "nan"],
    "normalize-true-peak-inf": [
        "normalize",
        "{W}",
        "-o",
        "{D}/o.wav",
        "--target",
        "-23",
        "--true-peak",
        "inf",
    ],
    "clean-reduction-nan": ["clean", "{W}", "-o", "{D}/o.wav", "--reduction-db", "nan"],
    "mix-tail-1e12": ["mix", "{P}", "-o", "{D}/o.wav", "--tail", "1e12"],
    "mix-tail-negative": ["mix", "{P}", "-o", "{D}/o.wav", "--tail", "-1"],
    "mix-tail-nan": ["mix", "{P}", "-o", "{D}/o.wav", "--tail", "nan"],
    "mix-sample-rate-0": ["mix", "{P}", "-o", "{D}/o.wav", "--sample-rate", "0"],
    "ltc-duration-1e9": [
        "tc",
        "ltc",
        "encode",
        "--start",
        "01:00:00:00",
        "-r",
        "25",
        "--duration",
        "1e9",
        "-o",
        "{D}/o.wav",
    ],
    "ltc-sample-rate-0": [
        "tc",
        "ltc",
        "encode",
        "--start",
        "01:00:00:00",
        "-r",
        "25",
        "--duration",
        "1",
        "--sample-rate",
        "0",
        "-o",
        "{D}/o.wav",
    ],
    "mtc-duration-1e9": [
        "tc",
        "mtc",
        "encode",
        "--start",
        "01:00:00:00",
        "-r",
        "25",
        "--duration",
        "1e9",
        "-o",
        "{D}/o.mid",
    ],
    "mtc-duration-nan": [
        "tc",
        "mtc",
        "encode",
        "--start",
        "01:00:00:00",
        "-r",
        "25",
        "--duration",
        "nan",
        "-o",
        "{D}/o.mid",
    ],
    "new-rate-1-over-0": ["new", "{D}/n.otio", "--name", "x", "--rate", "1/0"],
    "new-rate-nan": ["new", "{D}/n.otio", "--name", "x", "--rate", "nan"],
    "new-sample-rate-0": ["new", "{D}/n.otio", "--name", "x", "--rate", "25", "--sample-rate", "0"],
    "tc-frames-rate-0": ["tc", "frames", "01:00:00:00", "--rate", "0"],
    "qc-duration-nan": ["qc", "{W}", "--preset", "ebu-r128", "--duration", "nan"],
    "autocut-margin-negative": ["autocut", "{W}", "-o", "{D}/o.otio", "--margin", "-1"],
    "autocut-min-pause-inf": ["autocut", "{W}", "-o", "{D}/o.otio", "--min-pause", "inf"],
    "sfx-duration-1e9": ["sfx", "wind", "--duration", "1e9", "-o", "{D}/o.wav"],
    "sfx-sample-rate-0": [
        "sfx",
        "wind",
        "--duration",
        "1",
        "--sample-rate",
        "0",
        "-o",
        "{D}/o.wav",
    ],
    "record-duration-nan": ["record", "{P}", "--input", "file:{W}", "--duration", "nan"],
    "record-rate-0": ["record", "{P}", "--input", "file:{W}", "--duration", "1", "--rate", "0"],
    "sfx-recipe-binary": ["sfx", "recipe", "{B}", "-o", "{D}/o.wav"],
    "project-name-with-newline": ["inspect", "{D}/a\nerror: forged.otio"],
}


@pytest.mark.parametrize("case", list(OPTION_VALUES))
def test_hostile_option_values(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "option values")
    project = hostile.project(tmp_path)
    wav = hostile.good_wav(tmp_path / "in.wav")
    binary = tmp_path / "r.toml"
    binary.write_bytes(bytes(range(256)) * 4)
    names = {"{P}": str(project), "{W}": str(wav), "{D}": str(tmp_path), "{B}": str(binary)}
    args = []
    for part in OPTION_VALUES[case]:
        for key, value in names.items():
            part = part.replace(key, value)
        args.append(part)
    outcome = run(args, capsys, watch=tmp_path)
    assert_handled(outcome, allowed=["o.otio", "o.otio.history"])  # autocut may cut nothing
    if not case.startswith("autocut"):
        assert outcome.status == 2, outcome.out[-300:]


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("sfx-recipe", '[[layer]]\ngenerator = "impact"\ngain_db = nan\n'),
        ("sfx-recipe", '[[layer]]\ngenerator = "impact"\nat_s = inf\n'),
        ("qc-preset", 'name = "x"\ndescription = "x"\ntarget_lufs = nan\n'),
    ],
)
def test_non_finite_numbers_in_data_files(
    command: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "option values")
    data = tmp_path / "data.toml"
    data.write_text(text)
    wav = hostile.good_wav(tmp_path / "in.wav")
    if command == "sfx-recipe":
        args = ["sfx", "recipe", data, "-o", tmp_path / "o.wav"]
    else:
        args = ["qc", wav, "--preset", data]
    outcome = run(args, capsys, watch=tmp_path)
    assert_handled(outcome)
    assert outcome.status == 2


def test_a_qc_of_silence_is_logged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "sound: NaN/Inf samples")
    silent = tmp_path / "silent.wav"
    silent.write_bytes(hostile.wav_bytes(np.zeros((2, 48_000), np.float32), 48_000))
    outcome = run(["qc", silent, "--preset", "ebu-r128"], capsys)
    assert outcome.status == 3 and "not logged" not in outcome.err  # a failed check, logged
    shown = run(["log", "show", "--json"], capsys)
    assert any(entry["kind"] == "qc" for entry in json.loads(shown.out))


def test_a_length_in_frames_is_not_taken_for_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "option values")
    project = hostile.project(tmp_path)
    args = ["edit", project, "add-marker", "--at", "0", "--name", "m", "--duration", "250000"]
    outcome = run(args, capsys)  # 250,000 frames: 2.8 h at 25 fps, not 250,000 s
    assert_handled(outcome)
    assert outcome.status == 0
