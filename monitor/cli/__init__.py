"""The command line: click commands (``commands``, ``explain``) and their text for
people (``render``). ``MonitorError`` becomes one message and an exit code, here only.
"""

from monitor.cli.commands import main
from monitor.cli.explain import explain_command

main.add_command(explain_command)

__all__ = ["main"]
