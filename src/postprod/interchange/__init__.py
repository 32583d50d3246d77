"""Import and export through the OpenTimelineIO adapters: OTIO, CMX 3600 EDL, FCP 7 XML, FCPX XML, AAF; relink."""

from postprod.interchange.exporting import export_timeline
from postprod.interchange.importing import import_timeline, read_interchange
from postprod.interchange.project import load_project, save_project
from postprod.interchange.relink import RelinkReport, relink

__all__ = [
    "RelinkReport",
    "export_timeline",
    "import_timeline",
    "load_project",
    "read_interchange",
    "relink",
    "save_project",
]
