"""The ``bookbuild`` command line: argument parsing only; the work is in ``commands/``."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import BookbuildError

PATH_ARG = click.argument(
    "path", required=False, type=click.Path(path_type=Path, file_okay=False)
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bookbuild")
def main() -> None:
    """Build a printed booklet, a handout, an EPUB and a web edition from one manuscript.

    PATH is a project folder (one holding manuscript/book.yaml); the default is
    the current folder.
    """


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@PATH_ARG
def check(path: Path | None, strict: bool) -> None:
    """Validate the manuscript and report every problem as path:line:col."""
    from .commands.check import check as run

    _exit(lambda: run(path, strict=strict, out=sys.stderr))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True, help="What to write to standard output.")
@PATH_ARG
def export(path: Path | None, fmt: str) -> None:
    """Write the book as plain text, structured JSON or Pandoc Markdown to stdout."""
    from .commands.export import export as run

    text = io.StringIO()
    _exit(lambda: run(path, fmt=fmt, out=text, err=sys.stderr) or _emit(text.getvalue()))


@main.command()
@click.option("--edition", "-e", "editions", multiple=True, metavar="NAME",
              help="Build only this edition (repeatable); default: every edition.")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder (default: dist/ in the project).")
@click.option("--force", is_flag=True, help="Rebuild even the editions whose inputs are unchanged.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Editions built at once, in separate processes (default: the CPU count).")
@click.option("--verbose", "-v", "verbosity", flag_value=2, help="Say more: stage timings.")
@click.option("--quiet", "-q", "verbosity", flag_value=0, help="Say nothing but errors.")
@click.option("--strict", is_flag=True,
              help="Treat warnings (the layout's, while rendering) as errors.")
@PATH_ARG
def build(path: Path | None, editions: tuple[str, ...], out: Path | None, force: bool,
          jobs: int | None, verbosity: int | None, strict: bool) -> None:
    """Build the editions (PDF booklet, imposed booklet, handout, EPUB, HTML) into dist/.

    Only editions whose inputs changed since the last build are rebuilt; outputs
    are replaced atomically, so a failed build leaves the previous ones intact.
    """
    from .commands.build import build as run

    _exit(lambda: run(path, editions=editions, out=out, err=sys.stderr, force=force,
                      jobs=jobs or 0, verbosity=1 if verbosity is None else verbosity,
                      strict=strict) and 0)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--language", "-l", default="hu", show_default=True, metavar="TAG",
              help="The book's language (a BCP 47 tag: hu, en, en-GB, de, pl …): the "
                   "sample book is written in it.")
def new(directory: Path, language: str) -> None:
    """Start a new book: write a minimal valid project into DIRECTORY."""
    from .commands.new import new as run

    def start() -> int:
        try:
            return run(directory, out=sys.stdout, language=language)
        except OSError as exc:
            raise BookbuildError(f"cannot write the new book into {directory}: "
                                 f"{exc.strerror or exc}",
                                 "choose a folder you may write to (not a file, not on a "
                                 "read-only or virtual file system)") from None

    _exit(start)


@main.command()
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@PATH_ARG
def serve(path: Path | None, port: int) -> None:
    """Preview the web edition: rebuilt and reloaded in the browser on every save."""
    from .commands.serve import serve as run

    _exit(lambda: run(path, port=port, err=sys.stderr))


def _emit(text: str) -> int:
    """Write an export to standard output as UTF-8, whatever the terminal's encoding;
    a full disk or a closed pipe is a message (or silence), never a traceback."""
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    except BrokenPipeError:  # the reader stopped early (… | head): nothing to say
        _silence_stdout()
    except OSError as exc:
        _silence_stdout()
        raise BookbuildError(f"cannot write to standard output: {exc.strerror or exc}",
                             "check where standard output goes (a full disk?)") from None
    return 0


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the exit's flush fails no more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def _exit(run: object) -> None:
    """Run a command; a problem for a person becomes a message, never a traceback."""
    try:
        status = run()  # type: ignore[operator]
    except BookbuildError as exc:
        click.echo(exc.format(), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted; nothing was written", err=True)
        sys.exit(130)
    sys.exit(int(status or 0))


if __name__ == "__main__":  # pragma: no cover
    main()
