"""Apache Airflow provider for Doccano, with a typed Doccano REST client.

Importing this package is cheap: Airflow imports it to read :func:`get_provider_info`.
"""

from __future__ import annotations

__version__ = "0.1.0"


def get_provider_info() -> dict:
    """Return the provider metadata that Airflow reads through the entry point."""
    from doccano_provider.provider_info import PROVIDER_INFO

    return PROVIDER_INFO
