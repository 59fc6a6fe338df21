"""Install, start and stop a local Doccano 1.8.4 server for tests and the demo.

Usage::

    python tools/doccano_server.py up      # install if needed, start, wait, write server.env
    python tools/doccano_server.py down    # stop the processes recorded in the pid files
    python tools/doccano_server.py status  # exit 0 when the recorded server responds

Everything lives under ``DOCCANO_STATE_DIR`` (default ``.doccano`` in the checkout): the
virtualenv, the SQLite data dir, pid files, logs and ``server.env``. The web app runs under
gunicorn bound to 127.0.0.1 (``doccano webserver`` binds 0.0.0.0 and has no host option),
and ``doccano task`` runs the Celery worker that imports and exports need.

This script uses only the standard library, so any Python 3.10+ can run it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = Path(os.environ.get("DOCCANO_STATE_DIR", ROOT / ".doccano")).resolve()
VENV = STATE_DIR / "venv"
DATA = STATE_DIR / "data"
RUN = STATE_DIR / "run"
ENV_FILE = STATE_DIR / "server.env"
CONSTRAINTS = ROOT / "tools" / "doccano-constraints.txt"

ADMIN_USER = os.environ.get("DOCCANO_ADMIN_USER", "admin")
ADMIN_PASSWORD = os.environ.get("DOCCANO_ADMIN_PASSWORD", "Admin-Pass-1234")
ANNOTATORS = [("annotator1", "Annot-Pass-1234"), ("annotator2", "Annot-Pass-5678")]
WORKERS = os.environ.get("DOCCANO_WORKERS", "2")
TASK_CONCURRENCY = os.environ.get("DOCCANO_TASK_CONCURRENCY", "2")
START_TIMEOUT = float(os.environ.get("DOCCANO_START_TIMEOUT", "120"))


def log(message: str) -> None:
    print(f"[doccano-server] {message}", flush=True)


def venv_python() -> Path:
    return VENV / "bin" / "python"


def install() -> None:
    """Create the Doccano virtualenv with the pinned constraints, unless it already works."""
    marker = VENV / ".installed"
    if marker.exists() and marker.read_text() == CONSTRAINTS.read_text():
        return
    started = time.monotonic()
    uv = shutil.which("uv")
    if uv:
        subprocess.run([uv, "venv", "--quiet", "--clear", "--python", sys.executable, str(VENV)], check=True)
        subprocess.run(
            [
                uv,
                "pip",
                "install",
                "--quiet",
                "--python",
                str(venv_python()),
                "doccano==1.8.4",
                "setuptools",
                "-c",
                str(CONSTRAINTS),
            ],
            check=True,
        )
    else:
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [
                str(venv_python()),
                "-m",
                "pip",
                "install",
                "--quiet",
                "doccano==1.8.4",
                "setuptools",
                "-c",
                str(CONSTRAINTS),
            ],
            check=True,
        )
    marker.write_text(CONSTRAINTS.read_text())
    log(f"installed doccano 1.8.4 into {VENV} in {time.monotonic() - started:.1f} s")


def server_environment() -> dict[str, str]:
    DATA.mkdir(parents=True, exist_ok=True)
    key_file = DATA / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    env = dict(os.environ)
    env.update(
        DOCCANO_HOME=str(DATA),
        DATABASE_URL=f"sqlite:///{DATA}/db.sqlite3",
        MEDIA_ROOT=str(DATA / "media"),
        DJANGO_SETTINGS_MODULE="config.settings.production",
        STANDALONE="True",
        DEBUG="False",
        SECRET_KEY=key_file.read_text().strip(),
        PYTHONUNBUFFERED="1",
    )
    return env


def parse_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """Parse the ``NAME=value`` lines of a ``server.env`` file; return ``{}`` when it is missing.

    Lines without ``=`` and lines starting with ``#`` are skipped. The value is everything after
    the first ``=``, so a password may contain ``=``.
    """
    env_file = Path(path)
    if not env_file.is_file():
        return {}
    values = {}
    for line in env_file.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and not name.lstrip().startswith("#"):
            values[name.strip()] = value.strip()
    return values


def load_server_env(
    state_dir: str | os.PathLike[str] | None = None, *, required: bool = False
) -> dict[str, str]:
    """Return the values of ``<state_dir>/server.env`` that ``up`` writes, or ``{}`` without one.

    :param state_dir: the server's state folder; ``None`` reads ``$DOCCANO_STATE_DIR`` when this
        function is called, else ``<repo>/.doccano``.
    :param required: raise instead of returning ``{}`` when the file is missing.
    :raises FileNotFoundError: with ``required=True``, when ``server.env`` is missing.
    """
    if state_dir is None:
        state_dir = os.environ.get("DOCCANO_STATE_DIR") or ROOT / ".doccano"
    env_file = Path(state_dir) / "server.env"
    if required and not env_file.is_file():
        raise FileNotFoundError(
            f"{env_file} not found: start the server with 'make doccano-up' or set DOCCANO_STATE_DIR."
        )
    return parse_env_file(env_file)


def annotator_logins(values: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Return ``(username, password)`` pairs from ``DOCCANO_ANNOTATOR<n>_USERNAME/_PASSWORD``.

    Numbering starts at 1 and stops at the first missing number.
    """
    pairs = []
    index = 1
    while f"DOCCANO_ANNOTATOR{index}_USERNAME" in values:
        pairs.append(
            (
                values[f"DOCCANO_ANNOTATOR{index}_USERNAME"],
                values.get(f"DOCCANO_ANNOTATOR{index}_PASSWORD", ""),
            )
        )
        index += 1
    return tuple(pairs)


