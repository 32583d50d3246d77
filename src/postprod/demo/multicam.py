"""The demo's multicam scene: a wide shot and two close-ups of a short talk, cut by who speaks.

Three small cameras (test cards of their own colour, the frame number in a barcode) roll
at start timecodes 10 and 30 frames apart, each recording the room; each close-up's
talker wears a microphone that rolled with its camera. Seven seconds: the first talker,
the second (a short "mm" from the first ignored), then both together for over two
seconds (the wide shot). The group is made with ``multicam create --sync timecode``'s operation, cut by
``multicam auto`` (the wide angle when both talk) with the room's sound from the wide
camera, its multiview rendered small and the switched programme exported as an EDL.
"""

from __future__ import annotations

import shutil
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from postprod.audio.synth import voice
from postprod.interchange.exporting import export_timeline
from postprod.interchange.losses import InterchangeWarning
from postprod.media.audio_write import write_audio
from postprod.media.writer import AudioSpec, MediaWriter, VideoSpec
from postprod.operations import Project
from postprod.operations.multicam import SetMulticamAudio
from postprod.operations.project import new_project
from postprod.render.multicam_view import render_multiview
from postprod.timeline.multicam import flatten
from postprod.video.patterns import test_card
from postprod.workflows.multicam import AutoSettings, auto_switch, create_operation, sync_angles

RATE = Fraction(25)
SAMPLE_RATE = 48000
SIZE = (320, 180)
SCENE_S = 7.0
#: (name, colour, start frame after 10:00:00:00, the talker it is close on: -1 the wide)
ANGLES = (
    ("wide", (90, 90, 110), 0, -1),
    ("close 1", (160, 70, 50), 10, 0),
    ("close 2", (50, 110, 160), 30, 1),
)
#: (talker, start s, end s, pitch Hz) on the scene's clock (the wide camera's)
TURNS = ((0, 0.3, 2.9, 120.0), (1, 3.1, 7.0, 205.0), (0, 3.9, 4.2, 120.0), (0, 4.6, 7.0, 120.0))


@dataclass(frozen=True, slots=True)
class MulticamScene:
    """What the multicam step wrote, and the cuts auto-switching chose."""

    project: Path
    multiview: Path
    edl: Path
    sources: tuple[Path, ...]
    cuts: tuple[tuple[float, int], ...]  # (seconds, angle)

    @property
    def files(self) -> tuple[Path, ...]:
        """The sources, the project, its undo journal (a folder), the multiview, the EDL."""
        journal = self.project.with_name(self.project.name + ".history")
        return (*self.sources, self.project, journal, self.multiview, self.edl)


def _talk() -> np.ndarray:
    """Each talker's voice on the scene's clock: float32 (2, samples)."""
    rng = np.random.default_rng(16)
    total = round(SCENE_S * SAMPLE_RATE)
    voices = np.zeros((2, total), np.float32)
    for talker, start, end, pitch in TURNS:
        syllables = [(t, 0.18, "aeiou"[int(t * 7) % 5]) for t in np.arange(0.0, end - start, 0.22)]
        said = voice(syllables, end - start, SAMPLE_RATE, f0_hz=pitch, rng=rng)
        first = round(start * SAMPLE_RATE)
        part = np.asarray(said, np.float32).reshape(-1)[: total - first]
        voices[talker, first : first + part.size] += 0.3 * part
    return voices


def make_multicam_scene(folder: Path) -> MulticamScene:
    """Write the scene's sources and project into ``folder`` (files named ``multicam*``
    and the cameras ``wide.mov``, ``close1.mov``, ``close2.mov``; the demo's own earlier
    ones replaced), cut and shown."""
    out = folder
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("multicam*"), *(out / f"{a[0].replace(' ', '')}.mov" for a in ANGLES)]:
        if old.is_dir():
            shutil.rmtree(old)
        else:
            old.unlink(missing_ok=True)
    voices = _talk()
    room = voices.sum(axis=0) * 0.7
    cameras, mics = [], {}
    frames = round(SCENE_S * float(RATE))
    per_frame = SAMPLE_RATE // int(RATE)
    for number, (name, colour, start, talker) in enumerate(ANGLES, start=1):
        path = out / f"{name.replace(' ', '')}.mov"  # the EDL's reel names: wide, close1
        skip = start * per_frame  # the camera rolled this much later: its sound starts later
        sound = room[skip:]
        timecode = f"10:00:{start // 25:02d}:{start % 25:02d}"
        with MediaWriter(
            path,
            video=VideoSpec(*SIZE, RATE),
            audio=AudioSpec(SAMPLE_RATE, 1),
            start_timecode=timecode,
        ) as writer:
            for index in range(frames - start):
                writer.write_video(test_card(*SIZE, index, colour))
                writer.write_audio(sound[None, index * per_frame : (index + 1) * per_frame])
        cameras.append(path)
        if talker >= 0:
            lav = voices[talker, skip:] + 0.12 * voices[1 - talker, skip:]
            mics[number] = write_audio(
                out / f"multicam_mic_{number}.wav", lav[None, :], SAMPLE_RATE
            )
    project = out / "multicam.otio"
    new_project(project, name="multicam scene", rate="25", start="10:00:00:00", size_px=SIZE)
    angles = sync_angles(cameras, method="timecode", names=[a[0] for a in ANGLES])
    session = Project(project)
    session.apply(create_operation("talk", angles, out), description="multicam create talk")
    settings = AutoSettings(min_shot_s=1.5)
    switched = auto_switch(session.timeline(), out, mics, 1, settings=settings)
    session.apply(*switched.operations, SetMulticamAudio("fixed", (1,)), description="auto")
    multiview = render_multiview(project, out / "multicam_multiview.mp4")
    timeline = session.timeline()
    flatten(timeline)
    with warnings.catch_warnings():  # the EDL names no tracks: known, not news in a demo
        warnings.simplefilter("ignore", InterchangeWarning)
        edl = export_timeline(timeline, out / "multicam.edl", media_folder=out)
    return MulticamScene(
        project,
        multiview,
        edl,
        (*cameras, *mics.values()),
        tuple((cut.at_s, cut.angle) for cut in switched.cuts),
    )


__all__ = ["MulticamScene", "make_multicam_scene"]
