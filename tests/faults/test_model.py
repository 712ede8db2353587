"""A model-based test of the sync protocol: hypothesis drives several real devices (desktop
stores in temp dirs) and one real server process through random interleavings of register,
edit, sync, lost response, replay, decision and pull, and checks the invariants after every
step:

* the checker: nothing the server acknowledged is missing there, nothing doubled, no
  revision that differs between device and server, nothing half-written, no orphan rows;
* each device holds exactly the revisions its clerk made (the model counts them);
* after a sync that finished (pushed everything, pulled everything) the device and the server
  agree on every record's revision and status;
* a replayed batch gets the answer the original got and changes nothing at the server.

The budget is fixed (``derandomize=True``, max_examples, stateful_step_count) so CI runs the
same interleavings every time.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from common import wire
from common.errors import ApiError
from common.protocol import PushRequest, PushResponse
from desktop.sync.client import SyncClient
from desktop.sync.engine import SyncOutcome, SyncReport
from tests.faults.checker import check, status_disagreements
from tests.faults.conftest import tally
from tests.faults.harness import Central, Device
from tests.support.faultproxy import Fault, FaultProxy
from tests.support.liveserver import LiveServer

N_DEVICES = 3
BUDGET = settings(
    max_examples=12,
    stateful_step_count=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    # no shrinking: each step talks to a real server, so shrinking a failure takes many minutes;
    # the report lists the failing run's steps as they are (add Phase.shrink when debugging)
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)


class RecordingClient(SyncClient):
    """The real client, remembering its last push and the answer (None if it never came)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last_push: tuple[PushRequest, PushResponse | None] | None = None

    def push(self, request: PushRequest, encoding: str = "zstd") -> PushResponse:
        self.last_push = (request, None)
        response = super().push(request, encoding)
        self.last_push = (request, response)
        return response


