"""Control surfaces: OSC (python-osc) and Mackie Control over MIDI (mido).

A surface holds no logic of its own: it maps messages to ``SetStrip`` operations applied
through ``postprod.operations.Project.apply`` (or the console's injected ``apply``), and
shows the console's meters and state. ``OscSurface`` lives in :mod:`.osc`,
``MackieSurface`` and the Mackie mapping's pure functions in :mod:`.mackie`; the
strip numbering and the coalescing writer they share in :mod:`.common`. The address
map and the fader law are in docs/CONSOLE.md ("Control surfaces").
"""

from postprod.console.surfaces.common import Strip, Strips, StripWriter
from postprod.console.surfaces.mackie import MackieSurface
from postprod.console.surfaces.osc import OscSurface

__all__ = ["MackieSurface", "OscSurface", "Strip", "StripWriter", "Strips"]
