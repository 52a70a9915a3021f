"""Station Kiosk: information displays for Seoul's transfer stations."""

__version__ = "0.1.0"
