"""``tools/demo.py run`` end to end: real Doccano, real Airflow, simulated annotators, summary."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from doccano_provider.client import DoccanoClient
from tests.conftest import ROOT
from tests.integration.conftest import unique_name

pytestmark = [pytest.mark.integration, pytest.mark.airflow_e2e]

LIMIT = 8


def test_demo_round_prints_summary(
    doccano_server, admin_client: DoccanoClient, shared_data: Path, tmp_path: Path
):
    project_name = unique_name("demo-test")
    env = dict(os.environ)
    env.update(
        {
            "DOCCANO_URL": doccano_server.url,
            "DOCCANO_USERNAME": doccano_server.username,
            "DOCCANO_PASSWORD": doccano_server.password,
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
            "DEMO_DIR": str(tmp_path / "demo"),
            "DOCCANO_POEM_SENTIMENT_DIR": str(shared_data / "poem_sentiment"),
        }
    )
    for index, (username, password) in enumerate(doccano_server.annotators, start=1):
        env[f"DOCCANO_ANNOTATOR{index}_USERNAME"] = username
        env[f"DOCCANO_ANNOTATOR{index}_PASSWORD"] = password
    command = [
        sys.executable,
        str(ROOT / "tools" / "demo.py"),
        "run",
        "--limit",
        str(LIMIT),
        "--pace",
        "0",
        "--poke-interval",
        "2",
        "--project-name",
        project_name,
    ]
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
        output = result.stdout
        assert result.returncode == 0, f"demo failed:\n{output}\n{result.stderr[-3000:]}"
        assert "=== Doccano annotation round finished ===" in output
        assert re.search(rf"Examples imported:\s+{LIMIT}\b", output)
        for username, _ in doccano_server.annotators:
            assert f"Confirmed by {username}: {LIMIT}" in output
        annotator_rows = len(doccano_server.annotators) * LIMIT
        assert re.search(rf"Examples exported:\s+{annotator_rows} rows", output)
        distribution = re.search(r"Label distribution: (\{.*\})", output)
        assert distribution
        counts = [int(value) for value in re.findall(r": (\d+)", distribution.group(1))]
        assert sum(counts) == annotator_rows
        export_path = Path(re.search(r"Export path:\s+(\S+)", output).group(1))
        assert export_path.is_dir()
        assert export_path.is_relative_to(tmp_path / "demo")
        assert sorted(path.name for path in export_path.glob("*.jsonl")) == sorted(
            [f"{username}.jsonl" for username, _ in doccano_server.annotators]
            + [f"{doccano_server.username}.jsonl"]
        )
        assert "Wall time:" in output
        assert re.search(
            r"Asset event:\s+doccano://export/poem-sentiment at \S+ with 3 files; "
            r"queued for the scheduler: example_doccano_export_consumer",
            output,
        ), output
        assert doccano_server.password not in output
        assert doccano_server.password not in result.stderr
        for log_file in (tmp_path / "demo").glob("airflow-*.log"):
            assert doccano_server.password not in log_file.read_text(encoding="utf-8"), log_file
    finally:
        for project in admin_client.list_projects():
            if project.name == project_name:
                admin_client.delete_project(project.id)
