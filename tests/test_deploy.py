"""docs/deploy.md's systemd recipe works as written for ``User=monitor`` and ``ProtectHome=yes``.

The install lines of the recipe run as written, as root, with the paths
moved into a temp directory (``/opt/monitor`` becomes ``TMP/opt/monitor``)
and a throwaway user in place of ``monitor``; then the unit's ``ExecStart``
(``monitor check`` for ``monitor run``) runs as that user with the unit's
environment and working directory, and with the home directories hidden as
``ProtectHome=yes`` hides them when the machine allows a mount namespace
(issue #15: the venv's Python lived in root's home, ``Permission denied``).
Skips where it cannot run: not root, or no ``useradd``, ``runuser``, ``git``,
``uv`` or system Python 3.11+.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO

DEPLOY = REPO / "docs" / "deploy.md"
SYSTEM_PYTHON = "/usr/bin/python3"
# What ProtectHome=yes makes empty and inaccessible (systemd.exec(5)).
HOMES = ("/root", "/home", "/run/user")
# The recipe's ``sudo``: root runs the rest as it is; ``-u USER`` runs it as USER.
SUDO = (
    'sudo() { if [ "$1" = -u ]; then u=$2; shift 2; runuser -u "$u" -- env "$@"; else "$@"; fi; }'
)


@dataclass(frozen=True)
class Place:
    """Where the recipe is followed: a temp root standing for ``/`` and a throwaway user."""

    root: Path
    user: str

    def moved(self, text: str) -> str:
        """``text`` of the recipe with its user and its paths moved into this place."""
        text = re.sub(r"(?<![\w./-])monitor(?![\w./-])", self.user, text)
        text = text.replace("https://github.com/<you>/monitor", str(REPO))
        for path in ("/opt/monitor", "/etc/monitor", "/var/lib/monitor"):
            text = text.replace(path, f"{self.root}{path}")
        return text


def block_after(marker: str, language: str) -> str:
    """The first fenced ``language`` block of docs/deploy.md after ``marker``."""
    text = DEPLOY.read_text(encoding="utf-8")
    start = text.index(f"```{language}\n", text.index(marker)) + len(language) + 4
    return text[start : text.index("```", start)]


def missing_tools() -> str | None:
    """Why the recipe cannot be followed on this machine, if it cannot."""
    if os.geteuid() != 0:
        return "the recipe runs as root"
    for tool in ("useradd", "userdel", "runuser", "git", "uv"):
        if shutil.which(tool) is None:
            return f"no {tool} on this machine"
    recent = os.path.exists(SYSTEM_PYTHON) and subprocess.run(
        [SYSTEM_PYTHON, "-c", "import sys; sys.exit(sys.version_info < (3, 11))"], check=False
    ).returncode == 0  # fmt: skip
    return None if recent else f"the recipe needs the system's Python 3.11+ at {SYSTEM_PYTHON}"


@pytest.fixture
def place() -> Iterator[Place]:
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="deploy-"))
    root.chmod(0o755)  # as / is: the service's user walks through it
    for directory in ("opt", "etc", "var/lib"):
        (root / directory).mkdir(parents=True)
    here = Place(root, f"mondeploy{secrets.token_hex(3)}")
    try:
        yield here
    finally:
        subprocess.run(["userdel", here.user], capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)


def environment() -> dict[str, str]:
    """This process's environment, without what would steer uv to another project or venv."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }
    env["PATH"] = os.pathsep.join([str(Path(str(shutil.which("uv"))).parent), env["PATH"]])
    return env


def protect_home_prefix() -> list[str]:
    """A command prefix that hides the home directories as ``ProtectHome=yes`` does,
    or none where this machine refuses a mount namespace."""
    mounts = " && ".join(
        f"mount -t tmpfs -o ro,mode=0755 tmpfs {path}" for path in HOMES if os.path.isdir(path)
    )
    probe = subprocess.run(
        ["unshare", "--mount", "sh", "-c", mounts], capture_output=True, check=False
    ) if mounts and shutil.which("unshare") else None  # fmt: skip
    if probe is None or probe.returncode != 0:
        return []
    return ["unshare", "--mount", "sh", "-c", f'{mounts} && exec "$@"', "protect-home"]


def unit_settings(place: Place) -> dict[str, list[str]]:
    """The ``[Service]`` settings of the recipe's unit, moved into ``place``."""
    settings: dict[str, list[str]] = {}
    for line in place.moved(block_after("/etc/systemd/system/monitor.service", "ini")).splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


def test_the_systemd_recipe_installs_a_unit_its_user_can_start(place: Place) -> None:
    install = place.moved(block_after("<!-- install:", "sh"))
    script = place.root / "install.sh"
    script.write_text(f"set -eu\n{SUDO}\n{install}", encoding="utf-8")

    installed = subprocess.run(
        ["sh", str(script)], cwd=place.root, env=environment(), capture_output=True, text=True,
        check=False, timeout=300,
    )  # fmt: skip

    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert ": OK (" in installed.stdout  # the recipe's own `sudo -u monitor ... monitor check`
    python = (place.root / "opt/monitor/.venv/bin/python").resolve()
    assert not any(python.is_relative_to(home) for home in HOMES), python
    assert python.stat().st_mode & stat.S_IXOTH

    unit = unit_settings(place)
    (user,) = unit["User"]
    (directory,) = unit["WorkingDirectory"]
    variables = dict(value.split("=", 1) for value in unit["Environment"])
    (exec_start,) = unit["ExecStart"]
    command = shlex.split(exec_start)
    assert command[-1] == "run"
    started = subprocess.run(
        [*protect_home_prefix(), "runuser", "-u", user, "--", "env", "-i", "PATH=/usr/bin:/bin",
         f"HOME={directory}", *(f"{k}={v}" for k, v in variables.items()), *command[:-1], "check"],
        cwd=directory, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip

    assert started.returncode == 0, started.stdout + started.stderr
    assert started.stdout.startswith(f"{place.root}/etc/monitor: OK (")
