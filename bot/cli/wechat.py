"""``wenjiao wechat``: the official account's custom menu, built from the topics."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.base import quiet_logging, settings, with_database
from bot.cli.errors import CliError

if TYPE_CHECKING:
    from intents import FaqEntry

app = typer.Typer(help="WeChat Official Account: the custom menu.", no_args_is_help=True)


def _labels(pairs: list[str]) -> dict[str, str]:
    labels = {}
    for pair in pairs:
        topic, sep, name = pair.partition("=")
        if not sep or not topic.strip() or not name.strip():
            raise typer.BadParameter(f"expected TOPIC=NAME, got {pair!r}", param_hint="--label")
        labels[topic.strip()] = name.strip()
    return labels


def _entries(files: list[FaqEntry], published: list[FaqEntry], topic: str) -> list[FaqEntry]:
    """A topic's published entries, in the content files' order (the editors' order of
    importance), then any added in the admin."""
    of_topic = {e.id: e for e in published if e.topic == topic}
    ordered = [of_topic.pop(e.id) for e in files if e.id in of_topic]
    return ordered + list(of_topic.values())


@app.command()
def menu(
    apply: Annotated[bool, typer.Option("--apply", help="Send it to WeChat (app id/secret).")]
    = False,
    label: Annotated[list[str] | None, typer.Option(
        help="Top-level name for a topic, TOPIC=NAME (at most 16 bytes); repeatable.")] = None,
) -> None:
    """Print the custom-menu JSON built from the topics; with --apply, install it."""
    from bot.channels.wechat_api import build_client, close_client  # wechatpy: only here
    from bot.channels.wechat_menu import build_menu
    from intents import load_content
    from services import current_entries

    quiet_logging()
    labels = _labels(label or [])
    config = settings()
    if apply and (not config.wechat_appid or config.wechat_secret is None):
        raise CliError("set WENJIAO_WECHAT_APPID and WENJIAO_WECHAT_SECRET to apply the menu")

    content = load_content(config.faq_dir)
    published = with_database(lambda sessionmaker: current_entries(sessionmaker, content))
    files = list(content.entries)
    data = build_menu(content.topics, lambda topic: _entries(files, published, topic), labels)
    print(json.dumps(data, ensure_ascii=False, indent=2))
    if not apply or not config.wechat_appid or config.wechat_secret is None:
        return
    client = build_client(config.wechat_appid, config.wechat_secret.get_secret_value(),
                          config.wechat_api_base_url, config.redis_url)
    try:
        result = client.menu.create(data)
    except Exception as exc:  # a network or API error, shown to the operator
        raise CliError(f"WeChat refused the menu: {exc}") from None
    finally:
        close_client(client)
    print(f"Menu applied: {json.dumps(result, ensure_ascii=False)}")
