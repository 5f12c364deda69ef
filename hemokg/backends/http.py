"""HTTP for the remote backends and ``push``: one client with an explicit timeout, the hemokg User-Agent, optional
Basic/Digest credentials, retries for transient failures only, URL checks and redaction of credentials.

Plain ``urllib`` (no import cost, full control of retries and streaming). Imports only errors and the version.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.message import Message

from hemokg._version import __version__
from hemokg.errors import EndpointError

__all__ = ["TRANSIENT_STATUS", "USER_AGENT", "HttpClient", "Response", "check_url", "redact", "split_userinfo"]

log = logging.getLogger(__name__)

USER_AGENT = f"hemokg/{__version__}"
TRANSIENT_STATUS = (429, 502, 503)


def redact(url: str) -> str:
    """The URL without user:password@ (and without its query string), safe to print."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:  # never raise while building a message
        return "<a malformed URL>"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check_url(url: str, what: str = "endpoint") -> str:
    """The URL if it is an http(s) URL with a host that parses; else :class:`EndpointError` saying what to fix."""
    shown = url if "@" not in url else "<URL with credentials>"
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise EndpointError(
            f"{what} URL {shown!r} does not parse ({exc}); give an http(s) URL such as http://localhost:7878/query"
        ) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise EndpointError(
            f"{what} URL {shown!r} is not an http(s) URL with a host; give one such as http://localhost:7878/query"
        )
    return url


def split_userinfo(url: str, auth: tuple[str, str] | None) -> tuple[str, tuple[str, str] | None]:
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, auth
    netloc = parts.hostname or ""
    netloc += f":{parts.port}" if parts.port else ""
    clean = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    userinfo = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
    return clean, auth or userinfo


@dataclass
class Response:
    """A finished HTTP exchange."""

    status: int
    headers: Message
    body: bytes

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


@dataclass
class HttpClient:
    """HTTP with an explicit timeout, the hemokg User-Agent, optional Basic/Digest credentials and retries with
    exponential backoff for transient failures only. Every failure becomes one :class:`EndpointError` line."""

    timeout: float = 30.0
    auth: tuple[str, str] | None = field(default=None, repr=False)
    retries: int = 4
    backoff: float = 0.25
    max_wait: float = 30.0

    def __post_init__(self) -> None:
        handlers: list[urllib.request.BaseHandler] = []
        if self.auth is not None:
            self._passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            handlers += [
                urllib.request.HTTPDigestAuthHandler(self._passwords),
                urllib.request.HTTPBasicAuthHandler(self._passwords),
            ]
        self._opener = urllib.request.build_opener(*handlers)

    def scrub(self, text: str) -> str:
        """The text with the password (if any) blanked, for messages and logs."""
        if self.auth and self.auth[1]:
            text = text.replace(self.auth[1], "***")
        return text

    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        data: bytes | Callable[[], Iterable[bytes]] | None = None,
        headers: Mapping[str, str] | None = None,
        length: int | None = None,
    ) -> Response:
        """Send one request (``data`` may be a factory of byte chunks, sent with ``length``); retry transient
        failures; raise :class:`EndpointError` naming ``what`` (e.g. "query") and the endpoint on any other."""
        where = redact(url)
        if self.auth is not None:  # answered on the server's 401 challenge (Basic or Digest), never sent unasked
            self._passwords.add_password(None, url, *self.auth)
        for attempt in range(self.retries + 1):
            body = data() if callable(data) else data
            req = urllib.request.Request(
                url, data=body, method=method, headers={"User-Agent": USER_AGENT, **(headers or {})}
            )
            if length is not None:
                req.add_header("Content-Length", str(length))
            wait: float | None = None
            try:
                with self._opener.open(req, timeout=self.timeout) as answer:
                    return Response(answer.status, answer.headers, answer.read())
            except urllib.error.HTTPError as exc:
                text = _first_line(exc.read() if exc.fp else b"")
                if exc.code not in TRANSIENT_STATUS or attempt == self.retries:
                    raise EndpointError(self.scrub(_http_message(where, what, exc.code, text, attempt))) from None
                wait = _retry_after(exc.headers.get("Retry-After"))
                reason = f"HTTP {exc.code}"
            except TimeoutError:
                raise EndpointError(
                    f"{where}: no answer to the {what} within {self.timeout:g} s (client timeout); "
                    "check the server or raise the timeout"
                ) from None
            except urllib.error.URLError as exc:
                reason_obj = exc.reason
                if isinstance(reason_obj, TimeoutError):
                    raise EndpointError(
                        f"{where}: no answer to the {what} within {self.timeout:g} s (client "
                        "timeout); check the server or raise the timeout"
                    ) from None
                if not isinstance(reason_obj, ConnectionRefusedError) or attempt == self.retries:
                    detail = getattr(reason_obj, "strerror", None) or str(reason_obj)
                    tries = f" (after {attempt + 1} attempts)" if attempt else ""
                    raise EndpointError(
                        self.scrub(
                            f"{where}: cannot send the {what}: {detail}{tries}; is the server "
                            "running and the URL right?"
                        )
                    ) from None
                reason = "connection refused"
            except (ConnectionError, OSError) as exc:
                raise EndpointError(
                    self.scrub(f"{where}: the connection failed during the {what}: {exc.strerror or exc}")
                ) from None
            except ValueError as exc:  # urllib: an unsupported auth scheme, a malformed URL
                raise EndpointError(self.scrub(f"{where}: cannot send the {what}: {exc}")) from None
            delay = min(self.max_wait, wait if wait is not None else self.backoff * 2**attempt)
            log.info("%s: %s; retrying the %s in %.2f s", where, reason, what, delay)
            time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _first_line(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    if "<html" in text[:500].lower():
        return "an HTML page"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[0][:300] if lines else ""


def _http_message(where: str, what: str, status: int, text: str, attempt: int) -> str:
    said = f": {text}" if text else ""
    if status in (401, 403):
        return (
            f"{where}: the server refused the {what} (HTTP {status}, credentials missing or wrong){said}; "
            "set HEMOKG_USER and HEMOKG_PASSWORD"
        )
    if status == 404:
        return f"{where}: not found (HTTP 404) — is this the endpoint's URL?"
    if status in TRANSIENT_STATUS:
        return f"{where}: still unavailable after {attempt + 1} attempts (HTTP {status}){said}"
    return f"{where}: the server answered the {what} with HTTP {status}{said}"
