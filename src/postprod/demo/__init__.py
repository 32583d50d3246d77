"""The demo production: synthetic sources, a project, a render, a master and its report."""
