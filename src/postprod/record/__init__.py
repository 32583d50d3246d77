"""Recording takes from audio inputs onto tracks of a project."""
