"""What the commands print for people (and the few JSON shapes they build),
one module per command module: ``alerts``, ``feeds``, ``db``, ``explore`` and
``status`` (for ``monitor.cli.checks``). Every function here is pure: values
in, a string (or a JSON-ready dict) out.
"""
