"""One module per page kind."""
