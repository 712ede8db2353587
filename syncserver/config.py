"""The server's configuration, described by a schema: :class:`Settings`.

Each option is one field of the frozen :class:`Settings`: its type, default, converter and
help text; :data:`OPTIONS` is derived from the fields, and the code reads the typed object
(``loket().settings.port``). Values are taken, later ones winning, from: the defaults
below, a TOML file (``<data-dir>/loket-server.toml`` or ``--config FILE``), then
``LOKET_<OPTION>`` environment variables (e.g. ``LOKET_DATABASE``), then command-line flags.
An error names the option and where its value came from. ``loket-server.sample.toml`` sets
every option to its default (a test holds it to this schema).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from common import __version__
from common.digits import is_digits
from common.protocol import MAX_BATCH_RECORDS, MAX_BODY_BYTES, MAX_PULL_PAGE, is_version

ENV_PREFIX = "LOKET_"
DATA_ENV = "LOKET_SERVER_DATA"
CONFIG_FILE_NAME = "loket-server.toml"
DATABASE_FILE_NAME = "loket-server.db"


class ConfigError(ValueError):
    """A configuration value is wrong; the message names the option and its source."""


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value


def _int_between(lo: int, hi: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError("must be a whole number")
        if isinstance(value, str):
            value = int(value.strip())
        if not isinstance(value, int):
            raise ValueError("must be a whole number")
        if not lo <= value <= hi:
            raise ValueError(f"must be between {lo} and {hi}")
        return value

    return convert


def _float_between(lo: float, hi: float) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        if isinstance(value, bool):
            raise ValueError("must be a number")
        number = float(value)
        if not lo <= number <= hi:
            raise ValueError(f"must be between {lo} and {hi}")
        return number

    return convert


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("must be true or false")


def _log_level(value: Any) -> str:
    text = _str(value).upper()
    if text not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return text


def _database(value: Any) -> str:
    text = _str(value).strip()
    if text and not (text.startswith("sqlite") or text.startswith("postgresql")):
        raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
    return text


def _standby_url(value: Any) -> str:
    text = _str(value).strip()
    if text and not text.startswith("postgresql"):
        raise ValueError("must be empty or a postgresql+psycopg:// URL (a streaming standby)")
    return text


def _wsgi_server(value: Any) -> str:
    text = _str(value).strip().lower()
    if text not in {"auto", "gunicorn", "waitress"}:
        raise ValueError("must be auto, gunicorn or waitress")
    return text


def _cookie_secure(value: Any) -> str:
    text = str(value).strip().lower()
    if text == "auto":
        return "auto"
    return "true" if _bool(text) else "false"


def _metrics_token(value: Any) -> str:
    text = _str(value).strip()
    if text and len(text) < 16:
        raise ValueError("must be empty or at least 16 characters (a random secret)")
    return text


def _version(value: Any) -> str:
    text = _str(value).strip()
    if not is_version(text):
        raise ValueError("must be a version such as 0.1.0 (digits and dots, at most 32)")
    return text


def parse_listen(text: str) -> tuple[str, int]:
    """``host:port`` or ``[v6]:port`` as (host, port)."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not is_digits(port) or not 1 <= int(port) <= 65535:
        raise ValueError("must be host:port, e.g. 127.0.0.1:9470")
    return host.strip("[]"), int(port)


def _listen_or_empty(value: Any) -> str:
    text = _str(value).strip()
    if text:
        parse_listen(text)
    return text


@dataclass(frozen=True, slots=True)
class Option:
    """One setting as the schema declares it (derived from :class:`Settings`'s fields)."""

    name: str
    type: type
    default: Any
    convert: Callable[[Any], Any]
    help: str


