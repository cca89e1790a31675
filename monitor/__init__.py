"""monitor: a tension-monitoring alert daemon for news feeds."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("monitor")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
