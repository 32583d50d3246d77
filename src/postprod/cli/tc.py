"""``postprod tc``: timecode arithmetic, LTC and MTC."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from postprod.errors import TimecodeError
from postprod.timecode import FrameRate, frames_to_label, label_to_frames

if TYPE_CHECKING:
    from rich.table import Table

# LTC, MTC (mido), media decoding (PyAV) and Rich load inside the commands that use
# them, so `postprod tc frames` starts in a fraction of a second.

app = typer.Typer(
    no_args_is_help=True, help="Timecode: labels and frames, LTC audio, MIDI timecode."
)

RATE_HELP = (
    "Frame rate: 23.976, 24, 25, 29.97[df|ndf], 30, 47.952, 48, 50, 59.94[df|ndf], 60 or N/D."
)


@app.command("frames")
def frames(
    timecode: str = typer.Argument(..., help="A label such as 01:00:00:00 or 00:01:00;02."),
    rate: str = typer.Option(..., "--rate", "-r", help=RATE_HELP),
) -> None:
    """Print the frame count of a timecode label."""
    typer.echo(label_to_frames(timecode, FrameRate.parse(rate)))


@app.command("timecode")
def timecode(
    frames: int = typer.Argument(..., help="A frame count from 00:00:00:00."),
    rate: str = typer.Option(..., "--rate", "-r", help=RATE_HELP),
    ndf: bool = typer.Option(False, "--ndf", help="Non-drop labels at 29.97 and 59.94."),
) -> None:
    """Print the timecode label of a frame count (29.97 and 59.94 count drop-frame)."""
    parsed = FrameRate.parse(rate)
    if ndf:
        parsed = parsed.with_drop_frame(False)
    typer.echo(frames_to_label(frames, parsed))


mtc_app = typer.Typer(no_args_is_help=True, help="MIDI timecode: quarter frames in MIDI files.")
app.add_typer(mtc_app, name="mtc")


@mtc_app.command("encode")
def mtc_encode(
    start: str = typer.Option(..., "--start", help="First label, e.g. 01:00:00:00."),
    rate: str = typer.Option(..., "--rate", "-r", help=RATE_HELP),
    duration: str = typer.Option(..., "--duration", help="Seconds of running timecode."),
    out: Path = typer.Option(..., "--out", "-o", help="The MIDI file to write (.mid)."),
) -> None:
    """Write running MIDI timecode (full frame, then quarter frames) to a MIDI file."""
    from postprod.timecode import mtc

    parsed = FrameRate.parse(rate)
    messages = mtc.encode(start, parsed, _seconds(duration))
    mtc.write_smf(messages, out, parsed)
    typer.echo(f"wrote {out}: {len(messages)} MTC messages at {parsed}")


@mtc_app.command("decode")
def mtc_decode(
    file: Path = typer.Argument(..., help="A MIDI file carrying MTC."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: a list of frames."),
) -> None:
    """List the frames MIDI timecode in a MIDI file locates, with their times."""
    from rich.console import Console

    from postprod.timecode import mtc

    frames = mtc.decode(mtc.read_smf(file))
    if not frames:
        raise TimecodeError(
            f"no MIDI timecode found in {file.name}",
            where=str(file),
            fix="give a MIDI file with quarter-frame or full-frame messages",
        )
    if as_json:
        typer.echo(
            json.dumps([{"timecode": f.timecode, "seconds": float(f.seconds)} for f in frames])
        )
        return
    first, last = frames[0], frames[-1]
    table = _summary(file, len(frames), str(first.rate))
    table.add_row("first", f"{first.timecode} at {float(first.seconds):.3f} s")
    table.add_row("last", f"{last.timecode} at {float(last.seconds):.3f} s")
    Console().print(table)


ltc_app = typer.Typer(no_args_is_help=True, help="Linear timecode (LTC) as audio.")
app.add_typer(ltc_app, name="ltc")


@ltc_app.command("encode")
def ltc_encode(
    start: str = typer.Option(..., "--start", help="First label, e.g. 01:00:00:00."),
    rate: str = typer.Option(..., "--rate", "-r", help=RATE_HELP),
    duration: str = typer.Option(..., "--duration", help="Seconds of running timecode."),
    out: Path = typer.Option(..., "--out", "-o", help="The WAV file to write."),
    sample_rate: int = typer.Option(48000, "--sample-rate", help="Samples per second."),
    user_bits: str = typer.Option("0", "--user-bits", help="32 user bits, e.g. 0x12345678."),
    level_dbfs: float = typer.Option(-10.0, "--level-dbfs", help="Peak level, dBFS."),
    bit_depth: str = typer.Option("24", "--bit-depth", help="16 or 24-bit PCM."),
) -> None:
    """Write running LTC to a mono WAV file (streamed: any length in little memory)."""
    from postprod.media import write_audio
    from postprod.timecode import ltc

    parsed = FrameRate.parse(rate)
    try:
        bits = int(user_bits, 0)
    except ValueError:
        raise TimecodeError(
            f"user bits {user_bits!r} are not a number", fix="write them as 0x12345678"
        ) from None
    if bit_depth not in ("16", "24"):
        raise TimecodeError(f"bit depth {bit_depth!r} is not 16 or 24", fix="use 16 or 24")
    seconds = _seconds(duration)
    blocks = ltc.encode_blocks(
        start,
        parsed,
        seconds,
        sample_rate=sample_rate,
        user_bits=bits,
        level_dbfs=level_dbfs,
    )
    write_audio(out, (block[None, :] for block in blocks), sample_rate, bit_depth=bit_depth)
    typer.echo(f"wrote {out}: {float(seconds):.3f} s of LTC at {parsed} from {start}")


@ltc_app.command("decode")
def ltc_decode(
    file: Path = typer.Argument(..., help="A sound file carrying LTC."),
    rate: str | None = typer.Option(
        None, "--rate", "-r", help="Count at this rate (default: infer)."
    ),
    channel: int = typer.Option(
        1, "--channel", help="Which channel carries the LTC (counted from 1)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: a list of frames."),
) -> None:
    """List the LTC frames in a sound file with the sample each one starts at."""
    from rich.console import Console

    from postprod.media import audio_info, iter_audio_blocks
    from postprod.timecode import ltc

    info = audio_info(file)
    if not 1 <= channel <= info.channels:
        raise TimecodeError(
            f"{file.name} has {info.channels} channel(s), no channel {channel}",
            where=str(file),
            fix=f"choose --channel from 1 to {info.channels} (channels are counted from 1)",
        )
    index = channel - 1
    blocks = (block[index] for block in iter_audio_blocks(file, block_samples=1 << 18))
    report = ltc.decode_report(blocks, info.sample_rate, rate)
    frames = report.frames
    if not frames:
        raise TimecodeError(
            f"no LTC found in {file.name}",
            where=f"{file}, channel {channel}",
            fix="check the channel, the level and that the track carries timecode",
        )
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {"timecode": f.timecode, "sample": f.first_sample}
                    | ({"repaired": True} if f.repaired else {})
                    for f in frames
                ]
            )
        )
        return
    first, last = frames[0], frames[-1]
    table = _summary(file, len(frames), str(first.rate))
    table.add_row("first", f"{first.timecode} at sample {first.first_sample}")
    table.add_row("last", f"{last.timecode} at sample {last.first_sample}")
    table.add_row("sample rate", f"{info.sample_rate} Hz")
    if any(f.reverse for f in frames):
        table.add_row("direction", "backwards" if all(f.reverse for f in frames) else "both")
    if first.user_bits:
        table.add_row("user bits", f"{first.user_bits:#010x}")
    if report.repaired or report.invalid or report.inconsistent:
        table.add_row(
            "labels mended",
            f"{report.repaired} repaired, {report.invalid} invalid and "
            f"{report.inconsistent} out of sequence dropped",
        )
    Console().print(table)


def _seconds(text: str) -> Fraction:
    """A positive duration typed as ``10``, ``2.5`` or ``1001/30``, exactly."""
    try:
        seconds = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        seconds = Fraction(-1)
    if seconds <= 0:
        raise TimecodeError(
            f"duration {text!r} is not a positive number of seconds", fix="e.g. --duration 10"
        )
    return seconds


def _summary(file: Path, count: int, rate: str) -> Table:
    from rich.table import Table

    table = Table(title=file.name, title_justify="left", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("frames", f"{count:,}")
    table.add_row("rate", rate)
    return table
