"""Airflow Assets that stand for a Doccano project's export, shared by producer and consumer DAGs."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from doccano_provider._compat import Asset

EXPORT_ASSET_SCHEME = "doccano"


def doccano_export_asset(name: str, **kwargs: Any) -> Asset:
    """Build the Asset for the export of the Doccano project called ``name``.

    The download operator declares it as an outlet, so a consumer DAG scheduled on
    ``doccano_export_asset("reviews")`` runs after each export of that project. The URI is
    ``doccano://export/<quoted name>``; the Asset name is ``doccano-export-<name>``.

    :param name: the Doccano project name (or any stable key both DAGs agree on).
    :param kwargs: passed on to ``Asset``, e.g. ``extra``.
    """
    if not name or not str(name).strip():
        raise ValueError("Invalid Doccano export asset name '': use the project name both DAGs share.")
    uri = f"{EXPORT_ASSET_SCHEME}://export/{quote(str(name), safe='')}"
    try:
        return Asset(uri=uri, name=f"doccano-export-{name}", **kwargs)
    except TypeError:
        # Airflow 2.11's Dataset takes the URI only.
        return Asset(uri, **kwargs)
