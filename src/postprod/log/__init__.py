"""The session and broadcast log (SQLite by default)."""
