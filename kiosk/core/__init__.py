"""Pure domain logic: models, formatting, freshness, grades, rotation. No Qt, no I/O."""
