"""``serve``, ``ask``, ``chat`` and ``eval``."""

from __future__ import annotations

import asyncio
import errno
import socket
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.base import (
    database_answers,
    print_json,
    quiet_logging,
    settings,
    with_services,
)
from bot.cli.errors import EXIT_CONFIG, EXIT_ENVIRONMENT, CliError, variable
from bot.cli.render import plain

if TYPE_CHECKING:  # the dialogue is imported by the commands that run it, not by `--help`
    from services import Services

_LISTEN_PROBLEMS = {  # errno -> the variable to blame, its exit code, what is wrong
    errno.EADDRINUSE: ("port", EXIT_ENVIRONMENT, "{where} is already in use (another wenjiao "
                       "serve?); stop it or choose another port (--port or WENJIAO_PORT)"),
    errno.EACCES: ("port", EXIT_ENVIRONMENT, "{where} needs root (ports below 1024); choose a "
                   "port above 1024 and let the reverse proxy listen on 80/443"),
    errno.EADDRNOTAVAIL: ("host", EXIT_CONFIG, "{host} is not an address of this machine"),
}


def check_can_listen(host: str, port: int) -> None:
    """Bind and release every address ``host:port`` stands for, as the server will, before
    anything slow starts: a port that is taken is reported in a second, not after the content
    has loaded (and, with ``--workers``, not by gunicorn retrying five times)."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                       flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CliError(f"{variable('host')}: {host!r} is not a host name or address of this "
                       f"machine ({exc.strerror})", EXIT_CONFIG) from exc
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
            try:
                probe.bind(address)
            except OSError as exc:
                field, code, text = _LISTEN_PROBLEMS.get(
                    exc.errno or 0, ("port", EXIT_ENVIRONMENT, "cannot listen on {where}: "
                                                               "{reason}"))
                raise CliError(f"{variable(field)}: " + text.format(
                    where=f"{host}:{port}", host=host, reason=exc.strerror or exc), code) from exc


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: "
                                                  "WENJIAO_HOST).")] = None,
    port: Annotated[int | None, typer.Option(min=0, max=65535, help="Port to listen on "
                                                                    "(default: WENJIAO_PORT).")]
    = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (gunicorn).")] = 1,
    migrate: Annotated[bool, typer.Option(help="Upgrade the database schema first.")] = False,
) -> None:
    """Run the web chat, the JSON API and every configured channel.

    Before anything starts: the settings are checked, the port is tried and the database must
    answer; each failure is one line naming the variable (exit 2: a setting, 1: the port or the
    database). "is running" is printed once the port is listening."""
    from bot.server import run  # the server's imports are not needed by the other commands

    config = settings()
    host, port = host or config.host, config.port if port is None else port
    check_can_listen(host, port)
    asyncio.run(database_answers(config.database_url))
    run(config, host, port, workers=workers, migrate=migrate)


def restart_workers(
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="The port the server "
                                             "listens on (default: WENJIAO_PORT).")] = None,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds a new worker may take to start, "
                                           "and an old one to stop.")] = 120.0,
) -> None:
    """Replace the workers of a running ``serve --workers N`` one by one with this installed
    version, after an upgrade (and ``db upgrade``): N workers serve throughout.

    First this version is loaded here as a worker would load it (settings, schema, content,
    models); if that fails, no worker is touched."""
    from bot.restart import Master, RestartError, Step, restart_workers
    from bot.server import run_dir

    config = settings()
    folder = run_dir(config, config.port if port is None else port)
    if not (folder / "gunicorn.pid").exists():
        raise CliError(f"no server with several workers runs on port {folder.name} (no "
                       f"{folder / 'gunicorn.pid'}); a single process (--workers 1) is restarted "
                       f"with its service manager (systemctl restart wenjiao)")
    quiet_logging()

    async def loads(_services: Services) -> None:
        pass

    with_services(loads)
    print(f"this version loads; replacing the workers on port {folder.name} one by one",
          flush=True)

    def shown(step: Step) -> None:
        print(f"worker {step.old} -> {step.new}: serving after {step.seconds:.1f} s", flush=True)

    try:
        master = Master(folder / "gunicorn.pid", folder / "ready")
        steps = restart_workers(master, timeout=timeout, on_step=shown)
    except RestartError as exc:
        raise CliError(str(exc), EXIT_ENVIRONMENT) from exc
    print(f"{len(steps)} workers replaced", flush=True)


def ask(
    text: Annotated[str, typer.Argument(
        help="The message; '-' reads the messages from standard input, one per line.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print each Reply as one line of "
                                                         "JSON.")] = False,
) -> None:
    """Answer one message (or, with ``-``, every line of standard input, each in a fresh
    conversation: ``echo 三坛教师多少 | wenjiao ask -``)."""
    from services import IncomingMessage

    quiet_logging()
    lines = sys.stdin.read().splitlines() if text == "-" else [text]

    async def work(services: Services) -> None:
        for number, line in enumerate(lines):
            reply = await services.dialog.handle(
                IncomingMessage(channel="cli", user_id=f"cli-{uuid.uuid4().hex}", text=line))
            if as_json:
                print_json(reply.model_dump(mode="json"))
            else:  # replies of several lines apart by a blank line, as in `chat`
                print(("\n" if number else "") + plain(reply), flush=True)

    with_services(work)


def chat() -> None:
    """An interactive conversation in the terminal; numbers pick options."""
    from services import IncomingMessage

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
    """Score the bot on an evaluation file; exchanges are not stored.

    A file of single messages (``shared/eval``), or a scope file (``faq_data/scope``: rows with a
    ``kind``), which reports out-of-scope verdicts, small talk, noise and a confusion list, or
    a multi-turn file (``faq_data/conversations``: rows with ``turns``), which reports first
    turns, later turns and whole conversations."""
    from services.dialogue import conversation_eval, scope_eval
    from services.dialogue import evaluation as ev

    quiet_logging()
    if conversation_eval.is_conversation_file(file):
        conversations = conversation_eval.load(file)
        turns = with_services(lambda s: conversation_eval.run(s.dialog, conversations),
                              record=False)
        _print_scores(conversation_eval.summarize(turns), conversation_eval.report,
                      ("misses", conversation_eval.misses(turns), _turn_miss),
                      as_json=as_json, show_errors=show_errors)
        return
    if scope_eval.is_scope_file(file):
        rows = scope_eval.load_rows(file)
        results = with_services(lambda s: scope_eval.run(s.dialog, rows), record=False)
        _print_scores(scope_eval.summarize(results), scope_eval.report,
                      ("misses", scope_eval.misses(results), _scope_miss),
                      as_json=as_json, show_errors=show_errors)
        return
    items = ev.load_items(file)
    found = with_services(lambda s: ev.run(s.dialog, items), record=False)
    _print_scores(ev.summarize(found), ev.report, ("errors", ev.errors(found), _item_miss),
                  as_json=as_json, show_errors=show_errors)


Misses = tuple[str, list[dict[str, Any]], Callable[[dict[str, Any]], str]]


def _print_scores(summary: dict[str, Any], report: Callable[[dict[str, Any]], str],
                  misses: Misses, *, as_json: bool, show_errors: bool) -> None:
    """The figures (JSON or the report's table) and, with ``--errors``, every miss: ``misses``
    is the JSON key, the misses and how one is printed."""
    key, missed, line = misses
    if as_json:
        print_json({**summary, key: missed} if show_errors else summary)
        return
    print(report(summary))
    if show_errors:
        print("\nMisses:")
        for miss in missed:
            print(line(miss))


def _item_miss(miss: dict[str, Any]) -> str:
    tops = ", ".join(f"{c} {s:.3f}" for c, s in miss["candidates"])
    return (f"- {miss['id']} [{miss['topic']}/{miss['style']}] expect {miss['expect']}"
            f"{' ' + str(miss['must_contain']) if miss['must_contain'] else ''}, got "
            f"{miss['kind']} {miss['intent'] or ''}: {miss['text']}\n    top: {tops}")


def _turn_miss(miss: dict[str, Any]) -> str:
    return (f"- {miss['id']} turn {miss['turn']}: expect {miss['expect']} "
            f"{miss['must_contain'] or ''}, got {miss['kind']} {miss['intent'] or ''} by "
            f"{miss['decided_by']}: {miss['text']}")


def _scope_miss(miss: dict[str, Any]) -> str:
    return (f"- [{miss['kind']}/{miss['slot']}/{miss['style']}] {miss['verdict']}: "
            f"{miss['reply_kind']} {miss['intent'] or ''} by {miss['decided_by']}: "
            f"{miss['text']}")


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command()(serve)
    app.command("restart-workers")(restart_workers)
    app.command()(ask)
    app.command()(chat)
    app.command("eval")(evaluate)
