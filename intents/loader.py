"""Read ``faq_data/`` into a validated :class:`~intents.content.Content`.

Every problem is reported with the file and the entry id, because the people who edit these
files are not the people who read tracebacks.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from intents.content import Content, OutOfScope, SmallTalk
from intents.errors import FaqDataError
from intents.models import FaqEntry, Topic

SPECIAL_FILES = {"topics", "synonyms", "places", "small_talk", "ui", "out_of_scope", "regression"}
# libyaml's parser where PyYAML was built with it: the same safe subset, parsed ten times faster
# (the content files take about 0.4 s with the pure-Python one, most of a cold ``wenjiao ask``).
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """One YAML document, safe tags only (``yaml.safe_load``, with libyaml when installed)."""
    return yaml.load(text, Loader=_SafeLoader)  # a safe loader: no arbitrary tags


def _read(path: Path) -> Any:
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FaqDataError(f"{path.name}: cannot read: {exc}") from exc


def _entries(path: Path, data: Any) -> list[FaqEntry]:
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise FaqDataError(f"{path.name}: expected a mapping with 'topic' and 'entries'")
    topic = data.get("topic") or path.stem
    out = []
    for position, raw in enumerate(data["entries"], start=1):
        name = raw.get("id", f"#{position}") if isinstance(raw, dict) else f"#{position}"
        if not isinstance(raw, dict):
            raise FaqDataError(f"{path.name}: entry {name}: not a mapping")
        try:
            out.append(FaqEntry.model_validate({"topic": topic, **raw}))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            raise FaqDataError(f"{path.name}: entry {name}: {problems}") from exc
    return out


def _synonyms(data: Any) -> dict[str, str]:
    """``canonical: [variant, ...]`` in the file; ``variant -> canonical`` in memory."""
    table: dict[str, str] = {}
    for canonical, variants in (data or {}).get("synonyms", {}).items():
        for variant in variants or ():
            table[str(variant)] = str(canonical)
    return table


def _places(data: Any) -> tuple[str, ...]:
    """``places: {group: [name, ...]}`` in the file; one tuple of names in memory."""
    groups = (data or {}).get("places", {}) or {}
    if not isinstance(groups, dict):
        raise FaqDataError("places.yaml: expected 'places' to map groups to lists of names")
    return tuple(dict.fromkeys(str(name) for names in groups.values() for name in names or ()))


def load_content(directory: str | Path) -> Content:
    """Load and validate every content file in ``directory`` (re-read when a file changes)."""
    root = Path(directory)
    if not root.is_dir():
        raise FaqDataError(f"{root}: not a directory")
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                  for p in sorted(root.glob("*.yaml")))
    return _load(root.resolve(), stamp)


@lru_cache(maxsize=4)
def _load(root: Path, _stamp: tuple[tuple[str, int, int], ...]) -> Content:
    """The parsed content of ``root`` as it was at ``_stamp`` (names, mtimes, sizes)."""
    entries: list[FaqEntry] = []
    for path in sorted(root.glob("*.yaml")):
        if path.stem not in SPECIAL_FILES:
            entries.extend(_entries(path, _read(path)))
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise FaqDataError(f"entry {entry.id}: id used twice")
        seen.add(entry.id)

    def special(name: str) -> Any:
        path = root / f"{name}.yaml"
        return _read(path) if path.exists() else {}

    try:
        return Content(
            entries=tuple(entries),
            topics=tuple(Topic.model_validate(t) for t in special("topics").get("topics", [])),
            synonyms=_synonyms(special("synonyms")),
            places=_places(special("places")),
            small_talk=tuple(SmallTalk.model_validate(s)
                             for s in special("small_talk").get("small_talk", [])),
            out_of_scope=tuple(OutOfScope.model_validate(s)
                               for s in special("out_of_scope").get("out_of_scope", [])),
            ui=special("ui").get("ui", {}),
        )
    except ValidationError as exc:
        raise FaqDataError(f"{root}: {exc}") from exc
