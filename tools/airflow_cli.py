"""Run the ``airflow`` CLI of this virtualenv against the example DAGs, for the demo scripts.

Both demos (``tools/demo.py`` and ``tools/demo_active_learning.py``) run ``airflow db migrate``
and ``airflow dags test`` in child processes with SQLite, the ``example_dags`` folder and the
``doccano_default`` connection passed as an environment variable. The password therefore only
reaches the child's environment, never its command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def airflow_cli_environment(home: Path, url: str, username: str, password: str) -> dict[str, str]:
    """Return this process's environment plus what the ``airflow`` commands need.

    :param home: the ``AIRFLOW_HOME``, which also contains the SQLite database ``airflow.db``.
    :param url: the Doccano root URL for the ``doccano_default`` connection.
    :param username: the Doccano login of the connection.
    :param password: the password of the connection.
    """
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "example_dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW_CONN_DOCCANO_DEFAULT": json.dumps(
                {"conn_type": "doccano", "host": url, "login": username, "password": password}
            ),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    return env


def run_airflow(args: Sequence[str], env: dict[str, str], log_file: Path) -> None:
    """Run an ``airflow`` CLI command, its output appended to ``log_file``.

    :raises SystemExit: when the command exits with a non-zero code.
    """
    airflow = str(Path(sys.executable).parent / "airflow")
    with log_file.open("a", encoding="utf-8") as out:
        out.write(f"\n$ airflow {' '.join(args)}\n")
        out.flush()
        result = subprocess.run([airflow, *args], env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        raise SystemExit(
            f"'airflow {' '.join(args)}' failed with exit code {result.returncode}; output in {log_file}."
        )
