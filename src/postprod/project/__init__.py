"""The project file: open and save a ``.otio`` project atomically, its undo journal, relinking media."""

from postprod.project.files import load_project, save_project
from postprod.project.history import History
from postprod.project.relink import RelinkReport, relink

__all__ = ["History", "RelinkReport", "load_project", "relink", "save_project"]