def pid_alive(name: str) -> bool:
    pid_file = RUN / f"{name}.pid"
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text()), 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return False
    return True


def health_ok(url: str) -> bool:
    request = urllib.request.Request(f"{url}/v1/health/", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            body = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return isinstance(body, dict) and all(value == "OK" for value in body.values())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(name: str, argv: list[str], env: dict[str, str], cwd: Path) -> None:
    RUN.mkdir(parents=True, exist_ok=True)
    log_file = open(RUN / f"{name}.log", "ab")  # noqa: SIM115 - kept open by the child
    process = subprocess.Popen(
        argv,
        env=env,
        cwd=cwd,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    (RUN / f"{name}.pid").write_text(str(process.pid))


def api(url: str, method: str, path: str, body: dict | None = None, token: str | None = None):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{url}{path}", data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def ensure_annotators(url: str) -> None:
    token = api(url, "POST", "/v1/auth/login/", {"username": ADMIN_USER, "password": ADMIN_PASSWORD})["key"]
    existing = {user["username"] for user in api(url, "GET", "/v1/users", token=token)}
    for username, password in ANNOTATORS:
        if username in existing:
            continue
        api(
            url,
            "POST",
            "/v1/users/create",
            {
                "username": username,
                "email": f"{username}@example.com",
                "password1": password,
                "password2": password,
            },
            token=token,
        )


def write_env_file(url: str) -> None:
    lines = [
        f"DOCCANO_URL={url}",
        f"DOCCANO_USERNAME={ADMIN_USER}",
        f"DOCCANO_PASSWORD={ADMIN_PASSWORD}",
    ]
    for index, (username, password) in enumerate(ANNOTATORS, start=1):
        lines.append(f"DOCCANO_ANNOTATOR{index}_USERNAME={username}")
        lines.append(f"DOCCANO_ANNOTATOR{index}_PASSWORD={password}")
    ENV_FILE.write_text("\n".join(lines) + "\n")
    ENV_FILE.chmod(0o600)


def up() -> int:
    recorded = parse_env_file(ENV_FILE).get("DOCCANO_URL")
    if recorded and pid_alive("web") and pid_alive("task") and health_ok(recorded):
        log(f"already running at {recorded}")
        print(recorded)
        return 0
    stop_processes()
    started = time.monotonic()
    install()
    env = server_environment()
    doccano = str(VENV / "bin" / "doccano")
    subprocess.run([doccano, "init"], env=env, check=True, capture_output=True)
    subprocess.run(
        [
            doccano,
            "createuser",
            "--username",
            ADMIN_USER,
            "--password",
            ADMIN_PASSWORD,
            "--email",
            f"{ADMIN_USER}@example.com",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    port = int(os.environ.get("DOCCANO_PORT") or free_port())
    url = f"http://127.0.0.1:{port}"
    backend = subprocess.run(
        [str(venv_python()), "-c", "import backend, os; print(os.path.dirname(backend.__file__))"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    spawn(
        "web",
        [
            str(VENV / "bin" / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            WORKERS,
            "--timeout",
            "300",
            "--chdir",
            backend,
            "--capture-output",
            "config.wsgi",
        ],
        env,
        Path(backend),
    )
    spawn("task", [doccano, "task", "--concurrency", TASK_CONCURRENCY], env, DATA)
    deadline = time.monotonic() + START_TIMEOUT
    while not health_ok(url):
        if time.monotonic() > deadline:
            log(f"server did not become healthy within {START_TIMEOUT:.0f} s; see {RUN}/*.log")
            stop_processes()
            return 1
        if not (pid_alive("web") and pid_alive("task")):
            log(f"a server process exited during start; see {RUN}/web.log and {RUN}/task.log")
            stop_processes()
            return 1
        time.sleep(0.5)
    ensure_annotators(url)
    write_env_file(url)
    log(f"ready at {url} after {time.monotonic() - started:.1f} s; credentials in {ENV_FILE}")
    print(url)
    return 0


def stop_processes() -> None:
    for name in ("web", "task"):
        pid_file = RUN / f"{name}.pid"
        if not pid_file.exists():
            continue
        try:
            pid = int(pid_file.read_text())
        except ValueError:
            pid_file.unlink()
            continue
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pid_file.unlink()
            continue
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            # The pid was started with start_new_session, so it leads its own process group.
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        pid_file.unlink()


def down() -> int:
    stop_processes()
    log("stopped")
    return 0


def status() -> int:
    recorded = parse_env_file(ENV_FILE).get("DOCCANO_URL")
    if recorded and health_ok(recorded):
        print(recorded)
        return 0
    log("not running")
    return 1


def main(argv: list[str]) -> int:
    commands = {"up": up, "down": down, "status": status}
    if len(argv) != 2 or argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[argv[1]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
