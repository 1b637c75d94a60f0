"""``POST /files/{entity}/{project}/{run}/file_stream``: how run writers stream a run.

The body is the JSON the official SDK's wandb-core sends (see the SDK wire report), every key
optional::

    {"files": {"wandb-history.jsonl": {"offset": 0, "content": ["{...}", ...]},
               "wandb-events.jsonl": {...}, "output.log": {...},
               "wandb-summary.json": {"offset": 0, "content": ["{...}"]}},
     "uploaded": ["config.yaml"], "preempting": true, "complete": true, "exitcode": 0}

``{}`` is a heartbeat. The answer is ``200 {"exitcode": null, "limits": {}}``, with
``"stopped": true`` once the run was stopped through the API (wandb-core then ends the run).
What the lines do to the run is :mod:`wandbkit.server.store.file_stream`.

Status codes: 401 without a valid API key; 404 for a run that does not exist or that the
viewer may not see; 403 for a run the viewer may read but not write; 400 for a body that is not
such JSON, with a message naming the bad part; 413 past the size limit. wandb-core retries only
429 and 5xx, so none of these conditions (which do not clear by themselves) is answered so.
A ``Content-Encoding: gzip`` body is accepted (wandb-core sends one when the server reports
``FILESTREAM_GZIP``).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wandbkit.server.http.auth import error_response, unauthorized_response
from wandbkit.server.limits import MAX_BODY_BYTES
from wandbkit.server.permissions import project_readable
from wandbkit.server.store import RunRow, Store, StoreError, UnknownRowError, UserRow
from wandbkit.server.store.file_stream import (
    EVENTS_FILE,
    HISTORY_FILE,
    OUTPUT_FILE,
    SUMMARY_FILE,
    Chunk,
    StreamRequest,
)
from wandbkit.server.urls import FILES_PATH

#: The route, below the run file routes' prefix.
FILE_STREAM_PATH = FILES_PATH + "/{entity}/{project}/{run}/file_stream"

# wandb-core's legacy (unstructured) console line: "[ERROR ]<time> [label] text".
_LEGACY_LINE = re.compile(
    r"^(?P<error>ERROR )?(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)"
    r"(?: \[(?P<label>[^\]]*)\])? (?P<content>.*)$",
    re.DOTALL,
)


class BadStreamRequest(ValueError):
    """A ``file_stream`` body that cannot be applied; the message names the bad part."""


class FileStreamRoute:
    """The ``file_stream`` endpoint of one app.

    Args:
        store: where runs are.
        authenticate: the request's user, or ``None`` (the same check as ``/graphql``).
    """

    def __init__(self, store: Store, authenticate: Callable[[Request], UserRow | None]) -> None:
        self.store = store
        self.authenticate = authenticate

    def routes(self) -> list[Route]:
        """The Starlette route (``POST`` only)."""
        return [Route(FILE_STREAM_PATH, self.handle, methods=["POST"])]

    async def handle(self, request: Request) -> Response:
        """Authenticate, check the body, apply it to the run, answer the writer."""
        viewer = self.authenticate(request)
        if viewer is None:
            return unauthorized_response()
        try:
            body = await _read_body(request)
            stream_request = parse_stream_request(body)
        except _TooLarge as exc:
            return error_response(str(exc), 413)
        except BadStreamRequest as exc:
            return error_response(f"file_stream: {exc}", 400)
        params: dict[str, Any] = request.path_params
        run, refusal = self._writable_run(
            viewer, params["entity"], params["project"], params["run"]
        )
        if run is None:
            assert refusal is not None
            return refusal
        try:
            result = await run_in_threadpool(self.store.file_streams.apply, run.pk, stream_request)
        except UnknownRowError:
            return error_response("file_stream: the run was deleted", 404)
        except StoreError as exc:
            return error_response(f"file_stream: {exc}", 400)
        answer: dict[str, Any] = {"exitcode": None, "limits": {}}
        if result.stopped:
            answer["stopped"] = True
        return JSONResponse(answer)

    def _writable_run(
        self, viewer: UserRow, entity_name: str, project_name: str, run_name: str
    ) -> tuple[RunRow | None, Response | None]:
        """The run, or the answer refusing it (404 when the viewer may not even see it)."""
        not_found = error_response(
            f"file_stream: run {entity_name}/{project_name}/{run_name} not found"
            " (create it with upsertBucket first)",
            404,
        )
        entity = self.store.entities.get(entity_name)
        project = self.store.projects.get(entity.pk, project_name) if entity else None
        if entity is None or project is None:
            return None, not_found
        member = self.store.accounts.can_write(viewer, entity)
        if not project_readable(project.access, member=member):
            return None, not_found
        run = self.store.runs.get(project.pk, run_name)
        if run is None:
            return None, not_found
        if not member or project.read_only:
            return None, error_response(
                f"file_stream: permission denied: you cannot write to {entity_name}/{project_name}",
                403,
            )
        return run, None


class _TooLarge(Exception):
    pass


async def _read_body(request: Request) -> bytes:
    """The body, gunzipped if so encoded, at most :data:`MAX_BODY_BYTES` either way."""
    raw = bytearray()
    async for piece in request.stream():
        raw += piece
        if len(raw) > MAX_BODY_BYTES:
            raise _TooLarge(f"file_stream: the body is larger than {MAX_BODY_BYTES} bytes")
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return bytes(raw)
    if encoding != "gzip":
        raise BadStreamRequest(f"Content-Encoding must be gzip or none, got {encoding!r}")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(bytes(raw), MAX_BODY_BYTES + 1)
    except zlib.error:
        raise BadStreamRequest("the body is not valid gzip") from None
    if len(body) > MAX_BODY_BYTES or inflater.unconsumed_tail:
        raise _TooLarge(f"file_stream: the body inflates to more than {MAX_BODY_BYTES} bytes")
    return body


def _loads(data: bytes | str) -> Any:
    """JSON text parsed: by orjson (several times faster, which is most of the ingest cost),
    or by the standard library for what orjson refuses but W&B's writers send (``NaN`` and
    infinities, integers past 64 bits); raises ``ValueError`` for text that is not JSON."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def parse_stream_request(body: bytes) -> StreamRequest:
    """Check a ``file_stream`` body and parse its lines.

    Raises:
        BadStreamRequest: not a JSON object of that shape; the message names the bad part.
    """
    try:
        payload = _loads(body) if body.strip() else {}
    except (ValueError, RecursionError):
        raise BadStreamRequest("the body is not JSON") from None
    if not isinstance(payload, dict):
        raise BadStreamRequest("the body must be a JSON object")
    files = payload.get("files")
    files = {} if files is None else files
    if not isinstance(files, dict):
        raise BadStreamRequest("'files' must be an object of file name to {offset, content}")
    chunks = {name: _chunk(name, spec) for name, spec in files.items()}
    summary = None
    if SUMMARY_FILE in chunks and chunks[SUMMARY_FILE].rows:
        # One line, the whole current summary; a chunk of several keeps the last.
        summary = chunks[SUMMARY_FILE].rows[-1]
    uploaded = payload.get("uploaded")
    uploaded = [] if uploaded is None else uploaded
    if not isinstance(uploaded, list) or not all(isinstance(n, str) for n in uploaded):
        raise BadStreamRequest("'uploaded' must be a list of file names")
    complete = _flag(payload, "complete")
    exitcode = payload.get("exitcode")
    if exitcode is not None and (isinstance(exitcode, bool) or not isinstance(exitcode, int)):
        raise BadStreamRequest(f"'exitcode' must be an integer, got {exitcode!r}")
    return StreamRequest(
        history=chunks.get(HISTORY_FILE),
        events=chunks.get(EVENTS_FILE),
        summary=summary,
        console=chunks.get(OUTPUT_FILE),
        uploaded=tuple(uploaded),
        preempting=_flag(payload, "preempting"),
        complete=complete,
        exitcode=exitcode,
    )


