"""Provider metadata that Airflow reads through the ``apache_airflow_provider`` entry point.

Airflow validates this dict against ``airflow/provider_info.schema.json`` in every process that
loads providers, so ``tests/unit/test_provider_info.py`` checks it against that schema.
"""

from __future__ import annotations

from typing import Any

INTEGRATION_NAME = "Doccano"

_CONNECTION_FIELDS: dict[str, Any] = {
    "verify": {
        "label": "TLS verification",
        "description": "true or false to turn certificate checks on or off, or the path of a CA bundle.",
        "schema": {"type": ["string", "null"], "default": "true"},
    },
    "timeout": {
        "label": "Timeout (seconds)",
        "description": "Read timeout of one request in seconds; connect timeout is 10 s.",
        "schema": {"type": ["number", "null"], "default": 120},
    },
    "page_size": {
        "label": "Page size",
        "description": "Items per request when listing projects, examples or comments.",
        "schema": {"type": ["integer", "null"], "default": 500, "minimum": 1},
    },
}

PROVIDER_INFO: dict[str, Any] = {
    "package-name": "airflow-provider-doccano",
    "name": "Doccano",
    "description": "`Doccano <https://github.com/doccano/doccano>`__ annotation rounds in Airflow: "
    "projects, labels, members, dataset upload, annotation progress and export.",
    "versions": ["0.1.0"],
    "integrations": [
        {
            "integration-name": INTEGRATION_NAME,
            "external-doc-url": "https://doccano.github.io/doccano/",
            "tags": ["software"],
        }
    ],
    "hooks": [
        {"integration-name": INTEGRATION_NAME, "python-modules": ["doccano_provider.hooks.doccano"]},
    ],
    "operators": [
        {
            "integration-name": INTEGRATION_NAME,
            "python-modules": [
                "doccano_provider.operators.project",
                "doccano_provider.operators.dataset",
                "doccano_provider.operators.export",
                "doccano_provider.operators.preannotation",
                "doccano_provider.operators.incremental_export",
            ],
        }
    ],
    "sensors": [
        {"integration-name": INTEGRATION_NAME, "python-modules": ["doccano_provider.sensors.progress"]},
    ],
    "triggers": [
        {
            "integration-name": INTEGRATION_NAME,
            "python-modules": [
                "doccano_provider.triggers.progress",
                "doccano_provider.triggers.confirmed_count",
            ],
        }
    ],
    "connection-types": [
        {
            "connection-type": "doccano",
            "hook-class-name": "doccano_provider.hooks.doccano.DoccanoHook",
            "hook-name": "Doccano",
            "conn-fields": _CONNECTION_FIELDS,
            "ui-field-behaviour": {
                "hidden-fields": ["schema", "port"],
                "relabeling": {
                    "host": "Doccano URL",
                    "login": "Username",
                    "password": "Password or API token",
                },
                "placeholders": {
                    "host": "https://doccano.example.com",
                    "login": "leave empty to use an API token",
                    "password": "password, or the API token when Username is empty",
                    "verify": "true",
                    "timeout": "120",
                    "page_size": "500",
                },
            },
        }
    ],
    "extra-links": ["doccano_provider.links.DoccanoProjectLink"],
}
