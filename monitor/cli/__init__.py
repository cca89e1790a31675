"""The command line: click commands (``commands``) and their text for people
(``render``). ``MonitorError`` becomes one message and an exit code, here only.
"""

from monitor.cli.commands import main

__all__ = ["main"]
