"""Airflow names imported once, through ``apache-airflow-providers-common-compat``.

The same import works on Airflow 2.11 (``airflow.models``, ``airflow.sensors.base`` ...) and on
Airflow 3 (``airflow.sdk``), because the compat package picks the module that exists.
"""

from __future__ import annotations

from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowFailException,
    AirflowSensorTimeout,
    AirflowSkipException,
    Asset,
    BaseHook,
    BaseOperator,
    BaseOperatorLink,
    BaseSensorOperator,
    Context,
    ObjectStoragePath,
    PokeReturnValue,
    TaskInstanceKey,
    XCom,
    mask_secret,
)

__all__ = [
    "AirflowException",
    "AirflowFailException",
    "AirflowSensorTimeout",
    "AirflowSkipException",
    "Asset",
    "BaseHook",
    "BaseOperator",
    "BaseOperatorLink",
    "BaseSensorOperator",
    "Context",
    "ObjectStoragePath",
    "PokeReturnValue",
    "TaskInstanceKey",
    "XCom",
    "mask_secret",
]
