"""Runs a render plan through the engines into encoders, streaming in blocks."""
