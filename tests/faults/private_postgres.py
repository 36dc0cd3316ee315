"""A PostgreSQL cluster of the test's own (initdb in a temporary directory, a free loopback port), so a test
can stop and start "the database" without touching the shared server other runs use. As root, the cluster
runs as the postgres user (PostgreSQL refuses to run as root)."""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.kpis.live_stack import free_port, tail, wait_until


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    def __init__(self):
        self.bin = postgres_bin()
        assert self.bin is not None, "initdb was not found"
        self.directory = Path(tempfile.mkdtemp(prefix="cxm-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres"
            account = pwd.getpwnam(self.user)
            os.chown(self.directory, account.pw_uid, account.pw_gid)
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/cxm"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.bin / args[0]), *args[1:]], user=self.user, cwd=self.directory,
                              capture_output=True, text=True, check=check, timeout=120)

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "cxm")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=on -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        wait_until(self.ready, timeout=30, message="the private PostgreSQL did not accept connections",
                   details=lambda: tail(self.log))

    def stop(self) -> None:
        """A fast shutdown: open sessions are cut, as in a restart or a failover."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def ready(self) -> bool:
        return self._run("pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-q", check=False).returncode == 0

    def scalar(self, sql: str):
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="cxm") as connection:
            return connection.execute(sql).fetchone()[0]

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        for _ in range(20):
            try:
                shutil.rmtree(self.directory)
                return
            except OSError:
                time.sleep(0.2)