class SyncProtocol(RuleBasedStateMachine):
    # set by the test function: one server, its proxies (one per device slot), the central db
    server: LiveServer
    central: Central
    proxies: list[FaultProxy]
    example_no = itertools.count()
    faults: dict[str, int] = {}

    def __init__(self) -> None:
        super().__init__()
        n = next(self.example_no)
        self.root = Path(tempfile.mkdtemp(prefix="loket-model-"))
        codes = self.central.enrollment_codes("320101", N_DEVICES)
        self.devices = [
            Device(
                self.root / f"d{i}",
                self.server.url,
                codes[i],
                sync_url=self.proxies[i].url,
                seed=1000 * n + i,
            )
            for i in range(N_DEVICES)
        ]
        self.clients = [
            RecordingClient(p.url, d.client().credential)
            for p, d in zip(self.proxies, self.devices, strict=True)
        ]
        self.made: dict[str, int] = {}  # registration id -> revisions its clerk made
        self.owner: dict[str, int] = {}  # registration id -> device index

    def teardown(self) -> None:
        try:
            for p in self.proxies:
                p._script.clear()
            for d, c in zip(self.devices, self.clients, strict=True):
                report = d.engine(c).run()
                assert_synced(report)
            report = check([d.data_dir for d in self.devices], self.central.url, settled=True)
            assert report.ok, report
            for d in self.devices:
                assert status_disagreements(d.data_dir, self.central.url) == []
        finally:
            for d, c in zip(self.devices, self.clients, strict=True):
                c.close()
                d.close()
            shutil.rmtree(self.root, ignore_errors=True)

    def _count(self, kind: str) -> None:
        self.faults[kind] = self.faults.get(kind, 0) + 1

    # -- rules ---------------------------------------------------------------------------
    @rule(d=st.integers(0, N_DEVICES - 1), n=st.integers(1, 3))
    def register(self, d: int, n: int) -> None:
        for rid in self.devices[d].register(n):
            self.made[rid] = 1
            self.owner[rid] = d

    @precondition(lambda self: bool(self.made))
    @rule(pick=st.integers(0, 10**6), salt=st.integers(0, 10**4))
    def edit(self, pick: int, salt: int) -> None:
        ids = sorted(self.made)
        rid = ids[pick % len(ids)]
        device = self.devices[self.owner[rid]]
        state = device.service.state(rid)
        assert state is not None
        if state.editable and device.edit(rid, salt):
            self.made[rid] += 1
        elif not state.editable:
            with pytest.raises(ValueError):
                device.service.save(
                    state.registration.applicant.to_dict() | {"street": "Jl. Lain"},
                    registration_id=rid,
                )

    @rule(d=st.integers(0, N_DEVICES - 1))
    def sync(self, d: int) -> None:
        device = self.devices[d]
        report = device.engine(self.clients[d]).run()
        assert_synced(report)
        settled = check([device.data_dir], self.central.url, settled=True)
        assert settled.ok, settled
        assert status_disagreements(device.data_dir, self.central.url) == []

    @rule(d=st.integers(0, N_DEVICES - 1))
    def lost_response(self, d: int) -> None:
        """The server does the work, the answer never reaches the device (no retry)."""
        self.proxies[d].script([Fault.DROP_RESPONSE])
        report = self.devices[d].engine(self.clients[d], retries=0).run()
        self.proxies[d]._script.clear()
        assert report.outcome in (SyncOutcome.UNREACHABLE, SyncOutcome.PARTIAL), report
        self._count("drop_response")

    @precondition(lambda self: any(c.last_push for c in self.clients))
    @rule(d=st.integers(0, N_DEVICES - 1))
    def replay(self, d: int) -> None:
        """The device's last batch sent again, as it was: the same answer, nothing changes."""
        last = self.clients[d].last_push
        if last is None:
            return
        request, answer = last
        before = self._central_state()
        again = self.clients[d].push(request)
        if answer is not None:
            assert wire.dumps(again) == wire.dumps(answer)
        assert self._central_state() == before
        self._count("replay")

    @precondition(lambda self: bool(self.made))
    @rule(
        pick=st.integers(0, 10**6), decision=st.sampled_from(["verified", "returned", "rejected"])
    )
    def decision(self, pick: int, decision: str) -> None:
        held = sorted(rid for rid in self.made if self._at_server(rid))
        if held:
            self.central.decide(held[pick % len(held)], decision)

    @rule(d=st.integers(0, N_DEVICES - 1))
    def pull(self, d: int) -> None:
        engine = self.devices[d].engine(self.clients[d])
        try:
            engine._pull_all(SyncReport(SyncOutcome.OK), None, None)
        except ApiError as exc:  # pragma: no cover - no faults are scheduled for pulls here
            raise AssertionError(exc) from None

    # -- invariants ----------------------------------------------------------------------
    @invariant()
    def consistent(self) -> None:
        report = check([d.data_dir for d in self.devices], self.central.url)
        assert report.ok, report
        for rid, revision in self.made.items():
            state = self.devices[self.owner[rid]].service.state(rid)
            assert state is not None and state.registration.provenance.revision == revision

    # -- helpers -------------------------------------------------------------------------
    def _at_server(self, rid: str) -> bool:
        return bool(
            self.central.scalar("SELECT count(*) FROM registrations WHERE id = :id", id=rid)
        )

    def _central_state(self) -> list[Any]:
        return [
            tuple(r)
            for r in self.central.rows(
                "SELECT id, revision, content_hash, status, flag_reason FROM registrations ORDER BY id"
            )
        ]


def assert_synced(report: SyncReport) -> None:
    """Everything sent and answered. The only answers needing a clerk are conflicts: edits
    made without knowing a reviewer had verified or rejected the record (kept, flagged)."""
    if report.outcome is SyncOutcome.PARTIAL:
        assert report.error_code == "" and report.pending_after == 0, report
        assert report.needs_attention == report.outcomes["conflict"], report
    else:
        assert report.outcome is SyncOutcome.OK, report


def test_sync_protocol_model(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "server", workers=2).start()
    central = Central(f"sqlite:///{server.data_dir / 'loket-server.db'}")
    proxies = [FaultProxy(server.port, seed=i).start() for i in range(N_DEVICES)]
    SyncProtocol.server, SyncProtocol.central, SyncProtocol.proxies = server, central, proxies
    SyncProtocol.faults = {}
    try:
        run_state_machine_as_test(SyncProtocol, settings=BUDGET)
        tally(SyncProtocol.faults)
    finally:
        for p in proxies:
            p.stop()
        central.close()
        server.stop()
