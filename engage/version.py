"""engage's version (the OpenAPI document states it; ``engage.__version__`` re-exports it)."""

__version__ = "0.1.0"
