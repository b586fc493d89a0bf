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
    Beyond this machine the API wants a bearer token (MEDBRIEF_API_TOKEN, or
    one made up and printed at start; the page logs in with /?token=...).
    Limits (request size, timeouts, queue, per-client rate) are settings:
    see docs/http-api.md and 'medbrief settings'.

    \b
    Examples:
      medbrief serve
      medbrief serve --port 8080
      medbrief --home ~/medbrief-data serve --host 0.0.0.0
    """
    import secrets

    import uvicorn

    from medbrief.engine import Engine
    from medbrief.interfaces.api import create_app
    from medbrief.interfaces.server import uvicorn_options

    settings = cli.settings(host=host, port=port)
    loopback = is_loopback(settings.host)
    shown = "127.0.0.1" if settings.host in {"0.0.0.0", "::"} else settings.host
    token = settings.api_token.get_secret_value() if settings.api_token else None
    if not loopback:
        click.echo(
            f"medbrief: warning: listening on {settings.host}: anyone who can reach this "
            "machine on the network can reach this server; the API wants its token.",
            err=True,
        )
        if token is None:
            token = secrets.token_urlsafe(24)
            click.echo(
                f"medbrief: token for this run (set MEDBRIEF_API_TOKEN to choose one): {token}\n"
                f"medbrief: the page: http://{shown}:{settings.port}/?token={token}",
                err=True,
            )
    engine = Engine(settings)
    trusted = [*LOOPBACK_NAMES, settings.host] if loopback else None
    app = create_app(engine, warm=True, trusted_hosts=trusted, token=token)
    click.echo(f"medbrief: serving http://{shown}:{settings.port}/ (Ctrl+C to stop)", err=True)
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level=log_level,
            **uvicorn_options(settings),
        )
    finally:
        engine.close()
