"""Run one complete Doccano annotation round with real Airflow: ``make demo``.

Usage::

    python tools/demo.py run [--limit N] [--pace EXAMPLES_PER_SECOND] [--target FRACTION]
    python tools/demo.py stop

``run`` does, in order:

1. Doccano: unless ``DOCCANO_URL`` is set, starts the local server of ``tools/doccano_server.py``
   (state in ``.doccano``, bound to 127.0.0.1) and reads its ``server.env``. With ``DOCCANO_URL``
   it uses that server, logging in as ``DOCCANO_USERNAME``/``DOCCANO_PASSWORD``; the simulated
   annotators then come from ``DOCCANO_ANNOTATOR<n>_USERNAME``/``_PASSWORD`` (or from the
   ``server.env`` file that ``DOCCANO_ENV_FILE`` names).
2. Data: the Poem Sentiment folder (``$DOCCANO_POEM_SENTIMENT_DIR``, ``../shared/data``, or a
   download from the pinned upstream commit, SHA-256 checked).
3. Airflow: ``AIRFLOW_HOME=.airflow`` with SQLite, ``airflow db migrate``, the DAGs folder set to
   ``example_dags/`` and the ``doccano_default`` connection passed as ``AIRFLOW_CONN_DOCCANO_DEFAULT``.
4. ``airflow dags test example_doccano_poem_sentiment`` runs the round in this process's child,
   while simulated annotators (the server's annotator users) label every verse with its gold
   label at ``--pace`` and confirm it, so the progress sensor completes by itself. Then the
   export consumer DAG runs on the new export.
5. Prints the summary: project URL, examples imported, confirmed, exported, label
   distribution, export path and wall time. Doccano keeps running; ``make stop`` stops it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from example_dags.doccano_example_data import (  # noqa: E402
    locate_poem_sentiment,
    poem_sentiment_gold,
    summarize_jsonl_export,
)

from doccano_provider.client import DoccanoClient, DoccanoError  # noqa: E402
from tools.airflow_cli import airflow_cli_environment, run_airflow  # noqa: E402
from tools.doccano_server import annotator_logins, load_server_env, parse_env_file  # noqa: E402
from tools.simulated_annotators import SimulatedAnnotators, summarize  # noqa: E402

log = logging.getLogger("demo")

AIRFLOW_HOME = Path(os.environ.get("AIRFLOW_HOME", ROOT / ".airflow"))
# DEMO_DIR lets tests keep their work files out of the checkout.
DEMO_DIR = Path(os.environ.get("DEMO_DIR", ROOT / ".demo"))
WORK_DIR = DEMO_DIR / "work"
DAG_ID = "example_doccano_poem_sentiment"
CONSUMER_DAG_ID = "example_doccano_export_consumer"
EXPORT_ASSET_URI = "doccano://export/poem-sentiment"


@dataclass(frozen=True)
class DoccanoTarget:
    """The Doccano server the demo runs against, and who logs in."""

    url: str
    username: str
    password: str
    annotators: tuple[tuple[str, str], ...]
    started_here: bool
    env_file: Path | None


def resolve_doccano() -> DoccanoTarget:
    """Start the local Doccano server or use the one ``DOCCANO_URL`` names."""
    if os.environ.get("DOCCANO_URL"):
        env_file = Path(os.environ["DOCCANO_ENV_FILE"]) if os.environ.get("DOCCANO_ENV_FILE") else None
        values = parse_env_file(env_file) if env_file else {}
        values.update({name: value for name, value in os.environ.items() if name.startswith("DOCCANO_")})
        missing = [name for name in ("DOCCANO_USERNAME", "DOCCANO_PASSWORD") if not values.get(name)]
        if missing:
            raise SystemExit(
                f"DOCCANO_URL is set but {', '.join(missing)} is missing: set the admin login of that server."
            )
        return DoccanoTarget(
            url=values["DOCCANO_URL"].rstrip("/"),
            username=values["DOCCANO_USERNAME"],
            password=values["DOCCANO_PASSWORD"],
            annotators=annotator_logins(values),
            started_here=False,
            env_file=env_file,
        )
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("DOCCANO_STATE_DIR", None)  # the demo always uses the checkout's own .doccano
    subprocess.run([sys.executable, str(ROOT / "tools" / "doccano_server.py"), "up"], check=True, env=env)
    env_file = ROOT / ".doccano" / "server.env"
    values = load_server_env(ROOT / ".doccano")
    return DoccanoTarget(
        url=values["DOCCANO_URL"],
        username=values["DOCCANO_USERNAME"],
        password=values["DOCCANO_PASSWORD"],
        annotators=annotator_logins(values),
        started_here=True,
        env_file=env_file,
    )


def airflow_environment(target: DoccanoTarget, settings: dict[str, str]) -> dict[str, str]:
    """Build the environment for the ``airflow`` commands: home, DAGs folder, connection, Params."""
    env = airflow_cli_environment(AIRFLOW_HOME, target.url, target.username, target.password)
    # Airflow queues consumer runs on an Asset event only for DAGs that are not paused.
    env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] = "False"
    env["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "INFO"
    env.update(settings)
    return env


# Runs in a child process with the demo's Airflow environment, so this process never imports
# Airflow. It prints the newest event of the export Asset and whether a consumer run is queued.
_ASSET_EVENT_SCRIPT = """
import json, sys
from sqlalchemy import select
from airflow.models.asset import AssetDagRunQueue, AssetEvent, AssetModel
from airflow.utils.session import create_session
with create_session() as session:
    asset = session.execute(select(AssetModel).where(AssetModel.uri == sys.argv[1])).scalar_one_or_none()
    if asset is None:
        print("null")
        sys.exit(0)
    newest = select(AssetEvent).where(AssetEvent.asset_id == asset.id).order_by(AssetEvent.timestamp.desc())
    event = session.execute(newest.limit(1)).scalar_one_or_none()
    queued = session.execute(
        select(AssetDagRunQueue.target_dag_id).where(AssetDagRunQueue.asset_id == asset.id)
    ).scalars().all()
    print(json.dumps({
        "timestamp": event.timestamp.isoformat() if event else None,
        "files": (event.extra or {}).get("files", []) if event else [],
        "queued_for": sorted(queued),
    }))
