"""SOP portal: parse, validate, analyse and publish SOP-AP Standard Operating Procedures."""

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "sop-portal"

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
