"""SOP portal: parse, validate, analyse and publish SOP-AP Standard Operating Procedures."""

from __future__ import annotations

DISTRIBUTION = "sop-portal"


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed distribution on first use (importlib.metadata is slow
    to import, and most commands never need it)."""
    if name != "__version__":
        raise AttributeError(name)
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version(DISTRIBUTION)
    except PackageNotFoundError:  # a source tree that was never installed
        value = "0+unknown"
    globals()["__version__"] = value
    return value