def _flag(payload: Mapping[str, Any], key: str) -> bool:
    value = payload.get(key)
    if value is not None and not isinstance(value, bool):
        raise BadStreamRequest(f"{key!r} must be true or false, got {value!r}")
    return bool(value)


def _chunk(name: Any, spec: Any) -> Chunk:
    where = f"files[{name!r}]"
    if not isinstance(spec, dict):
        raise BadStreamRequest(f"{where} must be an object {{offset, content}}")
    offset = spec.get("offset", 0)
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise BadStreamRequest(f"{where}.offset must be an integer >= 0, got {offset!r}")
    content = spec.get("content")
    content = [] if content is None else content
    if not isinstance(content, list) or not all(isinstance(line, str) for line in content):
        raise BadStreamRequest(f"{where}.content must be a list of strings (one per line)")
    if name == OUTPUT_FILE:
        rows: tuple[Any, ...] = tuple(console_line(line) for line in content)
    elif name in (HISTORY_FILE, EVENTS_FILE, SUMMARY_FILE):
        rows = _json_objects(content, where)
    else:  # another file: kept out of the run, as W&B ignores what it does not know
        rows = ()
    return Chunk(offset=offset, texts=tuple(content), rows=rows)


def _json_objects(lines: list[str], where: str) -> tuple[dict[str, Any], ...]:
    """Every line parsed as a JSON object; one parse of all the lines when they are fine (much
    faster than one per line), line by line to name the first bad one otherwise."""
    try:
        parsed = _loads("[" + ",".join(lines) + "]") if lines else []
    except (ValueError, RecursionError):
        parsed = None
    # A line such as '1},{"a":2' could pass joined; the count and types catch it.
    if (
        isinstance(parsed, list)
        and len(parsed) == len(lines)
        and all(type(row) is dict for row in parsed)
    ):
        return tuple(parsed)
    return tuple(_json_object(line, where, i) for i, line in enumerate(lines))


def _json_object(line: str, where: str, index: int) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except (ValueError, RecursionError):
        raise BadStreamRequest(f"{where}.content[{index}] is not JSON") from None
    if not isinstance(row, dict):
        raise BadStreamRequest(f"{where}.content[{index}] must be a JSON object")
    return row


def console_line(text: str) -> dict[str, Any]:
    """One ``output.log`` line as the console store takes it.

    wandb-core sends ``{"ts", "content", "level"?, "label"?}`` JSON when the server reports
    ``STRUCTURED_CONSOLE_LOGS``, and ``"[ERROR ]<time> [label] text"`` otherwise; any other
    text is kept as the line itself.

    Example:
        >>> console_line('{"ts": "2026-01-02T03:04:05.5", "content": "hi"}')["line"]
        'hi'
        >>> console_line("ERROR 2026-01-02T03:04:05.5 boom")["level"]
        'error'
    """
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("content"), str):
            return {
                "line": parsed["content"],
                "level": "error" if parsed.get("level") == "error" else None,
                "timestamp": _text_or_none(parsed.get("ts")),
                "label": _text_or_none(parsed.get("label")) or None,
            }
    match = _LEGACY_LINE.match(text)
    if match is not None:
        return {
            "line": match["content"],
            "level": "error" if match["error"] else None,
            "timestamp": match["ts"],
            "label": match["label"] or None,
        }
    return {"line": text}


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
