"""Runs a render plan through the engines into encoders, streaming in blocks.

The names below load the engines on first use, so a module of this package that
needs none of them (``timeline_png``, ``presets``) is imported without them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from postprod.render.engine import RenderResult, render
    from postprod.render.project import render_project

_LAZY = {
    "RenderResult": "postprod.render.engine",
    "render": "postprod.render.engine",
    "render_project": "postprod.render.project",
}

__all__ = ["RenderResult", "render", "render_project"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'postprod.render' has no attribute {name!r}")
    return getattr(import_module(module), name)
