"""The ``medbrief`` command.

Each command lives in its own module and is imported only when run, so
``medbrief --help`` starts fast and heavy libraries load only when needed.
The library raises :mod:`medbrief.errors`; this layer turns them into a
one-line message on stderr and the error's exit code.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import click

from medbrief.errors import MedbriefError, disk_full, is_disk_full

#: command name -> "module:attribute", in the order --help lists them.
COMMANDS: dict[str, str] = {
    "ask": "medbrief.interfaces.cli.ask:ask",
    "search": "medbrief.interfaces.cli.search:search",
    "ingest": "medbrief.interfaces.cli.ingest:ingest",
    "index": "medbrief.interfaces.cli.index:index",
    "fetch": "medbrief.interfaces.cli.fetch:fetch",
    "pubmed": "medbrief.interfaces.cli.pubmed:pubmed",
    "stats": "medbrief.interfaces.cli.store:stats",
    "show": "medbrief.interfaces.cli.store:show",
    "eval": "medbrief.interfaces.cli.evaluate:evaluate",
    "serve": "medbrief.interfaces.cli.serve:serve",
    "settings": "medbrief.interfaces.cli.store:settings_cmd",
}

EXIT_INTERRUPTED = 130


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return None
        command: click.Command = getattr(module, attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MedbriefError as exc:
            click.echo(f"medbrief: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except Exception as exc:
            # A full disk can surface from any library that writes (SQLite,
            # faiss, tantivy): said plainly, without a traceback.
            if not is_disk_full(exc):
                raise
            error = disk_full(str(exc))
            click.echo(f"medbrief: error: {error}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo(
                "medbrief: interrupted; everything committed so far is kept, "
                "run the same command again to complete it",
                err=True,
            )
            sys.exit(EXIT_INTERRUPTED)


class CliContext:
    """What every command gets: the global options, and settings built from them."""

    def __init__(self, home: Path | None) -> None:
        self.home = home

    def settings(self, **overrides: Any) -> Any:
        from medbrief.settings import get_settings

        return get_settings(home=self.home, **overrides)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with the store and indexes (default: $MEDBRIEF_HOME, else the user data dir).",
)
@click.version_option(package_name="medbrief")
@click.pass_context
def main(ctx: click.Context, home: Path | None) -> None:
    """medbrief: evidence briefs from clinical guidelines and PubMed, on your machine.

    \b
    Ask a question (the bundled starter corpus loads itself on first use):
      medbrief ask "iron, blood drain barrier and restless legs syndrome"
    Bring your own data, then index it for dense search:
      medbrief ingest pubmed pubmed24n0001.xml.gz
      medbrief ingest guidelines my-guidelines.jsonl
      medbrief index

    Nothing leaves this machine unless you use 'fetch' or 'ask --live'.
    """
    ctx.obj = CliContext(home)


def pass_cli(f: Any) -> Any:
    """Decorator handing a command its :class:`CliContext`."""
    return click.pass_obj(f)
