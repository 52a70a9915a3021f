"""Qt views. The only package that imports PySide6 or pyqtgraph; it imports kiosk.core only."""
