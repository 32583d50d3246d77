#!/usr/bin/env python3
"""Beat tracking: postprod's tracker against librosa's, on synthetic music with known beats.

Makes the set (``postprod.audio.music``: drums and chords, 44.1 kHz mono 16-bit WAVs in
$TMPDIR/bench-media/beats): per class (steady 60-180 BPM in 4/4, 3/4, swing, noise and
reverb, a tempo change, a ritardando) a few 30 s pieces, and one hour made of 120 such
pieces back to back. Each tracker runs in its own process under GNU time (wall seconds,
peak RSS): postprod from this environment, librosa 0.11 from its own virtual
environment ``bench/.venv-librosa``, made here with ``python -m venv`` and ``pip
install librosa`` when missing (never a dependency of postprod): ``beat.beat_track``
with its defaults (one tempo per file), and "librosa-dynamic": a tempo per frame from
``feature.tempo(aggregate=None)`` passed as ``bpm``, so it can follow tempo changes.
Scores are mir_eval's beat F-measure (+-70 ms, a maximum matching, without the 5 s
trim); downbeats for postprod only (librosa has no downbeat tracker).

    .venv/bin/python bench/beats.py [--pieces 3] [--skip-hour] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-librosa"
SECONDS = 30.0
RATE = 44100


def _classes() -> dict[str, list[tuple[object, object]]]:
    from postprod.audio.music import Style, Tempo

    return {
        "steady 4/4": [(Tempo(b), Style(seed=k)) for k, b in enumerate((60, 95, 120, 150, 180))],
        "3/4": [(Tempo(b), Style(metre=3, seed=10 + k)) for k, b in enumerate((84, 108, 140))],
        "swing": [
            (Tempo(b), Style(swing=1 / 3, seed=20 + k)) for k, b in enumerate((96, 116, 132))
        ],
        "noise+reverb": [
            (Tempo(b), Style(metre=m, noise_db=12, reverb_s=1.2, seed=30 + k))
            for k, (b, m) in enumerate(((88, 4), (125, 4), (102, 3)))
        ],
        "tempo change": [
            (Tempo(a, b, 15.0), Style(seed=40 + k))
            for k, (a, b) in enumerate(((100, 130), (128, 96), (90, 120)))
        ],
        "ritardando": [
            (Tempo(a, b, 12.0, 14.0), Style(metre=m, seed=50 + k))
            for k, (a, b, m) in enumerate(((130, 90, 4), (120, 80, 3), (92, 124, 4)))
        ],
    }


def make_set(folder: Path, pieces: int) -> dict[str, list[dict[str, object]]]:
    """The WAVs and their truth, per class (cached: made once)."""
    import numpy as np

    from postprod.audio.music import compose
    from postprod.media.audio_write import write_audio

    folder.mkdir(parents=True, exist_ok=True)
    made: dict[str, list[dict[str, object]]] = {}
    for name, cases in _classes().items():
        for k, (tempo, style) in enumerate(cases[:pieces]):
            path = folder / f"{name.replace(' ', '_').replace('/', '-').replace('+', '_')}_{k}.wav"
            truth = path.with_suffix(".json")
            if not truth.exists():
                music, score = compose(SECONDS, tempo, style, sample_rate=RATE)  # type: ignore[arg-type]
                write_audio(path, np.clip(music, -1, 1), RATE, bit_depth="16")
                truth.write_text(
                    json.dumps(
                        {"beats": score.beats_s.tolist(), "downbeats": score.downbeats_s.tolist()}
                    )
                )
            made.setdefault(name, []).append({"path": str(path), **json.loads(truth.read_text())})
    return made


def make_hour(folder: Path) -> tuple[Path, dict[str, list[float]]]:
    """An hour: 120 pieces of 30 s from every class in turn, written block by block."""
    import numpy as np

    from postprod.audio.music import compose
    from postprod.media.audio_write import write_audio

    path = folder / "hour.wav"
    truth_path = folder / "hour.json"
    if path.exists() and truth_path.exists():
        return path, json.loads(truth_path.read_text())
    cases = [case for group in _classes().values() for case in group]
    beats: list[float] = []
    downbeats: list[float] = []

    def blocks():  # type: ignore[no-untyped-def]
        for k in range(120):
            tempo, style = cases[k % len(cases)]
            music, score = compose(SECONDS, tempo, style, sample_rate=RATE)  # type: ignore[arg-type]
            beats.extend((score.beats_s + k * SECONDS).tolist())
            downbeats.extend((score.downbeats_s + k * SECONDS).tolist())
            yield np.clip(music, -1, 1)

    write_audio(path, blocks(), RATE, bit_depth="16")
    truth = {"beats": beats, "downbeats": downbeats}
    truth_path.write_text(json.dumps(truth))
    return path, truth


def f_measure(reference: list[float], estimated: list[float], window_s: float = 0.07) -> float:
    """mir_eval.beat.f_measure without the 5 s trim (a maximum matching within the window)."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    ref, est = np.asarray(reference), np.asarray(estimated)
    if ref.size == 0 or est.size == 0:
        return 0.0
    # only near pairs: both lists are sorted, so each reference looks at a few estimates
    lo = np.searchsorted(est, ref - window_s)
    hi = np.searchsorted(est, ref + window_s, side="right")
    rows = np.repeat(np.arange(ref.size), hi - lo)
    cols = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)] or [[]])
    graph = csr_matrix((np.ones(rows.size), (rows, cols.astype(int))), shape=(ref.size, est.size))
    hits = int(np.sum(maximum_bipartite_matching(graph, perm_type="column") >= 0))
    if hits == 0:
        return 0.0
    precision, recall = hits / est.size, hits / ref.size
    return 2 * precision * recall / (precision + recall)


