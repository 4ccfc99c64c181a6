"""``serve``, ``ask``, ``chat`` and ``eval``."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.base import quiet_logging, settings, with_services
from bot.cli.render import plain
from services import IncomingMessage, Services
from services.dialogue import evaluation as ev


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (gunicorn).")] = 1,
    migrate: Annotated[bool, typer.Option(help="Upgrade the database schema first.")] = False,
) -> None:
    """Run the web chat, the JSON API and every configured channel."""
    from bot.server import run  # the server's imports are not needed by the other commands

    config = settings()
    run(config, host or config.host, config.port if port is None else port,
        workers=workers, migrate=migrate)


def ask(
    text: Annotated[str, typer.Argument(help="The message; '-' with --json reads one per line.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the Reply as JSON.")] = False,
) -> None:
    """Answer one message (or, with ``--json -``, every line of standard input)."""
    quiet_logging()
    lines = sys.stdin.read().splitlines() if text == "-" and as_json else [text]

    async def work(services: Services) -> None:
        for line in lines:
            reply = await services.dialog.handle(
                IncomingMessage(channel="cli", user_id=f"cli-{uuid.uuid4().hex}", text=line))
            print(_json(reply.model_dump(mode="json")) if as_json else plain(reply), flush=True)

    with_services(work)


def chat() -> None:
    """An interactive conversation in the terminal; numbers pick options."""
    quiet_logging()
    user = f"cli-{uuid.uuid4().hex}"

    async def work(services: Services) -> None:
        print("温教问答 — 输入问题，回车发送；Ctrl+D 退出。")
        while True:
            try:
                line = await asyncio.to_thread(input, "> ")
            except EOFError:
                print()
                return
            reply = await services.dialog.handle(
                IncomingMessage(channel="cli", user_id=user, text=line))
            print(plain(reply), end="\n\n", flush=True)

    with_services(work)


def evaluate(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A .jsonl file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    show_errors: Annotated[bool, typer.Option("--errors", help="List every miss.")] = False,
) -> None:
    """Score the bot on an evaluation file; exchanges are not stored."""
    quiet_logging()
    items = ev.load_items(file)

    async def work(services: Services) -> list[ev.ItemResult]:
        return await ev.run(services.dialog, items)

    results = with_services(work, record=False)
    summary = ev.summarize(results)
    if as_json:
        out = {**summary, "errors": ev.errors(results)} if show_errors else summary
        print(_json(out))
        return
    print(ev.report(summary))
    if show_errors:
        print("\nMisses:")
        for miss in ev.errors(results):
            tops = ", ".join(f"{c} {s:.3f}" for c, s in miss["candidates"])
            print(f"- {miss['id']} [{miss['topic']}/{miss['style']}] expect {miss['expect']}"
                  f"{' ' + str(miss['must_contain']) if miss['must_contain'] else ''}, got "
                  f"{miss['kind']} {miss['intent'] or ''}: {miss['text']}\n    top: {tops}")


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command()(serve)
    app.command()(ask)
    app.command()(chat)
    app.command("eval")(evaluate)
