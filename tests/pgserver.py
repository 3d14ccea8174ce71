"""A throw-away PostgreSQL cluster for tests and benchmarks (``initdb`` + ``pg_ctl`` in a temp dir).

PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to an
unprivileged user (``postgres`` if it exists, else ``nobody``) and is started through
``runuser``. It listens on a free loopback port (and a unix socket inside the temp dir) with
``trust`` authentication: nothing outside the machine can reach it and it is deleted after.

``NEWSBOT_TEST_DATABASE_URL`` (a ``postgresql+asyncpg://`` URL) names an existing server
instead; :func:`server_url` returns it as is.

Usage::

    with PostgresCluster() as cluster:
        url = cluster.url  # postgresql+asyncpg://postgres@127.0.0.1:PORT/postgres
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "ENV_URL",
    "PostgresCluster",
    "PostgresUnavailable",
    "create_database",
    "drop_database",
    "find_bindir",
    "server_url",
]

ENV_URL = "NEWSBOT_TEST_DATABASE_URL"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be found or started (the reason is the message)."""


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin dir (Debian layout), or one on PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as() -> str | None:
    """The unprivileged user to run the cluster as when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise PostgresUnavailable("running as root and no 'postgres' or 'nobody' user to run as")


class PostgresCluster:
    """Start a private cluster on enter, stop and delete it on exit."""

    def __init__(self, *, bindir: Path | None = None, max_connections: int = 200) -> None:
        self.bindir = bindir or find_bindir()
        self.max_connections = max_connections
        self.port = 0
        self.tmp: Path | None = None
        self.user: str | None = None

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *args] if self.user else list(args)

    def _check(self, *args: str, timeout: float = 120) -> None:
        result = subprocess.run(
            self._cmd(*args), capture_output=True, text=True, timeout=timeout, cwd="/"
        )
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{Path(args[0]).name} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()[-800:]}"
            )

    def start(self) -> str:
        if self.bindir is None:
            raise PostgresUnavailable(
                "PostgreSQL is not installed (no initdb; apt-get install -y postgresql)"
            )
        self.user = _run_as()
        if self.user and shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root and 'runuser' is missing")
        self.tmp = Path(tempfile.mkdtemp(prefix="newsbot-pg-"))
        os.chmod(self.tmp, 0o755)
        data = self.tmp / "data"
        sock = self.tmp / "sock"
        data.mkdir()
        sock.mkdir()
        if self.user:
            entry = pwd.getpwnam(self.user)
            for path in (data, sock):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._check(
            str(self.bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        self.port = _free_port()
        options = (
            f"-p {self.port} -k {sock} -c listen_addresses=127.0.0.1 "
            f"-c max_connections={self.max_connections} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB"
        )
        self._check(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(self.tmp / "sock" / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        return self.url

    def stop(self) -> None:
        if self.tmp is None or self.bindir is None:
            return
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            subprocess.run(
                self._cmd(
                    str(self.bindir / "pg_ctl"), "-D", str(self.tmp / "data"), "-m", "immediate",
                    "-w", "stop",
                ),
                capture_output=True,
                timeout=60,
                cwd="/",
            )  # fmt: skip
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None

    def __enter__(self) -> PostgresCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def server_url() -> Iterator[str]:
    """``NEWSBOT_TEST_DATABASE_URL`` when set, else a private cluster for the duration."""
    given = os.environ.get(ENV_URL)
    if given:
        yield given
        return
    with PostgresCluster() as cluster:
        yield cluster.url


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    query = ""
    if "?" in url.rsplit("/", 1)[1]:
        query = "?" + url.rsplit("?", 1)[1]
    return f"{base}/{name}{query}"


async def _admin(url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn: Any = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def create_database(server: str, prefix: str = "newsbot_test") -> str:
    """A new, empty database on ``server``; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    return _with_database(server, name)


async def drop_database(server: str, url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
