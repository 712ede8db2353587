"""The API's OpenAPI 3.1 document, generated from the message dataclasses in
:mod:`common.protocol` (so it cannot drift from them) plus the paths below.

``python -m syncserver.openapi`` prints it; ``syncserver/openapi.json`` is that output, kept
for readers and checked by a test to be current.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from enum import Enum
from functools import cache
from typing import Any, Union

from common import errors as E
from common import protocol as P

_MESSAGES = (
    P.BundleKey,
    P.ClientVersions,
    P.EnrollRequest,
    P.EnrollResponse,
    P.Backlog,
    P.PushRecord,
    P.PushRequest,
    P.RecordResult,
    P.PushResponse,
    P.Change,
    P.PullResponse,
    P.NikCheckRequest,
    P.NikMatch,
    P.NikCheckResponse,
    P.DeviceKeyRequest,
    P.DeviceKeyResponse,
)


def _schema_of(tp: Any) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        schema = _schema_of(inner[0])
        if type(None) in typing.get_args(tp):
            if "$ref" in schema:
                return {"oneOf": [schema, {"type": "null"}]}
            schema = dict(schema)
            schema["type"] = [schema["type"], "null"]
            if "enum" in schema:
                schema["enum"] = [*schema["enum"], None]
        return schema
    if tp is Any:
        return {}
    if origin is list:
        return {"type": "array", "items": _schema_of(typing.get_args(tp)[0])}
    if origin is dict:
        return {"type": "object"}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return {"$ref": f"#/components/schemas/{tp.__name__}"}
    if isinstance(tp, type) and issubclass(tp, Enum):
        return {"type": "string", "enum": [m.value for m in tp]}
    return {str: {"type": "string"}, int: {"type": "integer"}, bool: {"type": "boolean"}}[tp]


def _message_schema(cls: type[Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    props = {f.name: _schema_of(hints[f.name]) for f in dataclasses.fields(cls)}
    for name, limits in P.field_bounds(cls).items():  # the bounds decode() enforces
        target = props[name]
        if "oneOf" in target:  # an optional message: the bounds apply to the message
            continue
        props[name] = {**target, **limits}
    required = [
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    return {
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {
        str(s): {"description": "Error (see the code)", "content": _json("Error")} for s in statuses
    }


@cache
def document() -> dict[str, Any]:
    schemas: dict[str, Any] = {cls.__name__: _message_schema(cls) for cls in _MESSAGES}
    schemas["Error"] = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "enum": sorted(E.CATALOG)},
            "message": {"type": "string"},
            "details": {"type": "object"},
        },
        "required": ["code", "message", "details"],
        "additionalProperties": False,
    }
    schemas["Health"] = {
        "type": "object",
        "properties": {"status": {"type": "string"}, "database": {"type": "string"}},
        "required": ["status"],
    }
    bearer: list[dict[str, list[str]]] = [{"device": []}]
    encoding_header = {
        "name": "Content-Encoding",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "enum": ["zstd", "gzip", "identity"]},
        "description": "Compression of the request body (zstd preferred).",
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Loket sync API",
            "version": f"{P.PROTOCOL_VERSION}.0.0",
            "description": "Device enrollment, push and pull for Loket's offline registration "
            "devices. See docs/PROTOCOL.md for the semantics (outcomes, idempotency, cursors).",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "device": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The credential from enrollment: <device_id>.<secret>",
                }
            },
        },
        "paths": {
            f"{P.API_PREFIX}/devices/enroll": {
                "post": {
                    "operationId": "enrollDevice",
                    "summary": "Exchange a one-time enrollment code for a device credential",
                    "parameters": [encoding_header],
                    "requestBody": {"required": True, "content": _json("EnrollRequest")},
                    "responses": {
                        "200": {"description": "Enrolled", "content": _json("EnrollResponse")},
                        **_errors(400, 408, 413, 415, 429, 500),
                    },
                }
            },
            f"{P.API_PREFIX}/sync/push": {
                "post": {
                    "operationId": "push",
                    "summary": "Send a batch of records; one outcome per record",
                    "security": bearer,
                    "parameters": [encoding_header],
                    "requestBody": {"required": True, "content": _json("PushRequest")},
                    "responses": {
                        "200": {
                            "description": "Per-record outcomes",
                            "content": _json("PushResponse"),
                        },
                        **_errors(400, 401, 403, 408, 413, 415, 500, 503),
                    },
                }
            },
            f"{P.API_PREFIX}/sync/pull": {
                "get": {
                    "operationId": "pull",
                    "summary": "Changes for the device's office after the cursor",
                    "security": bearer,
                    "parameters": [
                        {
                            "name": "cursor",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": P.MAX_PULL_PAGE},
                        },
                        {
                            "name": "bundle_keys",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["0", "1"]},
                            "description": "1: the answer carries the server's accepted "
                            "bundle keys (bundle_keys), current first.",
                        },
                        {
                            "name": "client_version",
                            "in": "query",
                            "required": False,
                            "schema": {
                                "type": "string",
                                "maxLength": P.MAX_VERSION_CHARS,
                                "pattern": f"^{P.VERSION_PATTERN.pattern}$",
                            },
                            "description": "The desktop's own version: the answer then carries "
                            "the server's minimum and current client versions "
                            "(client_versions). Records are never refused for the version.",
                        },
                        *(
                            {
                                "name": f"backlog_{name}",
                                "in": "query",
                                "required": False,
                                "schema": {"type": "integer", **bounds},
                                "description": "The device's backlog after its push "
                                f"(Backlog.{name}); send both or neither.",
                            }
                            for name, bounds in P.field_bounds(P.Backlog).items()
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of changes",
                            "content": _json("PullResponse"),
                        },
                        **_errors(400, 401, 403, 500),
                    },
                }
            },
            f"{P.API_PREFIX}/registrations/nik-check": {
                "post": {
                    "operationId": "nikCheck",
                    "summary": "Registrations of the device's own office with this NIK",
                    "description": "For the counter's warning right after the 16th digit. A NIK "
                    "registered only in another office answers exactly like an unknown NIK "
                    "(no matches); the NIK travels in the body, never in the URL or a log.",
                    "security": bearer,
                    "requestBody": {"required": True, "content": _json("NikCheckRequest")},
                    "responses": {
                        "200": {"description": "Matches", "content": _json("NikCheckResponse")},
                        **_errors(400, 401, 403, 413, 415, 500),
                    },
                }
            },
            f"{P.API_PREFIX}/devices/keys": {
                "post": {
                    "operationId": "registerDeviceKey",
                    "summary": "Register this device's public bundle keys",
                    "security": bearer,
                    "requestBody": {"required": True, "content": _json("DeviceKeyRequest")},
                    "responses": {
                        "200": {"description": "Registered", "content": _json("DeviceKeyResponse")},
                        **_errors(400, 401, 403, 413, 415, 500),
                    },
                }
            },
            f"{P.API_PREFIX}/bundles/relay": {
                "post": {
                    "operationId": "relayBundle",
                    "summary": "Import a records bundle carried from another device of this "
                    "device's office; the answer is its acknowledgement bundle",
                    "description": "The body is the bundle file as it is (docs/PROTOCOL.md, "
                    "Bundles). The relaying device cannot read it and the answer is sealed "
                    "to the device that made the bundle.",
                    "security": bearer,
                    "requestBody": {
                        "required": True,
                        "content": {"application/octet-stream": {"schema": {"type": "string"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "The acknowledgement bundle",
                            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
                        },
                        **_errors(400, 401, 403, 409, 413, 415, 500),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "The process is up",
                    "responses": {"200": {"description": "Up", "content": _json("Health")}},
                }
            },
            "/readyz": {
                "get": {
                    "operationId": "ready",
                    "summary": "The database answers",
                    "responses": {
                        "200": {"description": "Ready", "content": _json("Health")},
                        "503": {"description": "Not ready", "content": _json("Health")},
                    },
                }
            },
            "/metrics": {
                "get": {
                    "operationId": "metrics",
                    "summary": "Prometheus text format",
                    "description": "Only for a configured scraper: on the metrics_listen address, "
                    "or with Authorization: Bearer <metrics_token> (401 without it); 404 when "
                    "neither is configured.",
                    "responses": {
                        "200": {
                            "description": "Metrics",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        },
                        **_errors(401, 404),
                    },
                }
            },
            f"{P.API_PREFIX}/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
    }


def main() -> None:
    print(json.dumps(document(), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
