#!/usr/bin/env python3
"""A1 mixdown with postprod's console: the session of ../shared/bench/peers/a1_session.py
(8 stems x 5 min: low shelf, peak, high shelf, compressor, fader, pan; two reverb sends;
master +6 dB into a -1 dBFS look-ahead limiter), streamed from the stems to a 24-bit WAV."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from postprod.audio.mixer import Mixer, Session, Track
from postprod.effects.console import BusState, ConsoleState, SendState, StripState
from postprod.effects.registry import EffectSpec
from postprod.media import write_audio
from postprod.render.sources import FileSource

PEERS = Path(__file__).resolve().parents[2] / "shared" / "bench" / "peers"
sys.path.insert(0, str(PEERS))
import a1_session as S  # noqa: E402


def session() -> Session:
    tracks = []
    for name, gain, pan, ls, pk, hs, comp, send in S.TRACKS:
        inserts = (
            EffectSpec.of("low_shelf", cutoff_frequency_hz=ls[0], gain_db=ls[1], q=0.707),
            EffectSpec.of("peak", cutoff_frequency_hz=pk[0], gain_db=pk[1], q=pk[2]),
            EffectSpec.of("high_shelf", cutoff_frequency_hz=hs[0], gain_db=hs[1], q=0.707),
            EffectSpec.of(
                "compressor",
                threshold_db=comp[0],
                ratio=comp[1],
                attack_ms=comp[2],
                release_ms=comp[3],
            ),
        )
        sends = (SendState("reverb", level_db=send),) if send is not None else ()
        strip = StripState(gain_db=gain, pan=pan, inserts=inserts, sends=sends)
        tracks.append(Track(name, FileSource(S.stem_path(name), S.SR), strip))
    reverb = EffectSpec.of(
        "reverb", room_size=0.8, damping=0.5, wet_level=1.0, dry_level=0.0, width=1.0
    )
    limiter = EffectSpec.of("limiter", ceiling_db=S.LIMIT_DB, release_ms=100, lookahead_ms=5)
    console = ConsoleState(
        (BusState("reverb", inserts=(reverb,)),),
        # The master fader (+6 dB) drives the limiter: master inserts are post-fader.
        master_gain_db=S.MASTER_GAIN_DB,
        master_inserts=(limiter,),
    )
    return Session(S.SR, tuple(tracks), console)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--out", default=os.path.join(tempfile.gettempdir(), "bench-out", "a1_postprod.wav")
    )
    args = parser.parse_args()
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    blocks = (b.master for b in Mixer(session()).blocks(S.SR * S.SECONDS, block_samples=8192))
    write_audio(args.out, blocks, S.SR, bit_depth="24")
    return 0


if __name__ == "__main__":
    sys.exit(main())
