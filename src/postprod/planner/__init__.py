"""Turns a timeline (or a range of it) into a render plan: plain, serialisable data naming sources, ranges and effects per span of output time."""