def worker(kind: str, paths: list[str]) -> None:
    """Track every file (one process, as a user would) and print JSON: beats per file."""
    out = []
    if kind == "postprod":
        from postprod.workflows.beats import analyse_file

        for path in paths:
            rhythm = analyse_file(path)
            out.append({"beats": list(rhythm.beats_s), "downbeats": list(rhythm.downbeats_s)})
    else:
        import librosa

        for path in paths:
            y, sr = librosa.load(path, sr=22050, mono=True)
            if kind == "librosa":  # its defaults: one tempo for the whole file
                _, beats = librosa.beat.beat_track(y=y, sr=sr, units="time")
            else:  # a tempo per frame (feature.tempo, aggregate=None) for the tracker to follow
                env = librosa.onset.onset_strength(y=y, sr=sr)
                tempo = librosa.feature.tempo(onset_envelope=env, sr=sr, aggregate=None)
                _, beats = librosa.beat.beat_track(
                    onset_envelope=env, sr=sr, bpm=tempo, units="time"
                )
            out.append({"beats": [float(t) for t in beats], "downbeats": []})
    print(json.dumps(out))


def librosa_python() -> str:
    """The librosa environment's Python, made on first use."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "librosa"], check=True)
    return str(python)


def run(
    python: str, kind: str, paths: list[str]
) -> tuple[list[dict[str, list[float]]], float, int]:
    """Results, wall seconds and peak RSS (MB) of one worker process."""
    command = [python, str(Path(__file__).resolve()), "--worker", kind, *paths]
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{kind} failed:\n{done.stderr[-3000:]}")
    import re

    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return json.loads(done.stdout), elapsed, int(rss.group(1)) // 1024 if rss else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, default=3, help="pieces per class (max 3; 5 steady)")
    parser.add_argument("--skip-hour", action="store_true", help="only the per-class set")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each peer on the hour")
    args = parser.parse_args()
    media = Path(os.environ.get("BENCH_MEDIA", Path(tempfile.gettempdir()) / "bench-media"))
    folder = media / "beats"
    pieces = make_set(folder, max(args.pieces, 5))
    pieces = {
        name: items[: 5 if name == "steady 4/4" else args.pieces] for name, items in pieces.items()
    }
    peers = {
        "postprod": sys.executable,
        "librosa": librosa_python(),
        "librosa-dynamic": librosa_python(),
    }
    paths = [str(item["path"]) for items in pieces.values() for item in items]
    print(f"set: {len(paths)} pieces of {SECONDS:.0f} s in {folder}")
    found = {}
    for kind, python in peers.items():
        results, seconds, rss = run(python, kind, paths)
        found[kind] = results
        print(
            f"{kind:15s} set: {seconds:6.1f} s wall (one process, start-up included), peak {rss} MB"
        )
    print()
    print(f"{'class':14s} {'postprod beats F':>17s} {'downbeats F':>12s} {'librosa beats F':>16s}"
          f" {'librosa dynamic':>16s}")  # fmt: skip
    index = 0
    for name, items in pieces.items():
        scores: dict[str, list[float]] = {"down": [], **{kind: [] for kind in peers}}
        for item in items:
            for kind in peers:
                scores[kind].append(f_measure(item["beats"], found[kind][index]["beats"]))  # type: ignore[arg-type]
            scores["down"].append(
                f_measure(item["downbeats"], found["postprod"][index]["downbeats"])
            )  # type: ignore[arg-type]
            index += 1
        mean = {key: sum(v) / len(v) for key, v in scores.items()}
        print(f"{name:14s} {mean['postprod']:17.3f} {mean['down']:12.3f} {mean['librosa']:16.3f}"
              f" {mean['librosa-dynamic']:16.3f}")  # fmt: skip
    if args.skip_hour:
        return
    hour, truth = make_hour(folder)
    print()
    runs: dict[str, list[float]] = {kind: [] for kind in peers}
    peaks: dict[str, list[int]] = {kind: [] for kind in peers}
    scored: dict[str, str] = {}
    for _ in range(args.repeat):  # the peers in turn, so a busy spell hits each alike
        for kind, python in peers.items():
            (result,), seconds, rss = run(python, kind, [str(hour)])
            runs[kind].append(seconds)
            peaks[kind].append(rss)
            scored[kind] = f"beats F {f_measure(truth['beats'], result['beats']):.3f}"
            if kind == "postprod":
                down = f_measure(truth["downbeats"], result["downbeats"])
                scored[kind] += f", downbeats F {down:.3f}"
    median = {kind: sorted(v)[len(v) // 2] for kind, v in runs.items()}
    for kind in peers:
        every = ", ".join(f"{s:.1f}" for s in runs[kind])
        print(
            f"{kind:15s} hour: {median[kind]:6.1f} s wall (runs: {every}), "
            f"peak {max(peaks[kind]):5d} MB, {scored[kind]}"
        )
    for kind in ("librosa", "librosa-dynamic"):
        print(f"{kind} / postprod time on the hour: {median[kind] / median['postprod']:.2f}x")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3:])
    else:
        main()
