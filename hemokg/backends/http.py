"""HTTP for the remote backends and ``push``: one client with an explicit timeout, the hemokg User-Agent, optional
Basic/Digest credentials, retries for transient failures only, URL checks and redaction of credentials.

Limits: ``timeout`` is a total deadline for one request, retries and the whole body included (a watchdog shuts the
socket when it passes, so a server dripping a byte a second cannot hold the client); answers over ``max_body`` bytes
(:data:`MAX_BODY`, 100 MB, settable) are refused; a ``Retry-After`` is honoured up to ``max_wait`` seconds and never
past the deadline. A malformed answer (status line, headers, chunks, a truncated body) is an :class:`EndpointError`,
and text a server sends back is printed only after :func:`printable` took out terminal escapes and credentials.

Plain ``urllib`` (no import cost, full control of retries and streaming). Imports only errors and the version.
"""

from __future__ import annotations

import base64
import http.client
import logging
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.message import Message

from hemokg._version import __version__
from hemokg.errors import EndpointError

__all__ = [
    "MAX_BODY",
    "TRANSIENT_STATUS",
    "USER_AGENT",
    "HttpClient",
    "Response",
    "check_url",
    "printable",
    "redact",
    "split_userinfo",
]

log = logging.getLogger(__name__)

USER_AGENT = f"hemokg/{__version__}"
TRANSIENT_STATUS = (429, 502, 503)
#: Default cap on one answer's body, in bytes.
MAX_BODY = 100_000_000
_ESCAPES = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b\[[0-?]*[ -/]*[@-~]?|\x1b.?|\x9b[0-?]*[ -/]*[@-~]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")


def printable(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Text a server sent, safe to print on one terminal line: no escape sequences (OSC, CSI), no control or
    bidirectional characters, no ``user:password@`` in URLs, and each of ``secrets`` blanked."""
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub(" ", text)
    text = _USERINFO.sub(r"\1***@", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


_WATCH = threading.local()


class _WatchedHTTP(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        getattr(_WATCH, "sockets", []).append(self.sock)


class _WatchedHTTPS(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        getattr(_WATCH, "sockets", []).append(self.sock)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_WatchedHTTP, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_WatchedHTTPS, req, context=self._context)  # type: ignore[attr-defined]


class _Deadline(Exception):
    """The request's total time ran out."""


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
    max_wait: float = 10.0
    max_body: int = MAX_BODY

    def __post_init__(self) -> None:
        handlers: list[urllib.request.BaseHandler] = [_HTTPHandler(), _HTTPSHandler()]
        if self.auth is not None:
            self._passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            handlers += [
                urllib.request.HTTPDigestAuthHandler(self._passwords),
                urllib.request.HTTPBasicAuthHandler(self._passwords),
            ]
        self._opener = urllib.request.build_opener(*handlers)

    def scrub(self, text: str) -> str:
        """The text with the password (and its Basic token) blanked and terminal escapes taken out, for messages."""
        secrets: tuple[str, ...] = ()
        if self.auth and self.auth[1]:
            token = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
            secrets = (token, self.auth[1])
        return printable(text, secrets)

    def _timed_out(self, where: str, what: str) -> EndpointError:
        return EndpointError(
            f"{where}: no answer to the {what} within {self.timeout:g} s (client timeout), a total deadline for "
            "the request; check the server or raise the timeout"
        )

    def _read_body(self, answer: http.client.HTTPResponse, where: str, what: str, deadline: float) -> bytes:
        declared = answer.headers.get("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > self.max_body:
            raise EndpointError(
                f"{where}: the answer to the {what} is {int(declared):,} bytes, over the client's limit of "
                f"{self.max_body:,} (max_body); narrow the query or raise the limit"
            )
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() >= deadline:
                raise _Deadline
            chunk = answer.read1(65536)
            if not chunk:
                if time.monotonic() >= deadline:  # the watchdog ended the connection
                    raise _Deadline
                if declared and declared.strip().isdigit() and size < int(declared):
                    raise http.client.IncompleteRead(b"".join(chunks), int(declared) - size)
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_body:
                raise EndpointError(
                    f"{where}: the answer to the {what} is over the client's limit of {self.max_body:,} bytes "
                    "(max_body); narrow the query or raise the limit"
                )
            chunks.append(chunk)

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
        if any(c.isspace() or ord(c) < 32 for c in url):
            raise EndpointError(f"{where}: the URL holds a space or control character; percent-encode it (%20)")
        if self.auth is not None:  # answered on the server's 401 challenge (Basic or Digest), never sent unasked
            self._passwords.add_password(None, url, *self.auth)
        deadline = time.monotonic() + self.timeout
        for attempt in range(self.retries + 1):
            body = data() if callable(data) else data
            req = urllib.request.Request(
                url, data=body, method=method, headers={"User-Agent": USER_AGENT, **(headers or {})}
            )
            if length is not None:
                req.add_header("Content-Length", str(length))
            wait: float | None = None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._timed_out(where, what)
            sockets: list[socket.socket] = []
            _WATCH.sockets = sockets
            watchdog = threading.Timer(remaining, _shut, (sockets,))
            watchdog.daemon = True
            watchdog.start()
            try:
                with self._opener.open(req, timeout=min(self.timeout, remaining)) as answer:
                    return Response(answer.status, answer.headers, self._read_body(answer, where, what, deadline))
            except urllib.error.HTTPError as exc:
                try:
                    text = _first_line(self._read_body(exc, where, what, deadline) if exc.fp else b"")  # type: ignore[arg-type]
                except (OSError, http.client.HTTPException, _Deadline, EndpointError):
                    text = ""
                if exc.code not in TRANSIENT_STATUS or attempt == self.retries:
                    raise EndpointError(self.scrub(_http_message(where, what, exc.code, text, attempt))) from None
                wait = _retry_after(exc.headers.get("Retry-After"))
                reason = f"HTTP {exc.code}"
            except (TimeoutError, _Deadline):
                raise self._timed_out(where, what) from None
            except urllib.error.URLError as exc:
                reason_obj = exc.reason
                if isinstance(reason_obj, TimeoutError) or time.monotonic() >= deadline:
                    raise self._timed_out(where, what) from None
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
            except http.client.IncompleteRead as exc:
                raise EndpointError(
                    f"{where}: the answer to the {what} was cut short ({len(exc.partial)} bytes read, "
                    f"{exc.expected if exc.expected is not None else 'more'} missing, or a malformed chunk)"
                ) from None
            except (ConnectionError, OSError) as exc:
                if time.monotonic() >= deadline:
                    raise self._timed_out(where, what) from None
                raise EndpointError(
                    self.scrub(f"{where}: the connection failed during the {what}: {exc.strerror or exc}")
                ) from None
            except http.client.HTTPException as exc:  # bad status line, too many or too long headers, bad chunks
                if time.monotonic() >= deadline:
                    raise self._timed_out(where, what) from None
                detail = f"{type(exc).__name__}: {str(exc)[:200]}"
                raise EndpointError(
                    self.scrub(f"{where}: the server's answer to the {what} is not valid HTTP ({detail})")
                ) from None
            except ValueError as exc:  # urllib: an unsupported auth scheme, a malformed URL
                raise EndpointError(self.scrub(f"{where}: cannot send the {what}: {exc}")) from None
            finally:
                watchdog.cancel()
                _WATCH.sockets = []
            delay = min(self.max_wait, wait if wait is not None else self.backoff * 2**attempt)
            if delay >= deadline - time.monotonic():
                asked = f"asked to retry after {wait:g} s" if wait is not None else "still failing"
                raise EndpointError(
                    f"{where}: {reason} and {asked}, beyond the client's deadline of {self.timeout:g} s; "
                    "try again later or raise the timeout"
                )
            log.info("%s: %s; retrying the %s in %.2f s", where, reason, what, delay)
            time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def _shut(sockets: list[socket.socket]) -> None:
    """The watchdog: end every connection of a request whose deadline passed (its reads then fail at once)."""
    for sock in list(sockets):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


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
    return printable(lines[0][:300]) if lines else ""


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
