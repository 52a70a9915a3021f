"""One module per Seoul Open API: build the request URL, parse the body into core models."""
