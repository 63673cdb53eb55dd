"""`python app.py` (make run): migrate, print the setup link if needed, serve with the scheduler."""
import click
from werkzeug.serving import make_server

from r2pnet import scheduler
from r2pnet.database import apply_migrations
from r2pnet.extensions import db


def announce_setup(app):
    """On a network without an administrator, print a fresh one-time setup link."""
    from r2pnet.accounts.services import administrator_exists, create_setup_link
    with app.app_context(), db.connection_context():
        if administrator_exists():
            return None
        token = create_setup_link()
    url = f"{app.config['BASE_URL']}/setup/{token}"
    click.secho("\nNo administrator yet. Open this one-time link to create the first one "
                "(valid 7 days):", fg="yellow")
    click.secho(f"  {url}\n", bold=True)
    return url


def serve(app):
    """Serve the app with its scheduler in one process (the embedded set-up)."""
    with app.app_context():
        for name in apply_migrations():
            click.echo(f"applied migration {name}")
    announce_setup(app)
    jobs = scheduler.build(app)
    jobs.start()
    host, port = app.config["HOST"], app.config["PORT"]
    click.echo(f"r2pnet is serving on http://{host}:{port} (Ctrl+C to stop)")
    server = make_server(host, port, app, threaded=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        server.server_close()
        jobs.shutdown(wait=False)
