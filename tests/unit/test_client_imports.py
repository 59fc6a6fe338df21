"""The client package must work in notebooks and scripts where Airflow is not installed."""

from __future__ import annotations

import subprocess
import sys


def test_client_imports_without_airflow():
    # Setting sys.modules["airflow"] to None makes any import of airflow raise ImportError.
    code = (
        "import sys\n"
        "sys.modules['airflow'] = None\n"
        "from doccano_provider.client import DoccanoClient\n"
        "from doccano_provider.client import models\n"
        "client = DoccanoClient('http://127.0.0.1:1')\n"
        "print(sorted(name for name in sys.modules if name.startswith('airflow')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['airflow']"


def test_models_module_exports_every_return_type():
    from doccano_provider.client import models

    expected = {
        "User",
        "PasswordUpdated",
        "UserDetails",
        "Role",
        "Project",
        "Member",
        "LabelType",
        "Example",
        "Comment",
        "DataImportOption",
        "DataExportOption",
        "TaskStatus",
        "Progress",
        "MemberProgress",
        "LabelDistribution",
        "Category",
        "Span",
        "Relation",
        "Text",
        "BoundingBox",
        "Segment",
    }
    missing = expected - set(models.__all__)
    assert not missing
