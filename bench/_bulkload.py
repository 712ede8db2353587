"""COPY plumbing for the synthetic central database of common/bulk.py (not a benchmark).

``load(cluster, name, rows)`` creates database ``name`` in a PgCluster, applies the migrations
and fills it as after a restore: in one transaction that first truncates the tables (so that
``COPY ... FREEZE`` writes rows already frozen and all-visible, and with ``wal_level =
minimal`` skips the WAL), secondary indexes dropped, foreign-key triggers off
(``session_replication_role = replica``, which also keeps the summary triggers quiet: the
summaries are copied from the generator's counts), then the indexes rebuilt, the sequences
set and ``VACUUM ANALYZE``. Two worker processes generate the text (``fork``: they inherit
the spec), the parent streams it into COPY.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from typing import Any

from common.bulk import COLUMNS, PER_BATCH, SUMMARY_COLUMNS, BulkSpec, Counts

#: The settings a cluster for a bulk load wants (PgCluster(settings=...)).
CLUSTER_SETTINGS = {
    "shared_buffers": "1GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_parallel_maintenance_workers": "2",
}
TABLES = (
    "offices",
    "devices",
    *PER_BATCH,
    *SUMMARY_COLUMNS,
)
_SPEC: BulkSpec | None = None


def _work(job: tuple[str, int, int]) -> tuple[str, Counts]:
    assert _SPEC is not None
    return _SPEC.table(*job)


def drop_secondary_indexes(conn: Any, tables: tuple[str, ...]) -> list[str]:
    """Drop plain indexes (not primary keys or unique constraints); their definitions."""
    rows = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        (list(tables),),
    ).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [d for _, d in rows]


def _copy(conn: Any, table: str, columns: tuple[str, ...], chunks: Any) -> None:
    with conn.cursor() as cur:
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FREEZE)") as cp:
            for text in chunks:
                cp.write(text)


def migrate(url: str) -> None:
    from sqlalchemy import create_engine

    from syncserver import db

    engine = create_engine(url)
    db.migrate(engine)
    engine.dispose()


def load(
    cluster: Any,
    name: str,
    rows: int,
    seed: int = 6,
    log: Callable[[str], None] = print,
    processes: int = 2,
) -> tuple[str, BulkSpec, dict[str, float]]:
    """Create, migrate and fill database ``name``; its URL, the spec and timings (s)."""
    global _SPEC
    dbname = cluster.create_database(name)
    url = cluster.url(dbname)
    migrate(url)
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    spec = BulkSpec(rows, seed=seed)
    times["spec"] = time.perf_counter() - t0
    total = Counts()
    with cluster.connect(dbname, autocommit=False) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        defs = drop_secondary_indexes(conn, TABLES)
        conn.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        for table in ("offices", "devices"):
            _copy(conn, table, COLUMNS[table], [spec.fixed_table(table)])
        _SPEC = spec
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(processes) as pool:
            for table in PER_BATCH:
                t = time.perf_counter()

                def texts(table: str = table) -> Any:
                    jobs = ((table, b0, b1) for b0, b1 in spec.chunks())
                    for text, counts in pool.imap(_work, jobs, chunksize=1):
                        total.add(counts)
                        yield text

                _copy(conn, table, COLUMNS[table], texts())
                times[table] = time.perf_counter() - t
                log(f"  {table}: {times[table]:.0f} s")
        _SPEC = None
        for table, text in spec.summary_rows(total).items():
            _copy(conn, table, SUMMARY_COLUMNS[table], [text])
        with conn.cursor() as cur:
            for table, col in (
                ("batches", "id"),
                ("duplicate_groups", "id"),
                ("review_decisions", "id"),
            ):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{col}'), "
                    f"(SELECT coalesce(max({col}), 0) + 1 FROM {table}), false)"
                )
        conn.commit()
        times["copy"] = time.perf_counter() - t0
        log(f"  copied in {times['copy']:.0f} s; rebuilding {len(defs)} indexes")
        t = time.perf_counter()
        for d in defs:
            ti = time.perf_counter()
            conn.execute(d)
            conn.commit()
            if rows >= 1_000_000:
                log(f"    {time.perf_counter() - ti:5.0f} s  {d[:110]}")
        times["indexes"] = time.perf_counter() - t
    t = time.perf_counter()
    with cluster.connect(dbname) as conn:
        conn.execute("VACUUM ANALYZE")
    times["vacuum"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t0
    return url, spec, times
