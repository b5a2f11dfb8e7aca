"""What a build tells the person running it: live progress on a terminal, a summary table."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..builders.base import BuildResult, Output
from ..manuscript.model import Edition

if TYPE_CHECKING:  # rich is imported when there is something to show beyond one line
    from rich.console import Console


@dataclass
class Reporter:
    """Prints progress per edition (stage, pages, time) and a table of the outputs.

    ``verbosity``: 0 quiet (errors only), 1 normal, 2 verbose (stage timings too).
    When the stream is not a terminal, normal output is just the summary line.
    """

    stream: TextIO
    verbosity: int = 1
    started: float = field(default_factory=time.perf_counter)

    @cached_property
    def console(self) -> Console:
        from rich.console import Console

        return Console(file=self.stream, highlight=False, soft_wrap=True)

    @property
    def interactive(self) -> bool:
        return self.console.is_terminal

    def say(self, text: str, *, level: int = 1) -> None:
        if self.verbosity >= level and (self.interactive or self.verbosity >= 2 or level == 0):
            self.console.print(text)

    def up_to_date(self, out_dir: Path, editions: list[str]) -> None:
        if self.verbosity >= 1:
            # a plain line (no rich to load, no markup read in the folder's name)
            self.stream.write(f"nothing to do: {', '.join(editions)} in {out_dir} "
                              "are up to date (use --force to rebuild)\n")

    def edition(self, event: str, edition: Edition, result: BuildResult | None,
                seconds: float) -> None:
        if event == "start":
            self.say(f"[bold]{edition.name}[/bold]: building ({edition.format}) …")
            return
        assert result is not None
        pages = max((o.pages for o in result.outputs), default=0)
        detail = f", {pages} page{'s' if pages != 1 else ''}" if pages else ""
        self.say(f"[bold]{edition.name}[/bold]: done in {seconds:.1f} s{detail}")
        if result.timings:
            stages = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
            self.say(f"  stages: {stages}", level=2)

    def summary(self, out_dir: Path, outputs: list[Output], rebuilt: list[str],
                cached: list[str]) -> None:
        if self.verbosity < 1:
            return
        elapsed = time.perf_counter() - self.started
        if self.interactive or self.verbosity >= 2:
            from rich.table import Table

            table = Table(title=f"{out_dir}", title_justify="left", box=None, pad_edge=False)
            for column in ("file", "edition", "pages", "size"):
                table.add_column(column, justify="right" if column in ("pages", "size")
                                 else "left")
            for output in outputs:
                if output.format == "asset":
                    continue
                table.add_row(output.name, output.edition, str(output.pages or ""),
                              _size(output.size))
            self.console.print(table)
        note = f" ({', '.join(cached)} up to date)" if cached else ""
        self.console.print(f"built {', '.join(rebuilt) or 'nothing'} in {elapsed:.1f} s "
                           f"into {out_dir}{note}")


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KiB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MiB"
