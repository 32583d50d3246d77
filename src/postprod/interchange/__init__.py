"""Import and export through the OpenTimelineIO adapters: OTIO, CMX 3600 EDL, FCP 7 XML, FCPX XML, AAF; relink."""
