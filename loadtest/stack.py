"""Ladder as the README's production section runs it, on loopback, for tests and load runs.

A fresh database (a new PostgreSQL database beside the one in DATABASE_URL, or a SQLite
file), `migrate` and `collectstatic`, the background worker (`db_worker`) and one or
more gunicorn servers on their own ports, each with several workers, with
DEBUG off and the production settings that make sense without TLS on loopback.
Everything is a real process started as an operator would start it.
"""

import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class PrivatePostgres:
    """A PostgreSQL server of its own, in a folder, for runs that restart the database.

    Debian's server binaries, run as the postgres account (initdb refuses root), on a
    free port of loopback with trust authentication. `url` is its maintenance database.
    """

    def __init__(self, work: Path):
        # Its own folder under /tmp: the postgres account must be able to reach it.
        self.home = Path(tempfile.mkdtemp(prefix="ladder-postgres-"))
        self.folder = self.home / "data"
        self.log = Path(work) / "postgres.log"
        self.port = free_port()
        versions = sorted(Path("/usr/lib/postgresql").iterdir())
        if not versions:
            raise RuntimeError("PostgreSQL's server binaries are not installed")
        self.bin = versions[-1] / "bin"
        self.url = f"postgres://postgres@{HOST}:{self.port}/postgres"

    def _as_postgres(self, *command: str) -> None:
        runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*runner, *command], check=True, capture_output=True)

    def _ctl(self, action: str) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"), action, "-D", str(self.folder), "-w", "-m", "fast",
            "-l", str(self.home / "postgres.log"),
            "-o", f"-p {self.port} -k {self.folder} -c listen_addresses={HOST}",
        )  # fmt: skip

    def __enter__(self) -> "PrivatePostgres":
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres", "postgres")
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.folder), "-U", "postgres",
            "--auth=trust", "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        self._ctl("start")
        return self

    def restart(self) -> float:
        """Stop it and start it again; the seconds that took."""
        started = time.monotonic()
        self._ctl("restart")
        return time.monotonic() - started

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self._ctl("stop")
        server_log = self.home / "postgres.log"
        if server_log.exists():
            shutil.copyfile(server_log, self.log)
        shutil.rmtree(self.home, ignore_errors=True)


