"""Server-level calls such as the health check."""

from __future__ import annotations

from doccano_provider.client.exceptions import ServerError
from doccano_provider.client.resources._base import ResourceMixin

_HEALTH_PATH = "/v1/health/"


class ServerCalls(ResourceMixin):
    """Server-level calls such as the health check."""

    def health_check(self) -> dict[str, str]:
        """Return the server's health checks, ``{check name: "OK"}`` (``GET /v1/health/``).

        The route needs no login. It checks the cache, the Celery worker, file storage and
        migrations.

        :raises ServerError: a check is not OK. The message names each failing check.
        :raises TransportError: the server cannot be reached.
        """
        url = self._transport.url(_HEALTH_PATH)
        try:
            checks = self._transport.get(_HEALTH_PATH)
        except ServerError as error:
            # django-health-check responds with 500 and the same JSON object when a check fails.
            statuses = {name: " ".join(messages) for name, messages in error.errors.items()}
            failing = {name: status for name, status in statuses.items() if status != "OK"}
            if not failing:
                raise
            raise _unhealthy(failing, url, error.status_code) from error
        failing = {name: str(status) for name, status in checks.items() if status != "OK"}
        if failing:
            raise _unhealthy(failing, url, 200)
        return {str(name): str(status) for name, status in checks.items()}


def _unhealthy(failing: dict[str, str], url: str, status_code: int) -> ServerError:
    summary = "; ".join(f"{name}: {status}" for name, status in failing.items())
    return ServerError(
        f"Doccano health check failed: {summary}. Check the Doccano web and task (Celery) processes.",
        status_code=status_code,
        method="GET",
        url=url,
        errors={name: [status] for name, status in failing.items()},
    )