def _option(default: Any, convert: Callable[[Any], Any], help: str) -> Any:
    """A field of :class:`Settings`: its default, the converter checking a given value, and
    the help text (the sample file and the docs say the same)."""
    return field(default=default, metadata={"convert": convert, "help": help})


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """The server's configuration, one field per option: the schema and the typed object the
    code reads (``loket().settings.port``). Built by :func:`load` or :func:`from_mapping`."""

    database: str = _option(
        "",
        _database,
        "SQLAlchemy URL of the central database; empty means SQLite in the data folder "
        f"({DATABASE_FILE_NAME}). PostgreSQL: postgresql+psycopg://user:pw@host/db",
    )
    console_database: str = _option(
        "",
        _standby_url,
        "SQLAlchemy URL of a PostgreSQL streaming standby of `database` (hot_standby on): the "
        "review console's read-only pages (dashboard, lists, search, record and batch pages, "
        "CSV export) query it; every write, sign-in and session check, and the whole sync API "
        "stay on `database`. A standby that cannot be reached, or has not yet replayed the "
        "reviewer's own last change, is passed over for the primary. Empty: no standby.",
    )
    host: str = _option("127.0.0.1", _str, "Address `loket-server run` listens on.")
    port: int = _option(8470, _int_between(1, 65535), "TCP port `loket-server run` listens on.")
    workers: int = _option(
        2,
        _int_between(1, 64),
        "Server processes for `run` (gunicorn); waitress (one process, threads) where "
        "gunicorn is unavailable.",
    )
    threads: int = _option(4, _int_between(1, 64), "Threads per server process.")
    wsgi_server: str = _option(
        "auto",
        _wsgi_server,
        "Which server `run` uses: auto (gunicorn where it runs, else waitress), gunicorn "
        "or waitress.",
    )
    request_read_timeout: float = _option(
        30.0,
        _float_between(0.5, 600.0),
        "Longest silence, in seconds, while a request's headers or body arrive; the "
        "connection is closed after it.",
    )
    request_deadline: float = _option(
        60.0,
        _float_between(1.0, 3600.0),
        "Longest time, in seconds, a whole request (headers and body) may take to arrive, "
        "however slowly it trickles in; the connection is closed after it.",
    )
    enroll_code_ttl_hours: int = _option(
        24 * 7,
        _int_between(1, 24 * 365),
        "How long a device enrollment code stays valid, in hours.",
    )
    max_body_bytes: int = _option(
        MAX_BODY_BYTES,
        _int_between(1024, MAX_BODY_BYTES),
        "Largest request body accepted (compressed and decompressed), in bytes.",
    )
    max_batch_records: int = _option(
        MAX_BATCH_RECORDS,
        _int_between(1, MAX_BATCH_RECORDS),
        "Most records accepted in one push batch.",
    )
    pull_page_size: int = _option(
        500,
        _int_between(1, MAX_PULL_PAGE),
        "Changes per pull page when the device does not ask for a limit.",
    )
    sqlite_busy_timeout_ms: int = _option(
        30000,
        _int_between(0, 600000),
        "How long a SQLite writer waits for the lock before failing, in milliseconds.",
    )
    pool_size: int = _option(5, _int_between(1, 100), "Database connections per server process.")
    ingest_retries: int = _option(
        3,
        _int_between(0, 20),
        "How often a push is retried inside the server after a database deadlock.",
    )
    silent_after_days: float = _option(
        7.0,
        _float_between(0.0, 365.0),
        "The console warns about offices and devices silent for longer than this.",
    )
    claim_minutes: int = _option(
        30,
        _int_between(1, 24 * 60),
        "How long a reviewer's claim on a duplicate group or a batch of records lasts, in "
        "minutes; while it lasts, other reviewers' decisions on those records are refused.",
    )
    secret_key: str = _option(
        "",
        _str,
        "Key signing the console's session cookies; empty means a random key kept in "
        "the data folder (secret_key).",
    )
    log_level: str = _option("INFO", _log_level, "DEBUG, INFO, WARNING or ERROR.")
    cookie_secure: str = _option(
        "auto",
        _cookie_secure,
        "Mark the console's session cookie Secure (sent over HTTPS only) and name it with the "
        "__Host- prefix: true, false, or auto (on for a request that arrived over HTTPS, directly "
        "or as a trusted proxy's X-Forwarded-Proto says, and when the server listens on a "
        "non-loopback address; off in testing).",
    )
    trusted_proxies: int = _option(
        0,
        _int_between(0, 10),
        "Reverse proxies in front of the server whose X-Forwarded-For and X-Forwarded-Proto "
        "are believed (the client address sign-in throttling counts, and HTTPS for the cookie). "
        "0: the headers are ignored; 1 behind the documented nginx.",
    )
    session_hours: int = _option(
        8,
        _int_between(1, 24 * 7),
        "A console session ends this many hours after sign-in, however active.",
    )
    session_idle_minutes: int = _option(
        30,
        _int_between(1, 24 * 60),
        "A console session ends after this many minutes without a request.",
    )
    login_free_failures: int = _option(
        3,
        _int_between(1, 100),
        "Failed console sign-ins per username and address before each further attempt must "
        "wait (2, 4, 8 ... seconds, up to login_max_delay_seconds). Never a lock-out.",
    )
    login_max_delay_seconds: int = _option(
        900,
        _int_between(1, 24 * 3600),
        "The longest wait between sign-in attempts for one username and address.",
    )
    login_window_minutes: int = _option(
        15,
        _int_between(1, 24 * 60),
        "The window of login_address_max; a username and address quiet this long start again "
        "with login_free_failures.",
    )
    login_address_max: int = _option(
        30,
        _int_between(1, 1_000_000),
        "Sign-in attempts (any usernames) allowed per client address within login_window_minutes.",
    )
    login_global_per_minute: int = _option(
        300,
        _int_between(1, 1_000_000),
        "Sign-in attempts allowed per minute server-wide; beyond it everyone waits for the "
        "next minute (a flood from many addresses slows sign-in, it locks no one out).",
    )
    enroll_max_failures: int = _option(
        10,
        _int_between(1, 10000),
        "Failed device enrollments allowed per client address within enroll_window_minutes; "
        "further attempts are refused (429) until the window ends.",
    )
    enroll_window_minutes: int = _option(
        15,
        _int_between(1, 24 * 60),
        "The window of enroll_max_failures, in minutes.",
    )
    auto_migrate: bool = _option(
        True,
        _bool,
        "Apply database migrations when `run` starts on the embedded SQLite database.",
    )
    metrics_token: str = _option(
        "",
        _metrics_token,
        "Bearer token a Prometheus scraper sends to read /metrics (Authorization: Bearer ...; "
        "16+ characters). Empty and no metrics_listen: /metrics is not served (404).",
    )
    metrics_listen: str = _option(
        "",
        _listen_or_empty,
        "A separate host:port where `run` serves /metrics only, to scrapers that can reach it "
        "(e.g. 127.0.0.1:9470 or a management network address); no token needed there. "
        "Empty: no such listener.",
    )
    bundle_key_file: str = _option(
        "",
        _str,
        "The server's private bundle keys (sync bundles on files, issue 16): a 0600 JSON file "
        "made at first need; empty means bundle-keys.json in the data folder. Several server "
        "machines share one copy of it. Not in the database: a database copy must not open "
        "bundles.",
    )
    bundle_key_grace_days: int = _option(
        30,
        _int_between(1, 3650),
        "After `loket-server rotate-bundle-key`, how many days bundles sealed to the previous "
        "key are still opened.",
    )
    client_min_version: str = _option(
        "0.1.0",
        _version,
        "The oldest desktop version still fit for use: a desktop below it is told that an "
        "update is required (it keeps working and its records are still accepted).",
    )
    client_current_version: str = _option(
        __version__,
        _version,
        "The newest desktop version: a desktop below it is told that an update is available. "
        "The default is this server's own version.",
    )

    #: Not an option: the data folder the settings were loaded for ("" when none).
    data_dir: str = ""


