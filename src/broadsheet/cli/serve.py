"""``broadsheet serve`` (the site) and ``broadsheet run`` (the site and a polling worker)."""

from __future__ import annotations

import socket

import click

from broadsheet.cli.context import Context, pass_context


@click.command()
@click.option("--host", help="Listen address (BROADSHEET_HOST).")
@click.option("--port", type=int, help="Listen port (BROADSHEET_PORT).")
@pass_context
def serve(ctx: Context, host: str | None, port: int | None) -> None:
    """Serve the site."""
    ctx.use(host=host, port=port)
    serve_site(ctx, _listen_for_site(ctx))


@click.command()
@click.option("--host", help="Listen address (BROADSHEET_HOST).")
@click.option("--port", type=int, help="Listen port (BROADSHEET_PORT).")
@pass_context
def run(ctx: Context, host: str | None, port: int | None) -> None:
    """Poll sources on their schedule and serve the site, in one process."""
    from broadsheet.supervise import start_worker_process

    ctx.use(host=host, port=port)
    sock = _listen_for_site(ctx)
    start_worker_process(ctx.settings)
    serve_site(ctx, sock)


def _listen_for_site(ctx: Context) -> socket.socket:
    from broadsheet.server import listen

    return listen(ctx.settings.host, ctx.settings.port, "serve",
                  "choose another with --port N or BROADSHEET_PORT=N")


def serve_site(ctx: Context, sock: socket.socket) -> None:
    """Serve the web app on a socket ``server.listen`` already bound."""
    from broadsheet.server import serve
    from broadsheet.web import make_web_app

    app = make_web_app(ctx.db(), ctx.settings)
    click.echo(f"serving on http://{ctx.settings.host}:{ctx.settings.port}", err=True)
    serve(app, ctx.settings, sock)
