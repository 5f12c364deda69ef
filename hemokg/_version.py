"""The package version, as a constant: reading it through importlib.metadata costs ~80 ms at start-up."""

__version__ = "0.1.0"
