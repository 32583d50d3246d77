"""The project: the OpenTimelineIO model, the versioned postprod metadata schema, pure edit operations and validation."""