"""


def read_asset_event(uri: str, env: dict[str, str]) -> dict | None:
    """Return the newest event of the Asset ``uri`` from the demo's Airflow database, or ``None``."""
    result = subprocess.run(
        [sys.executable, "-c", _ASSET_EVENT_SCRIPT, uri], env=env, capture_output=True, text=True, check=False
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        log.warning("Could not read the Asset events of %s: %s", uri, result.stderr[-500:])
        return None
    return json.loads(lines[-1])


def find_project_id(client: DoccanoClient, name: str, stop: threading.Event, timeout: float) -> int | None:
    """Poll until the DAG has created the project called ``name``; return its id."""
    deadline = time.monotonic() + timeout
    while not stop.is_set() and time.monotonic() < deadline:
        for project in client.list_projects():
            if project.name == name:
                return project.id
        stop.wait(2.0)
    return None


def run(options: argparse.Namespace) -> int:
    """Run the demo round; return the process exit code."""
    started = time.monotonic()
    target = resolve_doccano()
    if not target.annotators:
        raise SystemExit(
            "No annotator users are configured for the simulated annotators: set DOCCANO_ANNOTATOR1_USERNAME "
            "and DOCCANO_ANNOTATOR1_PASSWORD (and 2, 3, ...) or DOCCANO_ENV_FILE."
        )
    data_dir = locate_poem_sentiment()
    print(f"Poem Sentiment data: {data_dir}", flush=True)
    gold = poem_sentiment_gold(data_dir)

    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    project_name = options.project_name or f"poem-sentiment-demo-{stamp}"
    usernames = [username for username, _ in target.annotators]
    settings = {
        "DOCCANO_POEM_SENTIMENT_DIR": str(data_dir),
        "DOCCANO_POEM_PROJECT": project_name,
        "DOCCANO_POEM_LIMIT": str(options.limit),
        "DOCCANO_ANNOTATORS": ",".join(usernames),
        "DOCCANO_TARGET_FRACTION": str(options.target),
        "DOCCANO_WORK_DIR": str(WORK_DIR),
        "DOCCANO_POKE_INTERVAL": str(options.poke_interval),
    }
    env = airflow_environment(target, settings)
    DEMO_DIR.mkdir(exist_ok=True)
    AIRFLOW_HOME.mkdir(exist_ok=True)
    log_file = DEMO_DIR / f"airflow-{stamp}.log"
    print(f"Airflow home: {AIRFLOW_HOME} (log: {log_file})", flush=True)
    run_airflow(["db", "migrate"], env, log_file)

    admin = DoccanoClient(target.url)
    admin.login(target.username, target.password)
    stop = threading.Event()
    state: dict[str, object] = {}

    def annotate() -> None:
        project_id = find_project_id(admin_watch, project_name, stop, timeout=600)
        if project_id is None:
            return
        state["project_id"] = project_id
        annotators = SimulatedAnnotators(
            target.url,
            target.annotators,
            project_id,
            gold=lambda example: gold.get(example.text),
            pace=options.pace,
            target=options.target,
        )
        state["annotators"] = annotators
        annotators.start()
        while annotators.is_alive() and not stop.is_set():
            annotators.wait(timeout=1.0)
        annotators.stop()

    admin_watch = DoccanoClient(target.url)
    admin_watch.login(target.username, target.password)
    thread = threading.Thread(target=annotate, name="demo-annotators", daemon=True)
    thread.start()
    print(
        f"Running DAG {DAG_ID} (project {project_name!r}, {len(usernames)} simulated annotators at "
        f"{options.pace:g} examples/s each, target {options.target:g})...",
        flush=True,
    )
    try:
        run_airflow(["dags", "test", DAG_ID, stamp_logical_date()], env, log_file)
    finally:
        stop.set()
        thread.join(timeout=60)
        admin_watch.close()
    asset_event = read_asset_event(EXPORT_ASSET_URI, env)
    print(f"Running DAG {CONSUMER_DAG_ID} on the new export...", flush=True)
    run_airflow(["dags", "test", CONSUMER_DAG_ID, stamp_logical_date()], env, log_file)

    project_id = int(state["project_id"])
    annotators = state.get("annotators")
    export_dir = newest_export_dir()
    summary = summarize_jsonl_export(sorted(export_dir.glob("*.jsonl")))
    members = admin.get_members_progress(project_id)
    imported = admin.count_examples(project_id)
    admin.close()
    wall = time.monotonic() - started

    print("\n=== Doccano annotation round finished ===")
    print(f"Project:            {target.url}/projects/{project_id}  ({project_name})")
    print(f"Examples imported:  {imported}")
    for member in members:
        print(f"Confirmed by {member.user}: {member.done}")
    print(f"Examples exported:  {summary['examples']} rows in {summary['files']}")
    print(f"Label distribution: {json.dumps(summary['label_distribution'])}")
    print(f"Export path:        {export_dir}")
    if asset_event and asset_event["timestamp"]:
        queued = ", ".join(asset_event["queued_for"]) or "nothing"
        print(
            f"Asset event:        {EXPORT_ASSET_URI} at {asset_event['timestamp']} with "
            f"{len(asset_event['files'])} files; queued for the scheduler: {queued}"
        )
    else:
        print(f"Asset event:        none recorded for {EXPORT_ASSET_URI}")
    if annotators is not None:
        print("Simulated annotators:\n  " + summarize(annotators.reports).replace("\n", "\n  "))
    print(f"Wall time:          {wall:.1f} s")
    print(f"\nDoccano is still running at {target.url}/ ; log in as {target.username!r}", end="")
    print(f" (password in {target.env_file})." if target.env_file else " with your password.")
    print("Stop everything the demo started with: make stop")
    return 0


def stamp_logical_date() -> str:
    """Return a unique logical date, so repeated demos create distinct DAG runs."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def newest_export_dir() -> Path:
    """Return the newest folder under the demo's export root that contains JSONL files."""
    folders = [path.parent for path in (WORK_DIR / "exports").rglob("*.jsonl")]
    if not folders:
        raise SystemExit(f"The DAG finished but no export was found under {WORK_DIR / 'exports'}.")
    return max(folders, key=lambda folder: folder.stat().st_mtime)


def stop_demo() -> int:
    """Stop the Doccano server in ``.doccano`` (a no-op when it is not running)."""
    env = dict(os.environ)
    env.pop("DOCCANO_STATE_DIR", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "doccano_server.py"), "down"], env=env
    ).returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the Poem Sentiment round with real Airflow")
    run_parser.add_argument(
        "--limit",
        type=int,
        default=int(os.environ.get("DEMO_LIMIT", "0")),
        help="verses to upload, 0 for all",
    )
    run_parser.add_argument(
        "--pace",
        type=float,
        default=float(os.environ.get("DEMO_PACE", "10")),
        help="examples per second per simulated annotator (0: as fast as the server answers)",
    )
    run_parser.add_argument(
        "--target",
        type=float,
        default=float(os.environ.get("DEMO_TARGET", "1.0")),
        help="fraction of the examples each annotator must confirm, in (0, 1]",
    )
    run_parser.add_argument(
        "--project-name", default=os.environ.get("DEMO_PROJECT", ""), help="Doccano project"
    )
    run_parser.add_argument(
        "--poke-interval", type=float, default=5.0, help="seconds between the sensor's progress checks"
    )
    commands.add_parser("stop", help="stop the Doccano server the demo started")
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if options.command == "stop":
        return stop_demo()
    if not 0.0 < options.target <= 1.0:
        parser.error(f"--target {options.target} is invalid: use a fraction in (0, 1].")
    if options.limit < 0:
        parser.error(f"--limit {options.limit} is invalid: use 0 (all) or a positive count.")
    try:
        return run(options)
    except DoccanoError as error:
        print(f"Demo failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
