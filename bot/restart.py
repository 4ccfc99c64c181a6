"""Replace the workers of a running ``wenjiao serve --workers N`` one at a time (an upgrade).

Why not gunicorn's SIGHUP: it starts N new workers and stops the N old ones at once, before the
new ones have loaded (requests wait 1.5–10 s). Here each step asks gunicorn's master for one
worker more; waits until that worker has loaded this version and serves (it leaves a file named
by its pid in the ready folder, ``bot.server.worker_app``); then asks for one worker less, and
gunicorn stops the oldest, which is an old one. The listening
socket is the master's, so no connection is refused at any step and N workers serve throughout.

New code reaches the new workers because the master has imported nothing of wenjiao that a worker
keeps (``bot.log_format``, ``bot.gunicorn_conf.post_fork``). The master itself, gunicorn and the
libraries it imported are not replaced: a release whose lock changes gunicorn, aiohttp or
prometheus-client needs a full restart (docs/operations.md, "Upgrading").
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

POLL_SECONDS = 0.1


class RestartError(Exception):
    """The restart could not go on; the message says what state the server is left in."""


@dataclass(frozen=True)
class Step:
    """One old worker replaced: its pid, its successor's, and how long the successor took."""

    old: int
    new: int
    seconds: float


class Master:
    """gunicorn's master, asked through its signals (TTIN: one worker more; TTOU: one less, and
    it stops the oldest), and the workers it runs, seen in the ready folder.

    Why not its control socket (``gunicornc``): the master closes that socket around every fork,
    so a connection can be cut just after a command was taken, and "one worker more" asked again
    would be two. gunicorn queues signals and handles each once."""

    def __init__(self, pid_path: Path, ready_dir: Path) -> None:
        try:
            self.pid = int(pid_path.read_text().strip())
        except (OSError, ValueError) as exc:
            raise RestartError(f"cannot read gunicorn's pid from {pid_path}: {exc}") from exc
        self._ready = ready_dir

    def serving(self) -> set[int]:
        """The workers that have loaded and serve (each leaves a file named by its pid)."""
        return {int(p.name) for p in self._ready.iterdir() if p.name.isdigit()}

    def grow(self) -> None:
        """Ask for one worker more."""
        self._signal(signal.SIGTTIN)

    def shrink(self) -> None:
        """Ask for one worker less: gunicorn stops the oldest."""
        self._signal(signal.SIGTTOU)

    def _signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except OSError as exc:
            raise RestartError(f"cannot signal gunicorn's master {self.pid}: "
                               f"{exc.strerror}") from exc


def alive(pid: int) -> bool:
    """Whether process ``pid`` still exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's: it exists
        return True
    return True


def restart_workers(master: Master, *, timeout: float,
                    on_step: Callable[[Step], None] = lambda _step: None) -> list[Step]:
    """Replace every worker serving now, one at a time (see the module's text).

    gunicorn stops the oldest worker at each step, which is one of those serving at the start
    until all of them are gone. ``timeout`` bounds each new worker's start and each old
    worker's stop. On a timeout the server keeps serving (with one worker more, or the old one
    still stopping) and the error says so."""
    old = master.serving()
    if not old:
        raise RestartError("no worker is serving")
    known, left, steps = set(old), set(old), []
    for _ in range(len(old)):
        started = time.monotonic()
        master.grow()
        new = _wait(partial(_newcomer, master, known), timeout)
        if new is None:
            raise RestartError(f"no new worker was serving within {timeout:.0f} s; the old "
                               f"workers still serve, with one more asked for (see the server's "
                               f"log; `systemctl restart wenjiao` starts afresh)")
        known.add(new)
        seconds = time.monotonic() - started
        master.shrink()
        gone = _wait(partial(_gone, left), timeout)
        if gone is None:
            raise RestartError(f"an old worker was asked to stop but none has after "
                               f"{timeout:.0f} s")
        left.discard(gone)
        step = Step(old=gone, new=new, seconds=seconds)
        steps.append(step)
        on_step(step)
    return steps


def _newcomer(master: Master, known: set[int]) -> int | None:
    return next(iter(sorted(master.serving() - known)), None)


def _gone(left: set[int]) -> int | None:
    return next((pid for pid in sorted(left) if not alive(pid)), None)


def _wait(probe: Callable[[], int | None], timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None or time.monotonic() >= deadline:
            return found
        time.sleep(POLL_SECONDS)
