"""Stand-in processes for the engine supervisor tests (run as real subprocesses, never imported by the app)."""
