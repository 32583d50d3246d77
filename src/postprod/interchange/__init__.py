"""Import and export through the OpenTimelineIO adapters: OTIO, CMX 3600 EDL, FCP 7 XML, FCPX XML, AAF; relink."""

from postprod.interchange.project import load_project, save_project

__all__ = ["load_project", "save_project"]
