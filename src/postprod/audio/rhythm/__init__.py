"""Cutting rhythm's analysis on arrays: onset envelope (streamed), tempo path, beats, bars.

``onsets`` turns sound into a small envelope block by block; ``analysis.analyse``
turns the envelope into a :class:`~postprod.audio.rhythm.analysis.Rhythm`. NumPy and
SciPy only: no model, nothing downloaded. Design and accuracy: docs/RHYTHM.md.
"""
