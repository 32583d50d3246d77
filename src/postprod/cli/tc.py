"""``postprod tc``: timecode arithmetic, LTC and MTC."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from postprod.errors import TimecodeError
from postprod.media import read_audio, write_audio
from postprod.timecode import FrameRate, frames_to_label, label_to_frames, ltc, mtc

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
    duration: float = typer.Option(..., "--duration", help="Seconds of running timecode."),
    out: Path = typer.Option(..., "--out", "-o", help="The MIDI file to write (.mid)."),
) -> None:
    """Write running MIDI timecode (full frame, then quarter frames) to a MIDI file."""
    parsed = FrameRate.parse(rate)
    messages = mtc.encode(label_to_frames(start, parsed), parsed, duration)
    mtc.write_smf(messages, out, parsed)
    typer.echo(f"wrote {out}: {len(messages)} MTC messages at {parsed}")


@mtc_app.command("decode")
def mtc_decode(
    file: Path = typer.Argument(..., help="A MIDI file carrying MTC."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: a list of frames."),
) -> None:
    """List the frames MIDI timecode in a MIDI file locates, with their times."""
    frames = mtc.decode(mtc.read_smf(file))
    if as_json:
        typer.echo(
            json.dumps([{"timecode": f.timecode, "seconds": float(f.seconds)} for f in frames])
        )
        return
    if not frames:
        typer.echo(f"{file}: no MIDI timecode found")
        return
    first, last = frames[0], frames[-1]
    typer.echo(
        f"{file}: {len(frames)} frames at {first.rate}, "
        f"{first.timecode} at {float(first.seconds):.3f} s to {last.timecode} at {float(last.seconds):.3f} s"
    )


ltc_app = typer.Typer(no_args_is_help=True, help="Linear timecode (LTC) as audio.")
app.add_typer(ltc_app, name="ltc")


@ltc_app.command("encode")
def ltc_encode(
    start: str = typer.Option(..., "--start", help="First label, e.g. 01:00:00:00."),
    rate: str = typer.Option(..., "--rate", "-r", help=RATE_HELP),
    duration: float = typer.Option(..., "--duration", help="Seconds of running timecode."),
    out: Path = typer.Option(..., "--out", "-o", help="The WAV file to write."),
    sample_rate: int = typer.Option(48000, "--sample-rate", help="Samples per second."),
    user_bits: str = typer.Option("0", "--user-bits", help="32 user bits, e.g. 0x12345678."),
) -> None:
    """Write running LTC to a mono 24-bit WAV file."""
    parsed = FrameRate.parse(rate)
    samples = ltc.encode(
        label_to_frames(start, parsed),
        parsed,
        duration,
        sample_rate=sample_rate,
        user_bits=int(user_bits, 0),
    )
    write_audio(out, samples[None, :], sample_rate)
    typer.echo(f"wrote {out}: {samples.size / sample_rate:.3f} s of LTC at {parsed}")


@ltc_app.command("decode")
def ltc_decode(
    file: Path = typer.Argument(..., help="A sound file carrying LTC (first channel read)."),
    rate: str | None = typer.Option(
        None, "--rate", "-r", help="Count at this rate (default: infer)."
    ),
    channel: int = typer.Option(0, "--channel", help="Which channel carries the LTC (from 0)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: a list of frames."),
) -> None:
    """List the LTC frames in a sound file with the sample each one starts at."""
    samples, sample_rate = read_audio(file)
    if not 0 <= channel < samples.shape[0]:
        raise TimecodeError(
            f"{file.name} has {samples.shape[0]} channel(s), no channel {channel}",
            where=str(file),
            fix="choose --channel between 0 and the last channel",
        )
    frames = ltc.decode(samples[channel], sample_rate, rate)
    if as_json:
        typer.echo(json.dumps([{"timecode": f.timecode, "sample": f.sample} for f in frames]))
        return
    if not frames:
        raise TimecodeError(
            f"no LTC found in {file.name}", where=str(file), fix="check the channel and the level"
        )
    first, last = frames[0], frames[-1]
    typer.echo(
        f"{file}: {len(frames)} frames, {first.timecode} at sample {first.sample} "
        f"to {last.timecode} at sample {last.sample}"
        + (f", user bits {first.user_bits:#010x}" if first.user_bits else "")
    )
