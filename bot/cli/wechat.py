"""``wenjiao wechat``: the official account's custom menu, built from the topics."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from bot.channels.wechat_api import build_client, close_client
from bot.channels.wechat_menu import build_menu
from bot.cli.base import quiet_logging, settings, with_services
from intents import FaqEntry
from services import Services

app = typer.Typer(help="WeChat Official Account: the custom menu.", no_args_is_help=True)


def _labels(pairs: list[str]) -> dict[str, str]:
    labels = {}
    for pair in pairs:
        topic, sep, name = pair.partition("=")
        if not sep or not topic.strip() or not name.strip():
            raise typer.BadParameter(f"expected TOPIC=NAME, got {pair!r}", param_hint="--label")
        labels[topic.strip()] = name.strip()
    return labels


def _entries(services: Services, topic: str) -> list[FaqEntry]:
    """A topic's published entries, in the content files' order (the editors' order of
    importance), then any added in the admin."""
    published = {e.id: e for e in services.catalog.entries_of_topic(topic)}
    ordered = [published.pop(e.id) for e in services.content.entries if e.id in published]
    return ordered + list(published.values())


@app.command()
def menu(
    apply: Annotated[bool, typer.Option("--apply", help="Send it to WeChat (app id/secret).")]
    = False,
    label: Annotated[list[str] | None, typer.Option(
        help="Top-level name for a topic, TOPIC=NAME (at most 16 bytes); repeatable.")] = None,
) -> None:
    """Print the custom-menu JSON built from the topics; with --apply, install it."""
    quiet_logging()
    labels = _labels(label or [])
    config = settings()
    if apply and (not config.wechat_appid or config.wechat_secret is None):
        typer.echo("Set WENJIAO_WECHAT_APPID and WENJIAO_WECHAT_SECRET to apply the menu.",
                   err=True)
        raise typer.Exit(1)

    async def work(services: Services) -> dict[str, Any]:
        catalog = services.catalog
        return build_menu(catalog.content.topics, lambda topic: _entries(services, topic), labels)

    data = with_services(work)
    print(json.dumps(data, ensure_ascii=False, indent=2))
    if not apply or not config.wechat_appid or config.wechat_secret is None:
        return
    client = build_client(config.wechat_appid, config.wechat_secret.get_secret_value(),
                          config.wechat_api_base_url, config.redis_url)
    try:
        result = client.menu.create(data)
    except Exception as exc:  # a network or API error, shown to the operator
        typer.echo(f"WeChat refused the menu: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        close_client(client)
    print(f"Menu applied: {json.dumps(result, ensure_ascii=False)}")
