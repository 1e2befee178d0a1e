"""Terminal output for the commands: plain lines, colour only where it helps.

- ``-q`` shows problems only, ``-v`` adds detail lines.
- Colour (via ``rich``) only when the stream is a terminal, ``NO_COLOR`` is unset or empty
  and ``TERM`` is not ``dumb``; otherwise plain text, one message per line, so logs and
  pipes stay greppable.
- :meth:`Console.working` shows a spinner only on a terminal and only once the work has
  taken longer than a second, so quick builds print nothing extra.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

QUIET, NORMAL, VERBOSE = -1, 0, 1
SPINNER_AFTER = 1.0  # seconds


def use_color(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """True when ``stream`` is a terminal and neither NO_COLOR nor TERM=dumb asks for plain text."""
    env = os.environ if env is None else env
    if env.get("NO_COLOR", "") != "" or env.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or odd streams
        return False


class Console:
    """Messages for people, on stderr by default (stdout stays free for machine output)."""

    def __init__(self, verbosity: int = NORMAL, stream: TextIO | None = None, color: bool | None = None) -> None:
        self.verbosity = verbosity
        self.stream = stream if stream is not None else sys.stderr
        self.color = use_color(self.stream) if color is None else color
        self._lock = threading.Lock()  # the server prints from several threads
        self._rich: Any = None
        if self.color:
            from rich.console import Console as RichConsole

            self._rich = RichConsole(file=self.stream, highlight=False, markup=False, emoji=False, soft_wrap=True)

    @property
    def quiet(self) -> bool:
        return self.verbosity <= QUIET

    def _print(self, message: str, style: str = "") -> None:
        with self._lock:
            if self._rich is not None:
                from rich.text import Text

                self._rich.print(Text(message, style=style))
            else:
                self.stream.write(message + "\n")
                self.stream.flush()

    def info(self, message: str) -> None:
        """A normal progress line; hidden by ``-q``."""
        if not self.quiet:
            self._print(message)

    def success(self, message: str) -> None:
        if not self.quiet:
            self._print(message, "green")

    def detail(self, message: str) -> None:
        """Shown only with ``-v``."""
        if self.verbosity >= VERBOSE:
            self._print(message, "dim")

    def warning(self, message: str) -> None:
        self._print(message, "yellow")

    def error(self, message: str) -> None:
        self._print(message, "bold red")

    @contextmanager
    def working(self, label: str) -> Iterator[None]:
        """Spinner with ``label`` while the block runs, if it runs over a second on a terminal."""
        if self._rich is None or self.quiet:
            yield
            return
        done = threading.Event()
        status: list[Any] = []

        def later() -> None:
            if not done.wait(SPINNER_AFTER):
                with self._lock:
                    if not done.is_set():
                        status.append(self._rich.status(label, spinner="dots"))
                        status[0].start()

        timer = threading.Thread(target=later, name="spinesite-spinner", daemon=True)
        timer.start()
        try:
            yield
        finally:
            with self._lock:
                done.set()
                if status:
                    status[0].stop()
            timer.join()


def from_args(args: Any) -> Console:
    """The console for parsed command-line arguments (``quiet`` / ``verbose`` attributes)."""
    if getattr(args, "quiet", False):
        return Console(QUIET)
    return Console(VERBOSE if getattr(args, "verbose", 0) else NORMAL)
