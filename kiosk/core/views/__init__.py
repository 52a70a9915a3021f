"""Page view models: pure functions of (snapshots, config, now) -> what each page shows."""
