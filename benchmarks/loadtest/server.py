"""The server under load: gunicorn with the options of `make serve`, on 127.0.0.1 and a free port."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with the options of `make serve` (keep them in step with the Makefile), run from the
    project root so a gunicorn.conf.py there would apply too, on 127.0.0.1 and a free port.

    It runs in its own process group, which stop() ends: on leaving the `with` block, on Ctrl-C too.
    """

    def __init__(
        self, *, env: dict, workers: int = 4, threads: int = 8, extra_args: list[str] | None = None, startup_timeout: float = 60.0
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.argv = [
            sys.executable, "-m", "gunicorn", "fundmgr.wsgi", "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--timeout", "120", "--graceful-timeout", "30", "--max-requests", "5000", "--max-requests-jitter", "500",
            "--no-control-socket", *(extra_args or []),
        ]  # fmt: skip
        self.env = env
        self.startup_timeout = startup_timeout
        self.process = None
        self.log = tempfile.TemporaryFile(mode="w+")

    def __enter__(self) -> str:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self.url

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        """Start booting; the workers import Django meanwhile, so the caller may do other work."""
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self) -> None:
        give_up = time.monotonic() + self.startup_timeout
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}:\n{self.log_tail()}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", "/accounts/login/")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {self.startup_timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        self.log.seek(0)
        return "".join(self.log.readlines()[-lines:])


def server_environment(*, secret_key: str, database_url: str | None = None) -> dict:
    """The server's environment: this one's (its DATABASE_URL unless another is given), in production mode."""
    env = dict(os.environ, SECRET_KEY=secret_key, DEBUG="0", ALLOWED_HOSTS="127.0.0.1,localhost")
    env["HTTPS"] = "0"  # plain http on loopback: no redirect to https, no Secure-only cookies
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env
