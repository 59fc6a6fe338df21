"""Unit tests of the demo runner's configuration handling (no server, no Airflow run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tools import demo, doccano_server


def test_read_env_file_parses_lines(tmp_path: Path) -> None:
    path = tmp_path / "server.env"
    path.write_text(
        "DOCCANO_URL=http://127.0.0.1:8000\n# comment=x\nBROKEN\nDOCCANO_PASSWORD=a=b\n", encoding="utf-8"
    )
    assert doccano_server.parse_env_file(path) == {
        "DOCCANO_URL": "http://127.0.0.1:8000",
        "DOCCANO_PASSWORD": "a=b",
    }


def test_annotators_from_numbered_variables() -> None:
    values = {
        "DOCCANO_ANNOTATOR1_USERNAME": "alice",
        "DOCCANO_ANNOTATOR1_PASSWORD": "pw1",
        "DOCCANO_ANNOTATOR2_USERNAME": "bob",
        "DOCCANO_ANNOTATOR2_PASSWORD": "pw2",
        "DOCCANO_ANNOTATOR4_USERNAME": "ignored after a gap",
    }
    assert doccano_server.annotator_logins(values) == (("alice", "pw1"), ("bob", "pw2"))


def test_resolve_uses_doccano_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCCANO_URL", "http://127.0.0.1:9000/")
    monkeypatch.setenv("DOCCANO_USERNAME", "admin")
    monkeypatch.setenv("DOCCANO_PASSWORD", "secret")
    monkeypatch.setenv("DOCCANO_ANNOTATOR1_USERNAME", "alice")
    monkeypatch.setenv("DOCCANO_ANNOTATOR1_PASSWORD", "pw")
    monkeypatch.delenv("DOCCANO_ENV_FILE", raising=False)
    target = demo.resolve_doccano()
    assert target.url == "http://127.0.0.1:9000"
    assert target.username == "admin"
    assert target.annotators == (("alice", "pw"),)
    assert not target.started_here


def test_resolve_reads_env_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env_file = tmp_path / "server.env"
    env_file.write_text(
        "DOCCANO_USERNAME=admin\nDOCCANO_PASSWORD=pw\nDOCCANO_ANNOTATOR1_USERNAME=a1\nDOCCANO_ANNOTATOR1_PASSWORD=x\n",
        encoding="utf-8",
    )
    for name in ("DOCCANO_USERNAME", "DOCCANO_PASSWORD", "DOCCANO_ANNOTATOR1_USERNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCCANO_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("DOCCANO_ENV_FILE", str(env_file))
    target = demo.resolve_doccano()
    assert target.password == "pw"
    assert target.annotators == (("a1", "x"),)
    assert target.env_file == env_file


def test_resolve_without_password_exits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCCANO_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("DOCCANO_USERNAME", "admin")
    monkeypatch.delenv("DOCCANO_PASSWORD", raising=False)
    monkeypatch.delenv("DOCCANO_ENV_FILE", raising=False)
    with pytest.raises(SystemExit, match="DOCCANO_PASSWORD is missing"):
        demo.resolve_doccano()


def test_airflow_environment_sets_connection() -> None:
    target = demo.DoccanoTarget("http://127.0.0.1:9000", "admin", "pw", (), started_here=False, env_file=None)
    env = demo.airflow_environment(target, {"DOCCANO_POEM_LIMIT": "5"})
    connection = json.loads(env["AIRFLOW_CONN_DOCCANO_DEFAULT"])
    assert connection == {
        "conn_type": "doccano",
        "host": "http://127.0.0.1:9000",
        "login": "admin",
        "password": "pw",
    }
    assert env["AIRFLOW__CORE__DAGS_FOLDER"].endswith("example_dags")
    assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "False"
    assert env["DOCCANO_POEM_LIMIT"] == "5"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["run", "--target", "0"], "--target 0.0 is invalid"),
        (["run", "--limit", "-1"], "--limit -1 is invalid"),
    ],
)
def test_main_rejects_bad_arguments(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        demo.main(arguments)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
