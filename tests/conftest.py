"""Shared fixtures: a throw-away PostgreSQL server on loopback for the many-workers tests; a local Dask cluster."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Set (e.g. by CI) to make a missing PostgreSQL a failure instead of a skip.
REQUIRE_POSTGRES = "UNITUNE_REQUIRE_POSTGRES"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tool(name: str) -> str | None:
    """A PostgreSQL program: on PATH, else in Debian's /usr/lib/postgresql/<version>/bin (the newest)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return str(candidates[-1]) if candidates else None


def _as_server_user(command: list[str]) -> list[str]:
    """``initdb`` refuses to run as root: run the server's commands as the ``postgres`` user then."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _missing(reason: str) -> None:
    if os.environ.get(REQUIRE_POSTGRES):
        pytest.fail(f"PostgreSQL is required ({REQUIRE_POSTGRES} is set) but {reason}")
    pytest.skip(f"no PostgreSQL server to start: {reason}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a PostgreSQL server started for this test session on a free loopback port, stopped at the end."""
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        _missing("psycopg2 is not installed (pip install psycopg2-binary)")
    tools = {name: _tool(name) for name in ("initdb", "pg_ctl")}
    if not all(tools.values()):
        _missing(f"{[n for n, p in tools.items() if not p]} not on PATH (install PostgreSQL, e.g. postgresql-15)")
    if os.geteuid() == 0 and (
        shutil.which("runuser") is None or subprocess.run(["id", "postgres"], capture_output=True).returncode
    ):
        _missing("running as root needs the 'postgres' user and runuser to start the server unprivileged")
    folder = Path(tempfile.mkdtemp(prefix="unitune-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, user="postgres")
    data, port = folder / "data", _free_port()
    run = {"capture_output": True, "text": True, "timeout": 120}
    init = subprocess.run(
        _as_server_user([tools["initdb"], "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]),  # type: ignore[list-item]
        **run,  # type: ignore[arg-type]
    )
    if init.returncode:
        shutil.rmtree(folder, ignore_errors=True)
        _missing(f"initdb failed: {init.stderr.strip()}")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    pg_ctl = [tools["pg_ctl"], "-D", str(data), "-o", options, "-l", str(folder / "server.log"), "-w"]
    start = subprocess.run(_as_server_user([*pg_ctl, "start"]), **run)  # type: ignore[arg-type]
    if start.returncode:
        log = (folder / "server.log").read_text() if (folder / "server.log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        _missing(f"the server did not start: {start.stderr.strip()} {log[-500:]}")
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_server_user([*pg_ctl, "-m", "immediate", "stop"]), **run)  # type: ignore[arg-type]
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def dask_client():  # type: ignore[no-untyped-def]
    """A local Dask cluster of two worker processes and its client (one per test module)."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
