"""Operator commands: `flask --app app <command>` (names are stable: tests and scripts use them)."""
import click
from flask import current_app

from r2pnet import mail
from r2pnet.database import apply_migrations
from r2pnet.errors import DomainError
from r2pnet.extensions import db


def init_app(app):
    """Register the commands on the app's CLI."""
    for command in (init_db, create_admin, invite, demo_data, run_scheduler, send_digests):
        app.cli.add_command(command)


def _fail(message):
    raise click.ClickException(message)


@click.command("init-db")
def init_db():
    """Apply every pending database migration."""
    applied = apply_migrations()
    for name in applied:
        click.echo(f"applied: {name}")
    click.echo("The database is up to date." if not applied else
               f"{len(applied)} migration(s) applied.")


@click.command("create-admin")
@click.argument("email")
@click.option("--name", help="The administrator's name (asked for when not given).")
@click.option("--password", help="Asked for, hidden, when not given (preferred: a command line "
                                 "is visible to other users of the machine).")
def create_admin(email, name, password):
    """Create an administrator with EMAIL (asks name and password), or promote member EMAIL."""
    from r2pnet.accounts.services import checked_email, create_administrator
    from r2pnet.members.models import Member
    apply_migrations()
    with db.connection_context():
        try:
            email = checked_email(email)
        except DomainError as exc:
            _fail(exc.message)
        existing = Member.get_or_none(Member.email == email)
        if existing is not None and existing.role == "administrator":
            click.echo(f"{email} is already an administrator.")
            return
        if existing is None:
            name = name if name is not None else click.prompt("Full name")
            if not name.strip() or len(name.strip()) > 120 or not name.isprintable():
                _fail("Give a name of 1 to 120 characters on one line.")
            if password is None:
                password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            member, created = create_administrator(email, name or existing.name, password)
        except DomainError as exc:
            _fail(exc.message)
    click.echo(f"{'Created' if created else 'Promoted'} administrator {member.email}.")


@click.command("invite")
@click.argument("email")
@click.option("--region", "region_key", required=True, help="Region key, such as africa.")
@click.option("--role", type=click.Choice(["member", "moderator"]), default="member",
              show_default=True)
def invite(email, region_key, role):
    """Invite EMAIL to the network: prints the link and sends the invitation email."""
    from r2pnet.accounts.services import invite as send_invitation
    from r2pnet.members.models import Region
    with db.connection_context():
        region = Region.get_or_none(Region.key == region_key)
        if region is None:
            keys = ", ".join(r.key for r in Region.ordered())
            _fail(f"There is no region with key {region_key!r}. Known keys: {keys}.")
        try:
            token = send_invitation(email, role, region.id)
        except DomainError as exc:
            _fail(exc.message)
    link = f"{current_app.config['BASE_URL']}/invitations/{token}"
    failures = mail.delivery_failures()
    if failures:
        click.echo(f"Invitation created for {email.strip().lower()} ({role}, {region.name}), "
                   f"but the email could not be sent yet ({failures[-1]}); r2pnet will retry. "
                   "Meanwhile you can give them this link:",
                   err=True)
    else:
        click.echo(f"Invitation sent to {email.strip().lower()} ({role}, {region.name}).")
    click.echo(link)


@click.command("demo-data")
def demo_data():
    """Fill the database with realistic sample regions and members to try the product."""
    from r2pnet.demo import create_demo_data
    apply_migrations()
    with db.connection_context():
        created = create_demo_data()
    click.echo(f"Demo data ready: {created} new member(s). Every demo member's password is "
               "printed nowhere: use 'Forgot your password?' or the setup link to sign in.")


@click.command("scheduler")
def run_scheduler():
    """Run the scheduled jobs in this process (production: exactly one such process)."""
    from r2pnet import scheduler
    click.echo("scheduler running (Ctrl+C to stop)")
    scheduler.build(current_app._get_current_object(), blocking=True).start()


@click.command("send-digests")
@click.option("--now", "at_once", is_flag=True,
              help="Send the digest of the current period now, even before the member's hour.")
@click.option("--member", "email", default=None, help="Only this member (email address).")
def send_digests(at_once, email):
    """Plan the digests that are due and send them (what the scheduler does every 15 minutes)."""
    from r2pnet.digests import planner, sender
    from r2pnet.members.models import Member, utcnow

    with db.connection_context():
        member_id = None
        if email:
            member = Member.get_or_none(Member.email == email.strip().lower())
            if member is None:
                _fail(f"No member has the address {email}.")
            member_id = member.id
        planned = (planner.plan_now(member_id) if at_once
                   else planner.plan(utcnow(), member_id=member_id))
        counts = sender.send_due(member_id=member_id)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none due"
    click.echo(f"Digests planned: {planned}; sent this run: {summary}.")
