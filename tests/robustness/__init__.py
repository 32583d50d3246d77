"""The fault-injection and bad-input suite (issue 21): every command, hostile inputs."""
