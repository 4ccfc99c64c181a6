"""Content files out of the store and back: ``wenjiao faq export`` and ``import``.

Export writes one YAML file per topic in the layout of ``faq_data/`` so that admins' edits can be
reviewed in git like any other change.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from intents import ENTRY_FIELDS
from services.db import repositories as repo

FIELD_ORDER = tuple(f for f in ENTRY_FIELDS if f != "topic")  # the topic is the file's


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line answers, readable Chinese."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in FIELD_ORDER if data.get(k) not in (None, [], ())}


async def export_entries(session: AsyncSession, directory: Path) -> dict[str, int]:
    """Write the published entries to ``directory/<topic>.yaml``; returns entries per file."""
    by_topic: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for data in await repo.published_entries(session):
        by_topic[data["topic"]].append(_ordered(data))
    await asyncio.to_thread(_write, directory, by_topic)
    return {topic: len(entries) for topic, entries in by_topic.items()}


def _write(directory: Path, by_topic: dict[str, list[dict[str, Any]]]) -> None:
    """One YAML file per topic (file work, off the event loop)."""
    directory.mkdir(parents=True, exist_ok=True)
    for topic, entries in by_topic.items():
        text = yaml.dump({"topic": topic, "entries": entries}, Dumper=_Dumper,
                         allow_unicode=True, sort_keys=False, width=100)
        (directory / f"{topic}.yaml").write_text(text, encoding="utf-8")
