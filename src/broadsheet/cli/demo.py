"""``broadsheet demo``: the offline demo newsroom, subscribed, ingested and served."""

from __future__ import annotations

import click

from broadsheet.cli.context import Context, pass_context
from broadsheet.cli.serve import serve_site
from broadsheet.cli.update import update_with_progress


@click.command()
@click.option("--port", type=int, help="Site port (BROADSHEET_PORT, default 8000).")
@click.option("--newsroom-port", type=int,
              help="Port of the bundled demo newsroom (BROADSHEET_NEWSROOM_PORT, default 8001).")
@click.option("--seed", type=int, default=1, show_default=True, help="Demo content seed.")
@click.option("--no-serve", is_flag=True, help="Ingest the demo and stop, without serving.")
@pass_context
def demo(ctx: Context, port: int | None, newsroom_port: int | None, seed: int,
         no_serve: bool) -> None:
    """Start the offline demo newsroom, subscribe to it, ingest it and serve the site."""
    from broadsheet.demo.generate import make_newsroom, outlet_profiles
    from broadsheet.demo.loopback import DEMO_NETWORK, keep_demo_network
    from broadsheet.demo.server import NewsroomServer
    from broadsheet.server import listen
    from broadsheet.sources import subscribe
    from broadsheet.store.outlets import import_outlets
    from broadsheet.supervise import start_worker_process

    keep_demo_network(ctx.settings)  # before ctx.use: it writes only a value nobody has set
    ctx.use(port=port, newsroom_port=newsroom_port,
            allowed_networks=ctx.settings.allowed_networks or DEMO_NETWORK)
    # Both ports are taken before anything is printed or ingested: a busy one is one line.
    site = None if no_serve else listen(
        ctx.settings.host, ctx.settings.port, "demo",
        "choose another site port with --port N or BROADSHEET_PORT=N "
        "(for example BROADSHEET_PORT=8080 make demo)")
    newsroom_socket = listen(
        "127.0.0.1", ctx.settings.newsroom_port, "demo newsroom",
        "choose another with --newsroom-port N or BROADSHEET_NEWSROOM_PORT=N "
        "(for example BROADSHEET_NEWSROOM_PORT=8081 make demo)")
    newsroom = NewsroomServer(make_newsroom(seed=seed), sock=newsroom_socket)
    newsroom.start()
    click.echo(f"demo newsroom on {newsroom.base_url}", err=True)
    if not ctx.settings.weather_url:  # the newsroom serves an Open-Meteo-shaped forecast too
        ctx.use(weather_url=newsroom.base_url, weather_place="Port Ellery",
                weather_latitude=50.1, weather_longitude=-4.2)
    db = ctx.db()
    for url in newsroom.feed_urls():
        subscribe(db, ctx.settings, url)
    import_outlets(db, outlet_profiles(newsroom.newsroom, newsroom.base_url))
    summary = update_with_progress(ctx, everything=True)
    click.echo(summary.line(), err=True)
    if no_serve:
        newsroom.stop()
        return
    assert site is not None
    click.echo(f"open http://{ctx.settings.host}:{ctx.settings.port}")
    start_worker_process(ctx.settings)
    serve_site(ctx, site)
