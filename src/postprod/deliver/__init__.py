"""Delivery presets (data files), mastering, QC runs and reports."""