class Stack:
    """Start with `with Stack(work) as stack:`; stack.urls lists the servers' addresses."""

    def __init__(
        self,
        work: Path,
        *,
        database_url: str | None = None,
        servers: int = 1,
        workers: int = 2,
        threads: int = 4,
        worker_class: str = "gthread",
        worker: bool = True,
        extra_env: dict[str, str] | None = None,
    ):
        self.work = Path(work)
        self.servers = servers
        self.with_worker = worker
        self.workers = workers
        self.threads = threads
        self.worker_class = worker_class
        self.extra_env = extra_env or {}
        # One key for every process, as in production: sessions and forms signed by one
        # server are checked by the others.
        self.secret_key = secrets.token_urlsafe(50)
        self.base_url = database_url or os.environ.get("DATABASE_URL", "")
        self.database_url, self.created_database = self._database(self.base_url)
        self.ports = [free_port() for _ in range(servers)]
        self.urls = [f"http://{HOST}:{port}" for port in self.ports]
        self.web: list[subprocess.Popen] = []
        self.worker: subprocess.Popen | None = None

    # --- the database ------------------------------------------------------------------

    def _database(self, base_url: str) -> tuple[str, str | None]:
        if base_url.startswith(("postgres://", "postgresql://")):
            name = f"ladder_stack_{secrets.token_hex(4)}"
            self._admin_sql(base_url, f'CREATE DATABASE "{name}"')
            config = dj_database_url.parse(base_url)
            auth = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
            host = f"{config['HOST'] or HOST}:{config['PORT'] or 5432}"
            return f"postgres://{auth}@{host}/{name}", name
        self.work.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.work / 'ladder.sqlite3'}", None

    @staticmethod
    def _admin_sql(base_url: str, statement: str) -> None:
        import psycopg

        config = dj_database_url.parse(base_url)
        with psycopg.connect(
            host=config["HOST"] or HOST,
            port=config["PORT"] or 5432,
            user=config["USER"],
            password=config["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        ) as connection:
            connection.execute(statement)

    @property
    def is_postgres(self) -> bool:
        return self.created_database is not None

    # --- processes ---------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GUNICORN", "DJANGO_", "SECURE_", "PYTEST"))
        }
        env.update(
            SECRET_KEY=self.secret_key,
            DEBUG="false",
            DATABASE_URL=self.database_url,
            ALLOWED_HOSTS=f"{HOST},localhost",
            # Plain HTTP on loopback: production sets these true behind its TLS proxy.
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            STATIC_ROOT=str(self.work / "static"),
            MEDIA_ROOT=str(self.work / "files"),
            LOG_LEVEL="INFO",
        )
        env.update(self.extra_env)
        return env

    def manage(self, *args: str, env: dict | None = None) -> str:
        result = subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env={**self.env(), **(env or {})},
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def _log(self, name: str):
        return open(self.work / f"{name}.log", "ab")

    def start_worker(self) -> None:
        # One worker for both queues: production runs one per queue (make run does), but
        # what is tested here is a worker's life, not which queue waits on which.
        command = ["db_worker", "--queue-name", "default,packets", "--interval", "0.5"]
        with self._log("worker") as log:
            self.worker = subprocess.Popen(
                [str(BIN / "python"), "manage.py", *command],
                cwd=ROOT,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def start_server(self, index: int) -> None:
        command = [
            str(BIN / "gunicorn"),
            "ladder.site.wsgi",
            "--bind", f"{HOST}:{self.ports[index]}",
            "--worker-class", self.worker_class,
            "--workers", str(self.workers),
            "--threads", str(self.threads),
            "--timeout", "60",
            "--preload",
        ]  # fmt: skip
        with self._log(f"gunicorn-{index}") as log:
            server = subprocess.Popen(
                command, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT
            )
        if index < len(self.web):
            self.web[index] = server
        else:
            self.web.append(server)

    def restart_web(self) -> None:
        """Stop every gunicorn server and start it again, as a deploy does; wait till healthy."""
        for server in self.web:
            server.terminate()
        for server in self.web:
            server.wait(timeout=30)
        for index in range(self.servers):
            self.start_server(index)
        self.wait_until_healthy()

    def web_workers(self, index: int = 0) -> list[int]:
        """The pids of one server's gunicorn workers (the master's children)."""
        master = self.web[index].pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return [int(pid) for pid in children]

    def kill_web_worker(self, index: int = 0) -> int:
        """kill -9 one of a server's workers, as the kernel's OOM killer would; its pid."""
        pid = self.web_workers(index)[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def wait_until_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        # Each web server and its database; and, with a worker started, its queues.
        checks = [f"{url}/health/" for url in self.urls]
        if self.worker is not None:
            checks.append(f"{self.urls[0]}/health/workers/")
        for url in checks:
            while self.status(url) != 200:
                for process in [*self.web, self.worker]:
                    if process is not None and process.poll() is not None:
                        raise RuntimeError(f"{process.args[0]} exited: see {self.work}/*.log")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} never answered 200; see {self.work}")
                time.sleep(0.3)

    @staticmethod
    def status(url: str) -> int | None:
        host, port = url.split("//")[1].split("/")[0].split(":")
        path = "/" + url.split("//")[1].split("/", 1)[1]
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        try:
            connection.request("GET", path)
            return connection.getresponse().status
        except OSError:
            return None
        finally:
            connection.close()

    def log(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text(errors="replace")

    # --- the whole ---------------------------------------------------------------------

    def __enter__(self) -> "Stack":
        try:
            self.manage("migrate", "--noinput")
            self.manage("collectstatic", "--noinput")
            if self.with_worker:
                self.start_worker()
            for index in range(self.servers):
                self.start_server(index)
            self.wait_until_healthy()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        for process in [*self.web, self.worker]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [*self.web, self.worker]:
            if process is None:
                continue
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.created_database:
            self._admin_sql(
                self.base_url, f'DROP DATABASE IF EXISTS "{self.created_database}" WITH (FORCE)'
            )
