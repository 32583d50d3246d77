"""postprod: a post-production workstation.

Edit picture, mix sound, synchronise with timecode, master and deliver, with
an OpenTimelineIO project file at the centre. See docs/ARCHITECTURE.md.
"""

__version__ = "0.1.0"
