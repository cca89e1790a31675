"""The command line: ``main``, the ``monitor`` command group (``monitor.cli.main``).

One module per group of commands; their text for people in ``render/``; the
one place where a ``MonitorError`` becomes a message and an exit code is
``edge``. Nothing else in ``monitor`` imports this package; ``monitor.__main__``
and the ``monitor`` script do.
"""

from monitor.cli.main import main

__all__ = ["main"]
