"""Airflow's own CLI finds the provider through its entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from doccano_provider import __version__


def test_airflow_cli_lists_provider(tmp_path):
    env = dict(os.environ, AIRFLOW_HOME=str(tmp_path), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "providers", "get", "airflow-provider-doccano", "-o", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(result.stdout[result.stdout.index("[") :])
    assert rows[0]["Provider"] == "airflow-provider-doccano"
    assert rows[0]["Version"] == __version__
