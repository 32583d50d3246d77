"""Runs a render plan through the engines into encoders, streaming in blocks."""

from postprod.render.engine import RenderResult, render
from postprod.render.project import render_project

__all__ = ["RenderResult", "render", "render_project"]
