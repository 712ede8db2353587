"""Indonesia's administrative areas (Kemendagri codes, idn-area-data 4.0.1, ODbL).

38 provinces, 514 regencies and cities, 7,285 districts and 83,762 villages, packed in
``common/data/regions.txt.gz`` by ``tools/build_regions.py``. Codes are dotted:
province ``32``, regency ``32.01``, district ``32.01.01``, village ``32.01.01.2001``.

Use :func:`regions` for the shared, lazily loaded instance. Lookups by code are dict reads;
:meth:`Regions.search` answers a type-ahead query from a sorted index of every word-start
suffix of every village name (case- and accent-insensitive), built on first use.
"""

from __future__ import annotations

import bisect
import gzip
import re
import threading
import unicodedata
from dataclasses import dataclass
from enum import IntEnum

from common.assets import REGIONS, asset
from common.digits import is_digits
from common.i18n import Lang, as_lang


class Level(IntEnum):
    PROVINCE = 1
    REGENCY = 2
    DISTRICT = 3
    VILLAGE = 4


_LEVEL_OF_TAG = {"P": Level.PROVINCE, "R": Level.REGENCY, "D": Level.DISTRICT, "V": Level.VILLAGE}
_CODE_LEVELS = {2: Level.PROVINCE, 5: Level.REGENCY, 8: Level.DISTRICT, 13: Level.VILLAGE}
_CODE_RE = re.compile(r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$")


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    name: str
    level: Level


def normalise(text: str) -> str:
    """Case- and accent-insensitive form for matching: ``"Cikéas-Udik"`` -> ``"cikeas udik"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", stripped).split())


def dotted(code: str) -> str:
    """``"3201012001"`` -> ``"32.01.01.2001"``; dotted codes pass through unchanged."""
    code = code.strip()
    if "." in code or not is_digits(code):
        return code
    parts = [code[0:2], code[2:4], code[4:6], code[6:10]]
    return ".".join(p for p in parts if p)


class Regions:
    """All areas, loaded from the packed file."""

    def __init__(self, text: str) -> None:
        self._name: dict[str, str] = {}
        self._children: dict[str, list[str]] = {"": []}
        stack = ["", "", "", ""]  # current code at each level
        name = self._name
        children = self._children
        for line in text.splitlines():
            tag = line[0]
            local, _, area_name = line[1:].partition("\t")
            level = _LEVEL_OF_TAG[tag]
            parent = stack[level - 2] if level > 1 else ""
            code = f"{parent}.{local}" if parent else local
            stack[level - 1] = code
            name[code] = area_name
            children[parent].append(code)
            if level < Level.VILLAGE:
                children[code] = []
        self._index: list[tuple[str, str]] | None = None
        self._index_keys: list[str] = []
        self._lock = threading.Lock()

    # --- lookups -------------------------------------------------------------------------
    def get(self, code: str) -> Area | None:
        code = dotted(code)
        area_name = self._name.get(code)
        if area_name is None:
            return None
        return Area(code, area_name, _CODE_LEVELS[len(code)])

    def __contains__(self, code: object) -> bool:
        """Whether a dotted code (``"32.01.01"``) names an area (no normalisation: hot path)."""
        return code in self._name

    def name(self, code: str) -> str | None:
        return self._name.get(dotted(code))

    def children(self, code: str = "") -> list[Area]:
        """The areas directly below ``code`` (provinces for ``""``), in code order."""
        codes = self._children.get(dotted(code), [])
        return [Area(c, self._name[c], _CODE_LEVELS[len(c)]) for c in codes]

    def count(self, level: Level) -> int:
        length = {v: k for k, v in _CODE_LEVELS.items()}[level]
        return sum(1 for c in self._name if len(c) == length)

    def path(self, code: str) -> list[Area]:
        """The area and its ancestors, province first."""
        code = dotted(code)
        if code not in self._name or not _CODE_RE.match(code):
            return []
        parts = code.split(".")
        out = []
        for i in range(1, len(parts) + 1):
            c = ".".join(parts[:i])
            out.append(Area(c, self._name[c], _CODE_LEVELS[len(c)]))
        return out

    def full_path(self, code: str, lang: str | Lang | None = None) -> str:
        """``"Desa X, Kec. Y, Kab. Z, Prov. W"`` (English: ``"X village, Y district, ..."``)."""
        parts = [_describe(a, as_lang(lang)) for a in reversed(self.path(code))]
        return ", ".join(parts)

    # --- type-ahead ----------------------------------------------------------------------
    def _build_index(self) -> None:
        with self._lock:
            if self._index is not None:
                return
            entries: list[tuple[str, str]] = []
            for code, area_name in self._name.items():
                if len(code) != 13:
                    continue
                norm = normalise(area_name)
                start = 0
                while True:
                    entries.append((norm[start:], code))
                    nxt = norm.find(" ", start)
                    if nxt < 0:
                        break
                    start = nxt + 1
            entries.sort()
            self._index_keys = [e[0] for e in entries]
            self._index = entries

    def warm(self) -> None:
        """Build the search index now (e.g. in a background thread at start-up)."""
        self._build_index()

    def search(self, query: str, limit: int = 20) -> list[Area]:
        """Villages whose name has a word starting with the query (case/accent-insensitive).

        Text after a comma narrows by the names of the district, regency or province:
        ``"sukamaju, bogor"``. Villages whose whole name starts with the query come first.
        """
        head, _, rest = query.partition(",")
        key = normalise(head)
        if not key:
            return []
        narrow = [normalise(p) for p in rest.split(",") if normalise(p)]
        self._build_index()
        assert self._index is not None
        keys = self._index_keys
        lo = bisect.bisect_left(keys, key)
        hi = bisect.bisect_left(keys, key + "\x7f", lo)
        seen: set[str] = set()
        starts: list[str] = []
        inner: list[str] = []
        for i in range(lo, hi):
            code = self._index[i][1]
            if code in seen:
                continue
            if narrow and not self._matches_ancestors(code, narrow):
                continue
            seen.add(code)
            (starts if normalise(self._name[code]).startswith(key) else inner).append(code)
            if len(starts) >= limit:
                break
        return [Area(c, self._name[c], Level.VILLAGE) for c in (starts + inner)[:limit]]

    def _matches_ancestors(self, code: str, narrow: list[str]) -> bool:
        names = " | ".join(normalise(self._name[code[:n]]) for n in (8, 5, 2))
        return all(part in names for part in narrow)


def _describe(area: Area, lang: Lang) -> str:
    name = area.name
    if area.level is Level.VILLAGE:
        urban = area.code.rsplit(".", 1)[1].startswith("1")
        if lang is Lang.EN:
            return f"{name} {'urban village' if urban else 'village'}"
        return f"{'Kel.' if urban else 'Desa'} {name}"
    if area.level is Level.DISTRICT:
        return f"{name} district" if lang is Lang.EN else f"Kec. {name}"
    if area.level is Level.REGENCY:
        if name.startswith("Kabupaten "):
            short = name[len("Kabupaten ") :]
            return f"{short} regency" if lang is Lang.EN else f"Kab. {short}"
        return name if lang is Lang.ID else name.replace("Kota ", "") + " city"
    return f"{name} province" if lang is Lang.EN else f"Prov. {name}"


_shared: Regions | None = None
_shared_lock = threading.Lock()


def load() -> Regions:
    """Read and parse the packed file (a fresh instance; prefer :func:`regions`)."""
    return Regions(gzip.decompress(asset(REGIONS).read_bytes()).decode("utf-8"))


def regions() -> Regions:
    """The process-wide instance, loaded on first call."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = load()
    return _shared
