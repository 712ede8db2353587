"""The OpenAPI document is valid, current, and real responses match its schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from openapi_spec_validator import validate

from common import wire
from syncserver.openapi import document
from tests.syncserver.conftest import Api

FILE = Path(__file__).resolve().parents[2] / "syncserver" / "openapi.json"


def test_document_is_valid_openapi_31_and_the_file_is_current() -> None:
    validate(document())
    assert json.loads(FILE.read_text()) == document(), (
        "run: python -m syncserver.openapi > syncserver/openapi.json"
    )


def _check(doc: dict, path: str, method: str, response) -> None:
    spec = doc["paths"][path][method]["responses"][str(response.status_code)]
    schema = spec["content"]["application/json"]["schema"]
    body = wire.loads(wire.decompress(response.data, response.headers.get("Content-Encoding")))
    jsonschema.validate(body, {**schema, "components": doc["components"]})


def test_real_responses_match_the_schemas(api: Api, people: list[dict]) -> None:
    doc = api.client.get("/api/v1/openapi.json").get_json()
    assert doc == json.loads(json.dumps(document()))
    api.office()
    r = api.client.post("/api/v1/devices/enroll", json={"code": api.enroll_code("320101")})
    _check(doc, "/api/v1/devices/enroll", "post", r)
    dev = api.enroll()
    recs = [
        api.record(people[0], dev),
        api.record(dict(people[0], phone="081233334444"), dev),
        api.record({}, dev),
    ]
    data = wire.compress(wire.dumps(api.body(dev, recs)))
    r = api.push_raw(dev, data, "zstd")
    _check(doc, "/api/v1/sync/push", "post", r)
    api.decide(recs[0].id, "returned", note="alamat")
    _check(doc, "/api/v1/sync/pull", "get", api.pull(dev))
    _check(doc, "/api/v1/sync/pull", "get", api.pull(dev, "abc"))  # 400 error body
    _check(doc, "/api/v1/sync/push", "post", api.push_raw(None, b"{}", None))  # 401
    _check(doc, "/healthz", "get", api.client.get("/healthz"))
    _check(doc, "/readyz", "get", api.client.get("/readyz"))


def test_every_request_string_and_list_is_bounded_in_the_document() -> None:
    """The bounds the server enforces (common.protocol's field bounds) are in the schema:
    a client or fuzzer learns them, and the server refuses what exceeds them with a 4xx."""
    schemas = document()["components"]["schemas"]
    for name in ("PushRequest", "PushRecord"):
        for field, schema in schemas[name]["properties"].items():
            kind = schema.get("type")
            if kind == "string":
                assert "maxLength" in schema, (name, field)
            elif kind == "array":
                assert "maxItems" in schema, (name, field)
            elif kind == "integer":
                assert schema["maximum"] <= 2**31 - 1, (name, field)
            elif kind == "object":
                assert "maxProperties" in schema, (name, field)
    record = schemas["PushRecord"]["properties"]
    assert record["id"]["maxLength"] == 36 and record["code"]["maxLength"] == 32
    assert schemas["PushRequest"]["properties"]["records"]["maxItems"] == 1000
    assert schemas["RecordResult"]["properties"]["errors"]["maxItems"] == 20
    assert schemas["PullResponse"]["properties"]["changes"]["maxItems"] == 1000
