"""Review decisions from a process of its own, for the cross-process rule tests.

:func:`decide_rounds` runs in a child process (``multiprocessing`` "spawn": a fresh
interpreter, its own engine and connection pool, as a second server process has) and, round
by round, waits at a barrier shared with the other deciding process, then verifies its
registration of that round in a transaction of its own, as the console does. It reports each
round's outcome: ``verified`` or the refusal's error code.
"""

from __future__ import annotations

from typing import Any


def decide_rounds(url: str, targets: list[str], barrier: Any, results: Any) -> None:
    from common.errors import ApiError
    from syncserver import db
    from syncserver.decisions import record_decision

    engine = db.make_engine(url)
    factory = db.session_factory(engine)
    out: list[str] = []
    try:
        for rid in targets:
            barrier.wait(timeout=120)
            session = factory()
            try:
                record_decision(session, rid, "verified", "reviewer-proc")
                session.commit()
                out.append("verified")
            except ApiError as exc:  # refused by the rules: nothing of it stays
                session.rollback()
                out.append(exc.code)
            finally:
                session.close()
    finally:
        engine.dispose()
        results.put(out)
