"""wenjiao's channels, HTTP server and command line."""

__version__ = "0.1.0"
