"""Meters and checks on sample arrays (NumPy/SciPy): loudness (ITU-R BS.1770-4), peaks, QC checks."""
