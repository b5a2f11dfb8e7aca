"""docs/commands.md, written from the commands' own ``--help``: one text, never two.

``python -m bookbuild.commands.reference > docs/commands.md`` writes it again; a test
fails when the file and the help differ (``BOOKBUILD_UPDATE_GOLDEN=1`` rewrites it, as
it does the golden trees).
"""

from __future__ import annotations

import click

WIDTH = 80  # as an 80-column terminal shows it, whatever the terminal that writes the file

HEADER = """\
# Commands

Every command's `--help`, as `bookbuild` prints it (this file is written from it:
`python -m bookbuild.commands.reference > docs/commands.md`).
"""


def help_text(group: click.Group, *names: str) -> str:
    """What ``bookbuild NAMES… --help`` prints, ``WIDTH`` columns wide."""
    settings = {**group.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    parent = click.Context(group, info_name="bookbuild", **settings)
    if not names:
        return group.get_help(parent)
    command = group.get_command(parent, names[0])
    if command is None:
        raise click.UsageError(f"no command '{names[0]}'")
    context = click.Context(command, info_name=names[0], parent=parent,
                            terminal_width=WIDTH, max_content_width=WIDTH)
    return command.get_help(context)


def reference(group: click.Group) -> str:
    """The command reference: the group's help, then each command's, in Markdown."""
    parts = [HEADER, "## bookbuild\n", f"```text\n{help_text(group)}\n```\n"]
    for name in sorted(group.commands):
        parts += [f"## bookbuild {name}\n", f"```text\n{help_text(group, name)}\n```\n"]
    return "\n".join(parts)


if __name__ == "__main__":
    from ..cli import main

    print(reference(main), end="")
