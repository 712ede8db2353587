"""POST /api/v1/bundles/relay: a records bundle carried from a field laptop to another device
of its office, sent on from there (issue 16, "Relay"). The relaying device cannot read the
bundle; the server checks it as any import (syncserver/bundles.py) and answers with the
acknowledgement, sealed to the field device, for the laptop to pick up on its next visit."""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, request

from common import errors as E
from common.bundle import MAX_BUNDLE_BYTES
from common.errors import ApiError
from common.protocol import API_PREFIX
from syncserver import context as app_mod
from syncserver.api._io import device, read_at_most
from syncserver.bundles import import_bundle

bp = Blueprint("bundles", __name__, url_prefix=API_PREFIX)

BUNDLE_TYPE = "application/octet-stream"
#: The answer's header naming what was imported (the relaying device cannot open the ack).
IMPORT_HEADER = "X-Loket-Import"


@bp.post("/bundles/relay")
def relay() -> Response:
    dev = device()
    if request.mimetype != BUNDLE_TYPE:
        raise ApiError(E.UNSUPPORTED_MEDIA_TYPE, {"type": BUNDLE_TYPE})
    if (request.headers.get("Content-Encoding") or "identity").strip().lower() != "identity":
        raise ApiError(E.UNSUPPORTED_ENCODING)  # a bundle is compressed inside already
    request.max_content_length = MAX_BUNDLE_BYTES  # a bundle is larger than a push may be
    raw = read_at_most(MAX_BUNDLE_BYTES, E.BUNDLE_TOO_LARGE)
    ext = app_mod.loket()
    app_mod.session().rollback()  # the import uses transactions of its own
    done = import_bundle(
        ext.sessions,
        ext.settings,
        raw,
        now=ext.clock(),
        uploaded_by=dev.id,
        via="relay",
        relay_device_id=dev.id,
    )
    summary = {
        "bundle_id": done.bundle_id,
        "device_id": done.device_id,
        "records": done.records,
        "already_imported": done.already_imported,
        "counts": done.counts,
    }
    return Response(
        done.ack,
        status=200,
        mimetype=BUNDLE_TYPE,
        headers={IMPORT_HEADER: orjson.dumps(summary).decode()},
    )
