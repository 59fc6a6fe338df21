"""HTTP transport: one ``requests.Session``, token auth, timeouts, retries and pagination."""

from __future__ import annotations

import datetime
import http.cookiejar
import logging
import random
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from doccano_provider.client.exceptions import (
    InvalidArgumentError,
    RequestTimeoutError,
    TransportError,
    UnexpectedResponseError,
    error_from_response,
)

log = logging.getLogger("doccano_provider.client")

DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 120.0)
"""Connect and read timeouts in seconds."""

DEFAULT_PAGE_SIZE = 500
"""Examples per list request. Doccano's own default is 5, which makes long lists very slow."""

# Indirection so that tests can replace the retry delay without patching the time module.
_sleep = time.sleep

RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})


class _RejectAllCookies(http.cookiejar.DefaultCookiePolicy):
    """Cookie policy that stores nothing.

    Doccano's login sets session and CSRF cookies. With a session cookie present, the server
    authenticates by session first and then demands a CSRF token on every write, so a
    token client must never send cookies back.
    """

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:  # noqa: ARG002
        return False


def _retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        # HTTP dates are always GMT; a date without a zone would otherwise be read as local time.
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - time.time())


def _could_not_have_reached_server(error: requests.RequestException) -> bool:
    """Tell whether a failed request is certain not to have reached the server."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if isinstance(error, requests.ConnectionError):
        reason = getattr(error.args[0], "reason", None) if error.args else None
        return isinstance(reason, (NewConnectionError, ConnectTimeoutError))
    return False


class Transport:
    """Send requests to one Doccano server and decode its JSON responses.

    :param base_url: the server's root URL, e.g. ``http://127.0.0.1:8000``.
    :param verify: ``True``/``False`` for TLS verification, or a CA bundle path;
        ``None`` keeps the requests default.
    :param token: an API token key to send as ``Authorization: Token <key>``.
    :param timeout: connect and read timeouts in seconds, a pair or one number for both.
    :param page_size: ``limit`` used for paginated lists.
    :param max_retries: retries after the first attempt for retryable failures.
    :param backoff_factor: first retry delay in seconds; doubled on each retry, with jitter.
    :param backoff_max: cap of one retry delay in seconds.
    :param session: a ``requests.Session`` to use instead of a new one.
    """

    def __init__(
        self,
        base_url: str,
        verify: str | bool | None = None,
        *,
        token: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_retries: int = 4,
        backoff_factor: float = 0.5,
        backoff_max: float = 30.0,
        session: requests.Session | None = None,
    ) -> None:
        if not base_url or not base_url.startswith(("http://", "https://")):
            raise ValueError(
                f"Invalid Doccano base_url {base_url!r}: use the server's root URL with its "
                "scheme, e.g. 'http://127.0.0.1:8000'."
            )
        parts = urllib.parse.urlsplit(base_url)
        if parts.username is not None or parts.password is not None:
            # The URL shows up in error messages and reprs, so its credentials would leak there.
            redacted = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
            raise InvalidArgumentError(
                f"Invalid Doccano base_url {redacted!r} "
                "with a user name or password in it: remove them and call login() or pass token=."
            )
        if page_size < 1:
            raise ValueError(f"Invalid page_size {page_size!r}: use a positive number of items per request.")
        self.base_url = base_url.rstrip("/")
        # Tolerate a base URL that already ends in the API prefix.
        if self.base_url.endswith("/v1"):
            self.base_url = self.base_url[: -len("/v1")]
        self.timeout = timeout
        self.page_size = page_size
        self.max_retries = max_retries
        self.backoff_factor = backoff_factor
        self.backoff_max = backoff_max
        self.session = session or requests.Session()
        self.session.cookies.set_policy(_RejectAllCookies())
        self.session.headers["Accept"] = "application/json"
        self.session.headers["User-Agent"] = "airflow-provider-doccano"
        if verify is not None:
            self.session.verify = verify
        self._token: str | None = None
        if token:
            self.set_token(token)

    # -- authentication -------------------------------------------------------------------

    @property
    def token(self) -> str | None:
        return self._token

    def set_token(self, token: str | None) -> None:
        """Use ``token`` for every following request; ``None`` removes it."""
        self._token = token
        if token:
            self.session.headers["Authorization"] = f"Token {token}"
        else:
            self.session.headers.pop("Authorization", None)
        self.session.cookies.clear()

    # -- requests -------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """Return the absolute URL of an API path such as ``/v1/projects``."""
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        timeout: float | tuple[float, float] | None = None,
        retry_post: bool = False,
    ) -> requests.Response:
        """Send one request with retries and return the response, raising on 4xx/5xx.

        GET, PUT, PATCH and DELETE are retried on connection errors, timeouts and 429/502/
        503/504. A POST is retried on 429 and on failures that cannot have reached the server
        (refused connection, connect timeout), unless ``retry_post`` marks it idempotent.
        """
        method = method.upper()
        url = self.url(path)
        idempotent = method in IDEMPOTENT_METHODS or retry_post
        attempt = 0
        while True:
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data,
                    files=files,
                    headers=headers,
                    stream=stream,
                    timeout=timeout or self.timeout,
                )
            except requests.RequestException as error:
                retryable = idempotent or _could_not_have_reached_server(error)
                if isinstance(error, (requests.ConnectionError, requests.Timeout)) and retryable:
                    if attempt < self.max_retries:
                        attempt += 1
                        self._sleep_before_retry(method, url, attempt, type(error).__name__, None)
                        _rewind(files, data)
                        continue
                if isinstance(error, requests.Timeout):
                    limit = timeout or self.timeout
                    raise RequestTimeoutError(
                        f"{method} {url} timed out after {attempt + 1} attempt(s) (timeout {limit} s): "
                        f"{error}. Check that the Doccano server is up, or raise the timeout.",
                        method=method,
                        url=url,
                    ) from error
                raise TransportError(
                    f"{method} {url} failed after {attempt + 1} attempt(s): {error}. "
                    "Check the Doccano URL and that the server is reachable.",
                    method=method,
                    url=url,
                ) from error

            status = response.status_code
            if status in RETRY_STATUSES and (idempotent or status == 429) and attempt < self.max_retries:
                attempt += 1
                delay = _retry_after_seconds(response) if status == 429 else None
                response.close()
                self._sleep_before_retry(method, url, attempt, f"HTTP {status}", delay)
                _rewind(files, data)
                continue
            if status >= 400:
                body = _json_or_none(response)
                # A streamed error page is not read, so close it to return the connection to the pool.
                response.close()
                raise error_from_response(response, body)
            return response

    def _sleep_before_retry(
        self, method: str, url: str, attempt: int, reason: str, delay: float | None
    ) -> None:
        if delay is None:
            delay = min(self.backoff_max, self.backoff_factor * (2 ** (attempt - 1)))
            delay = delay * (0.5 + random.random() / 2)
        else:
            delay = min(delay, self.backoff_max * 4)
        log.warning(
            "Retrying %s %s (retry %d of %d) in %.2f s after %s.",
            method,
            _path_of(url),
            attempt,
            self.max_retries,
            delay,
            reason,
        )
        _sleep(delay)

    def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request and return the decoded JSON body (``None`` for an empty body)."""
        response = self.request(method, path, **kwargs)
        return decode_json(response)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request_json("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request_json("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request_json("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request_json("DELETE", path, **kwargs)

    def paginate(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Yield every item of a paginated list, one page request at a time.

        Each page is requested with ``limit``/``offset`` built on the configured base URL
        instead of following the server's ``next`` link, whose host can differ behind a proxy.
        An item whose ``id`` was already yielded is skipped, so items created during the
        listing cause no duplicates.

        The listing ends at the first page without ``next``, or once the offset reaches the
        ``count`` the latest page reported, so a server whose pages never end cannot loop it
        forever. Because items created during the listing raise ``count``, the listing may run
        past the first page's ``count`` by as many items again, or by one page when that is more.

        NOTE: items deleted during the listing shift later pages back, so some items can be
        missed; offset paging cannot prevent that.

        :raises UnexpectedResponseError: a page is not a paginated list, a page with ``next``
            has no integer ``count``, or the listing runs past that margin.
        """
        offset = 0
        seen: set[Any] = set()
        first_count: int | None = None
        while True:
            page_params = dict(params or {})
            page_params.update(limit=self.page_size, offset=offset)
            body = self.get(path, params=page_params)
            if not isinstance(body, dict) or "results" not in body:
                raise self._page_error(
                    path,
                    f"returned no paginated list: expected an object with 'results', got "
                    f"{type(body).__name__}.",
                )
            results = body["results"]
            for item in results:
                # A newer item created while listing shifts the next page by one, so its first
                # item repeats the previous page's last one. Each id is yielded only once.
                item_id = item.get("id") if isinstance(item, dict) else None
                if item_id is not None:
                    if item_id in seen:
                        continue
                    seen.add(item_id)
                yield item
            offset += len(results)
            if not body.get("next") or not results:
                return
            count = body.get("count")
            if isinstance(count, bool) or not isinstance(count, int):
                raise self._page_error(
                    path,
                    f"returned a page with 'next' but no integer 'count' (got {count!r}), so "
                    "the listing has no end to check against.",
                )
            if offset >= count:
                return
            if first_count is None:
                first_count = count
            if offset >= first_count + max(first_count, self.page_size):
                raise self._page_error(
                    path,
                    f"kept returning pages past offset {offset}, more items than the "
                    f"{first_count} it reported at first plus a margin for items created during the "
                    "listing. Check the server or any proxy in front of it.",
                )

    def _page_error(self, path: str, problem: str) -> UnexpectedResponseError:
        url = self.url(path)
        return UnexpectedResponseError(f"GET {url} {problem}", method="GET", url=url, status_code=200)

    def close(self) -> None:
        self.session.close()


def decode_json(response: requests.Response) -> Any:
    """Decode a successful response's JSON body, rejecting HTML and other non-API content."""
    if response.status_code == 204 or not response.content:
        return None
    content_type = response.headers.get("Content-Type", "")
    if "json" not in content_type:
        raise UnexpectedResponseError(
            f"{response.request.method} {response.url} returned {content_type or 'no content type'} "
            f"with HTTP {response.status_code}, not JSON: the URL does not look like the Doccano API. "
            "Check that the base URL is the server's root (e.g. http://host:8000) without a path.",
            method=response.request.method or "?",
            url=response.url,
            status_code=response.status_code,
        )
    try:
        return response.json()
    except ValueError as error:
        raise UnexpectedResponseError(
            f"{response.request.method} {response.url} returned invalid JSON: {error}",
            method=response.request.method or "?",
            url=response.url,
            status_code=response.status_code,
        ) from error


def _json_or_none(response: requests.Response) -> Any:
    if "json" not in response.headers.get("Content-Type", ""):
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _path_of(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url


def _rewind(files: Any, data: Any) -> None:
    """Seek file objects in a ``files=`` argument, and a streamed ``data=`` body, back to the start."""
    if hasattr(data, "seek") and hasattr(data, "read"):
        data.seek(0)
    if files is None:
        return
    values = files.values() if isinstance(files, Mapping) else [value for _, value in files]
    for value in values:
        handle = value[1] if isinstance(value, tuple) else value
        if hasattr(handle, "seek"):
            handle.seek(0)
