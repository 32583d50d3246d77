"""Foreign formats through the OpenTimelineIO adapters: CMX 3600 EDL, FCP 7 XML, FCPX XML, AAF, OTIO."""

from postprod.interchange.exporting import export_timeline
from postprod.interchange.importing import import_timeline, read_interchange

__all__ = ["export_timeline", "import_timeline", "read_interchange"]
