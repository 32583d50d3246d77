"""Workflows that are not rendering a programme: ADR, autocut, dialogue clean-up, effects on files, spotting, sync."""
