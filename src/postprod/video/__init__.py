"""The picture engine: compositor, transitions, text, on RGB frame arrays. Knows nothing of OTIO or files."""
