"""Every command of the command line, by name, with the module that holds it.

A command's module is imported only when that command runs (or its help is
shown), so ``postprod --version`` and ``postprod tc frames`` do not pay for
SciPy, pedalboard or the OTIO adapters. Each entry is a Typer app (a group of
subcommands) or a function (one command), named ``module:attribute``, with the
one line that ``postprod --help`` shows for it (a test keeps that line equal
to the command's own).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entry:
    """Where a command lives and the line that describes it."""

    target: str  # "postprod.cli.module:attribute"
    summary: str

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]

    @property
    def attribute(self) -> str:
        return self.target.partition(":")[2]


COMMANDS: dict[str, Entry] = {
    "new": Entry(
        "postprod.cli.project:new_command",
        "Make a new, empty project with a video track V1 and stereo audio tracks A1 and A2.",
    ),
    "timeline": Entry(
        "postprod.cli.project:timeline_app",
        "A project's name, first timecode, picture size and sample rate: show or set them.",
    ),
    "track": Entry(
        "postprod.cli.project:track_app",
        "A project's tracks: add, rename, remove, move, lock, arm and list them.",
    ),
    "edit": Entry(
        "postprod.cli.edit:app",
        "Edit a project: insert, overwrite, trim, split, transitions, markers; undo and redo.",
    ),
    "inspect": Entry(
        "postprod.cli.timeline_view:inspect_command",
        "Show a project's tracks, clips, source and record timecodes, transitions and markers.",
    ),
    "tc": Entry("postprod.cli.tc:app", "Timecode: labels and frames, LTC audio, MIDI timecode."),
    "probe": Entry(
        "postprod.cli.probe:probe_command",
        "Show a media file's container, duration, streams and start timecode.",
    ),
    "render": Entry(
        "postprod.cli.render:render_command", "Render a project's picture and sound to one file."
    ),
    "record": Entry(
        "postprod.cli.record:record_command",
        "Record a take onto a track, with a level meter; Ctrl-C stops and keeps the take.",
    ),
    "demo": Entry(
        "postprod.cli.demo:demo_command",
        "Make a short programme from synthetic sources: project, render, R 128 master, QC report.",
    ),
    "loudness": Entry(
        "postprod.cli.loudness:loudness_command",
        "Measure loudness (ITU-R BS.1770-4, EBU R 128): integrated, range, true peak.",
    ),
    "normalize": Entry(
        "postprod.cli.loudness:normalize_command",
        "Normalise to a target loudness, limiting true peaks only where needed.",
    ),
    "qc": Entry(
        "postprod.cli.qc:qc_command",
        "Check a file against a delivery preset; exit status 3 when a check fails.",
    ),
    "deliver": Entry(
        "postprod.cli.qc:deliver_command",
        "Render, master and check a project's sound against a delivery preset.",
    ),
    "presets": Entry("postprod.cli.qc:presets_app", "Delivery presets (data files)."),
    "fx": Entry("postprod.cli.fx:app", "Effects and voice treatments."),
    "mix": Entry(
        "postprod.cli.mix:mix_command",
        "Mix a project's audio tracks (gain, pan, inserts, sends, buses) to a file.",
    ),
    "import": Entry(
        "postprod.cli.interchange:import_command",
        "Import another tool's timeline as a postprod project (a new file: never over one).",
    ),
    "export": Entry(
        "postprod.cli.interchange:export_command",
        "Export a project for another tool (the format follows the suffix).",
    ),
    "relink": Entry(
        "postprod.cli.interchange:relink_command",
        "Find moved or renamed media by name, reel, start timecode and duration (in place: one undo step; with -o, a new project).",
    ),
    "beats": Entry(
        "postprod.cli.rhythm:beats_command",
        "Find a music file's beats, bars, metre and tempo map; print them or mark a project.",
    ),
    "montage": Entry(
        "postprod.cli.rhythm:montage_command",
        "Lay clips on the music's beats or bars: each cut on the frame at or just before its beat.",
    ),
    "autocut": Entry(
        "postprod.cli.autocut:autocut_command",
        "Cut out the pauses of dialogue, or split a flat file into its shots.",
    ),
    "sync": Entry(
        "postprod.cli.sync:sync_command",
        "Find where each recording belongs on the reference's clock, and its clock drift.",
    ),
    "multicam": Entry(
        "postprod.cli.multicam:app",
        "Multicam clips: group angles in sync, cut between them by hand or by who is speaking.",
    ),
    "sfx": Entry(
        "postprod.cli.sfx:sfx_command",
        "Sound effects from scratch: `sfx list`, `sfx NAME -o OUT.wav`, `sfx recipe FILE -o OUT.wav`.",
    ),
    "spot": Entry(
        "postprod.cli.spot:spot_command",
        "Spot sounds to picture from a spotting list or the markers; report what was not placed.",
    ),
    "adr": Entry(
        "postprod.cli.adr:app", "Dubbing (ADR): align replacement dialogue to the guide track."
    ),
    "clean": Entry(
        "postprod.cli.clean:clean_command",
        "Reduce broadband noise (from a noise print or learned), and optionally hum and clicks.",
    ),
    "log": Entry(
        "postprod.cli.log:app", "The studio log of takes, renders, deliveries and broadcasts."
    ),
    "farm": Entry(
        "postprod.cli.farm:app",
        "The render farm on Dask: submit a batch of jobs, deliver in several presets, show "
        "the cluster's state.",
    ),
    "broadcast": Entry("postprod.cli.broadcast:app", "Log what went to air."),
    "mixer": Entry(
        "postprod.cli.mixer:app",
        "The mixing console: faders, pan, mute and solo, inserts, sends, buses, automation.",
    ),
    "clip": Entry("postprod.cli.clip:app", "A clip's own sound: gain, fades and effects."),
    "console": Entry(
        "postprod.cli.console:console_command",
        "Serve the control board: a local web page to see, hear and edit a project.",
    ),
}
