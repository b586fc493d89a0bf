"""medbrief serve: the web page and the HTTP API on this machine."""

from __future__ import annotations

import ipaddress

import click

from medbrief.interfaces.cli import CliContext, pass_cli

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command()
@click.option(
    "--host",
    default=None,
    help="Address to listen on (default: $MEDBRIEF_HOST, else 127.0.0.1, this machine only). "
    "0.0.0.0 makes the server reachable from the network.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port to listen on (default: $MEDBRIEF_PORT, else 8000).",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
    help="Server log verbosity.",
)
@pass_cli
def serve(cli: CliContext, host: str | None, port: int | None, log_level: str) -> None:
    """Serve the web page and the HTTP API over the local store.

    \b
    The page (http://127.0.0.1:8000/) asks questions, shows briefs with their
    evidence cards, and exports Markdown, JSON, RIS and BibTeX. The API:
      POST /api/ask            {"question": ..., "filters": {...}} -> the brief (JSON contract)
      POST /api/ask/stream     the same as server-sent events, stage by stage
      GET  /api/search?q=...&k=10
      GET  /api/documents/{id} a stored document or recommendation
      GET  /api/export/{markdown|json|ris|bibtex|html}?q=...
      GET  /healthz, /openapi.json

    \b
    Runs on the embedded store, no other server needed. It listens on this
    machine only unless --host says otherwise; nothing leaves the machine.

    \b
    Examples:
      medbrief serve
      medbrief serve --port 8080
      medbrief --home ~/medbrief-data serve --host 0.0.0.0
    """
    import uvicorn

    from medbrief.engine import Engine
    from medbrief.interfaces.api import create_app

    settings = cli.settings(host=host, port=port)
    loopback = is_loopback(settings.host)
    if not loopback:
        click.echo(
            f"medbrief: warning: listening on {settings.host}: anyone who can reach this "
            "machine on the network can use this server (it has no login).",
            err=True,
        )
    engine = Engine(settings)
    trusted = [*LOOPBACK_NAMES, settings.host] if loopback else None
    app = create_app(engine, warm=True, trusted_hosts=trusted)
    shown = "127.0.0.1" if settings.host in {"0.0.0.0", "::"} else settings.host
    click.echo(f"medbrief: serving http://{shown}:{settings.port}/ (Ctrl+C to stop)", err=True)
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level=log_level,
            # The API uses no websockets; not loading a websocket stack keeps
            # startup light and the attack surface small.
            ws="none",
            server_header=False,
        )
    finally:
        engine.close()
