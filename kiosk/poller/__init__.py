"""Fetching: one CachedSession, one coordinator per source, APScheduler jobs."""
