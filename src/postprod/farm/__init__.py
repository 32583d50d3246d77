"""The render farm: a render plan cut into segments, rendered on a Dask cluster, joined.

``split`` cuts the plan at cut points into segments that no transition, title or
speed change crosses; ``keys`` names each task by a hash of what it renders;
``tasks`` holds what a worker runs (a picture segment, the programme's sound);
``job`` submits them, follows their progress, checks and joins the results;
``cluster`` opens a ``LocalCluster`` or joins a scheduler. Dask (``postprod[farm]``)
is imported only when a job runs. Design: docs/FARM.md.
"""
