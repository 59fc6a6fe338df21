"""The ``Doccano project`` extra link shown on every Doccano task in the Airflow UI."""

from __future__ import annotations

from typing import Any

from doccano_provider._compat import BaseOperatorLink, TaskInstanceKey, XCom

PROJECT_LINK_XCOM_KEY = "doccano_project_url"


class DoccanoProjectLink(BaseOperatorLink):
    """Open the task's Doccano project in the Doccano web UI.

    The operator stores the project's address in XCom (key ``doccano_project_url``) with
    :meth:`persist` as soon as it has the project id, and :meth:`get_link` reads it back.
    """

    name = "Doccano project"

    @staticmethod
    def persist(context: Any, url: str) -> None:
        """Store the project's web UI address for the running task instance."""
        context["ti"].xcom_push(key=PROJECT_LINK_XCOM_KEY, value=url)

    def get_link(self, operator: Any, *, ti_key: TaskInstanceKey) -> str:
        url = XCom.get_value(ti_key=ti_key, key=PROJECT_LINK_XCOM_KEY)
        return str(url) if url else ""
