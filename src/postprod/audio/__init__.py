"""The audio engine: mixer, effect implementations (pedalboard), synthesis, alignment, on float32 (channels, samples) arrays. Knows nothing of OTIO or files."""