_TYPES = {"str": str, "int": int, "float": float, "bool": bool}
OPTIONS: tuple[Option, ...] = tuple(
    Option(f.name, _TYPES[str(f.type)], f.default, f.metadata["convert"], f.metadata["help"])
    for f in fields(Settings)
    if "convert" in f.metadata
)
BY_NAME: dict[str, Option] = {o.name: o for o in OPTIONS}


def _converted(option: Option, value: Any, source: str) -> Any:
    try:
        return option.convert(value)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"option {option.name!r} from {source}: {value!r} {exc}") from None


def defaults() -> dict[str, Any]:
    return {o.name: o.default for o in OPTIONS}


def read_file(path: Path) -> dict[str, Any]:
    """The options set in a TOML file (converted); unknown keys are an error."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: not valid TOML: {exc}") from None
    out: dict[str, Any] = {}
    for key, value in data.items():
        option = BY_NAME.get(key)
        if option is None:
            raise ConfigError(f"config file {path}: unknown option {key!r}")
        out[key] = _converted(option, value, f"config file {path}")
    return out


def read_env(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for option in OPTIONS:
        var = ENV_PREFIX + option.name.upper()
        if var in env:
            out[option.name] = _converted(option, env[var], f"environment variable {var}")
    return out


def load(
    data_dir: Path,
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Defaults, then the file, then the environment, then ``overrides`` (command-line flags).

    ``config_file`` given explicitly must exist; the default one in ``data_dir`` is optional.
    """
    config: dict[str, Any] = {}
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"config file {config_file} does not exist")
        config.update(read_file(config_file))
    elif (data_dir / CONFIG_FILE_NAME).is_file():
        config.update(read_file(data_dir / CONFIG_FILE_NAME))
    config.update(read_env(os.environ if env is None else env))
    for key, value in (overrides or {}).items():
        if value is not None:
            config[key] = _converted(BY_NAME[key], value, "the command line")
    return _finish(config, str(data_dir))


def _finish(options: dict[str, Any], data_dir: str) -> Settings:
    """The settings, derived values filled: the embedded database URL in the data folder."""
    if not options.get("database"):
        folder = Path(data_dir or ".")
        options["database"] = f"sqlite:///{(folder / DATABASE_FILE_NAME).resolve()}"
    if options.get("console_database") and not options["database"].startswith("postgresql"):
        raise ConfigError(
            "option 'console_database': console_database is a standby of a PostgreSQL database; "
            "'database' is SQLite"
        )
    return Settings(**options, data_dir=data_dir)


def from_mapping(values: Mapping[str, Any]) -> Settings:
    """Defaults plus ``values`` (the options given to ``create_app(config)``, and ``data_dir``);
    each option is converted, any other key is an error."""
    options: dict[str, Any] = {}
    for key, value in values.items():
        if key == "data_dir":
            continue
        option = BY_NAME.get(key)
        if option is None:
            raise ConfigError(f"create_app(config): unknown option {key!r}")
        options[key] = _converted(option, value, "create_app(config)")
    return _finish(options, str(values.get("data_dir") or ""))


def default_data_dir() -> Path:
    """The data folder when none is given: ``$LOKET_SERVER_DATA``, else the platform's."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("loket-server", appauthor=False))
