"""Progress of a demo data run, written line by line to whatever the caller gives (the
command's stdout), or nowhere when it runs quietly."""

from __future__ import annotations

import time
from collections.abc import Callable


class RowCounter:
    """Counts the rows a long step writes and reports every ``every`` rows."""

    def __init__(self, progress: Progress, label: str, total: int | None, every: int) -> None:
        self.progress = progress
        self.label = label
        self.total = total
        self.every = max(1, every)
        self.done = 0
        self._reported: int | None = None

    def add(self, count: int = 1) -> None:
        before = self.done
        self.done += count
        if self.done // self.every > before // self.every:
            self._report()

    def finish(self) -> None:
        """Report the final count, unless the last report already said it."""
        if self._reported != self.done:
            self._report()

    def _report(self) -> None:
        of_total = f" of {self.total:,}" if self.total is not None else ""
        self.progress.write(f"    {self.label}: {self.done:,}{of_total}")
        self._reported = self.done


class Progress:
    """Writes progress lines; ``write=None`` is quiet."""

    def __init__(self, write: Callable[[str], None] | None = None, *, every: int | None = None):
        self._write = write
        self.every = every

    @property
    def quiet(self) -> bool:
        return self._write is None

    def write(self, line: str) -> None:
        if self._write is not None:
            self._write(line)

    def counter(self, label: str, total: int | None = None) -> RowCounter:
        return RowCounter(self, label, total, self.every or 10_000)

    def step_started(self, number: int, total: int, name: str, description: str) -> float:
        self.write(f"[{number}/{total}] {name}: {description}" if description else name)
        return time.perf_counter()

    def step_finished(self, name: str, started: float) -> None:
        self.write(f"    {name} done in {time.perf_counter() - started:.1f} s")
