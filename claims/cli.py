"""The `claims` command: database, server, users, demo data and maintenance."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from claims.db import session_scope
from claims.i18n import counted

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> object:
    """An Alembic config pointing at the project's migrations and the given database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from alembic import command

    command.upgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)  # type: ignore[arg-type]
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    from alembic import command

    command.downgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)  # type: ignore[arg-type]
    click.echo(f"database at {revision}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the database's current revision."""
    from alembic import command

    command.current(alembic_config(current_app.config["DATABASE_URL"]))  # type: ignore[arg-type]


@click.group("user")
def user_group() -> None:
    """User accounts."""


@user_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["viewer", "editor", "admin"]), default="viewer")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def user_create(username: str, role: str, password_stdin: bool) -> None:
    """Create a user; the password comes from a prompt or standard input."""
    from claims.errors import ValidationFailed
    from claims.i18n import translate
    from claims.services.users import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with session_scope(current_app) as session:
        try:
            create_user(session, {"username": username, "password": password, "role": role})
        except ValidationFailed as exc:
            for error in exc.errors:
                click.echo(f"{error.field}: {translate('error.' + error.code, 'en')}", err=True)
            raise SystemExit(2) from exc
        session.commit()
    click.echo(f"created {role} {username}")


@user_group.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def user_password(username: str, password_stdin: bool) -> None:
    """Set a user's password (ending their sessions and revoking their API tokens); the name
    in any case, as at login."""
    from claims.errors import ValidationFailed
    from claims.services.users import find_user, set_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with session_scope(current_app) as session:
        user = find_user(session, username)
        if user is None:
            click.echo(f"no user named {username}", err=True)
            raise SystemExit(2)
        try:
            revoked = set_password(session, user, password)
        except ValidationFailed as exc:
            click.echo("password: at least 12 characters", err=True)
            raise SystemExit(2) from exc
        session.commit()
        click.echo(f"password changed for {user.username}: signed out everywhere, "
                   f"{counted(revoked, 'API token')} revoked")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo article, its claims and a demo editor (running it twice changes nothing)."""
    from claims.demo import load_demo

    with session_scope(current_app) as session:
        report = load_demo(session)
        session.commit()
    for line in report:
        click.echo(line)


@click.command("relink")
@click.option("--workers", default=min(2, os.cpu_count() or 1), show_default=True, type=int,
              help="Processes that link, counting this one (used from 20,000 claims).")
@with_appcontext
def relink_command(workers: int) -> None:
    """Recompute every claim's search key and entity mentions (after an engine change)."""
    from sqlalchemy import func, select

    from claims.models import Claim
    from claims.services.linker import relink_all

    with session_scope(current_app) as session:
        total = session.scalar(select(func.count()).select_from(Claim)) or 0
        with click.progressbar(length=total, label="re-linking claims") as bar:
            done = relink_all(session, progress=bar.update, workers=workers, keys=True)
        session.commit()
    click.echo(f"re-linked {counted(done, 'claim')}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--prod", is_flag=True,
              help="Run under gunicorn with config/gunicorn.conf.py (always in production).")
@with_appcontext
def serve_command(host: str, port: int, prod: bool) -> None:
    """Run the web application (gunicorn with --prod or CLAIMS_ENV=production)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if prod or app.config.get("ENV") == "production":
        from claims.config import CONFIG_DIR, ConfigError, check_production

        # --prod is production: the workers build their apps from the environment, so say
        # so there (Secure cookies, strict CSRF, trusted hosts), and refuse what production
        # refuses here, before gunicorn starts, rather than as workers that fail to boot.
        try:
            check_production({"env": "production", "secret_key": app.config.get("SECRET_KEY"),
                              "public_url": app.config.get("PUBLIC_URL"),
                              "allowed_hosts": app.config.get("ALLOWED_HOSTS")})
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(2) from exc
        os.environ["CLAIMS_ENV"] = "production"
        argv = [sys.executable, "-m", "gunicorn", "--config",
                str(CONFIG_DIR / "gunicorn.conf.py"), "--bind", f"{host}:{port}"]
        click.echo(f"claims (gunicorn) at http://{host}:{port}/")
        # Replace this process, so signals from a supervisor reach gunicorn's master directly.
        os.execv(sys.executable, argv)  # noqa: S606 fixed argv  # nosec B606
    from werkzeug.serving import run_simple

    click.echo(f"claims is running at http://{host}:{port}/  (Ctrl+C to stop)")
    # Not app.run(): under a FlaskGroup command Flask turns app.run() into a silent no-op.
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write an online backup to PATH (SQLite backup API, or pg_dump for PostgreSQL)."""
    from claims.ops import OpsError, backup

    try:
        written = backup(current_app.config["DATABASE_URL"], path)
    except (OpsError, OSError) as exc:
        click.echo(f"backup failed: {exc}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"backup written to {written}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Restore the backup at PATH into the (empty) configured database, then check it."""
    from claims.db import get_engine
    from claims.ops import OpsError, check, restore, row_counts

    engine = get_engine()
    try:
        restore(current_app.config["DATABASE_URL"], path, engine)
        problems = check(engine)
    except (OpsError, OSError) as exc:
        click.echo(f"restore failed: {exc}", err=True)
        raise SystemExit(1) from exc
    if problems:
        click.echo("restored database fails its checks: " + "; ".join(problems), err=True)
        raise SystemExit(1)
    counts = row_counts(engine)
    click.echo(f"restored {counted(counts.get('claims', 0), 'claim')} from {path}")


def register_commands(app: Flask) -> None:
    """Attach the command groups to the app's CLI."""
    from claims.api.commands import import_group

    for command in (db_group, user_group, demo_command, relink_command, serve_command,
                    backup_command, restore_command, import_group):
        app.cli.add_command(command)


def _create_app() -> Flask:
    from claims import create_app
    from claims.config import ConfigError

    try:
        return create_app()
    except ConfigError as exc:  # an operator's mistake: say what to fix, not a traceback
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from exc


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def main() -> None:
    """Claims: an Arabic-first fact-check claim tracker."""

