"""`claims import …`: ClaimReview and CSV imports from the shell (same services as the UI)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from claims.db import begin_write, session_scope
from claims.i18n import counted, describe
from claims.models import User


class _Importer:
    """Stands in for a user when no --user is given: history rows then name nobody."""

    id = None

    def can(self, role: str) -> bool:
        """The command line may write."""
        return True


def _user(session: object, username: str | None) -> User:
    from sqlalchemy.orm import Session

    if username is None:
        return cast(User, _Importer())
    user = cast(Session, session).scalar(select(User).where(User.username == username))
    if user is None:
        click.echo(f"no user named {username}", err=True)
        raise SystemExit(2)
    return user


@click.group("import")
def import_group() -> None:
    """Import claims from ClaimReview or CSV."""


@import_group.command("claimreview")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", help="Record the claims as created by this user.")
@with_appcontext
def import_claimreview(path: Path, username: str | None) -> None:
    """Import every ClaimReview in PATH (JSON-LD, JSON feed or saved HTML page)."""
    from claims.services.claimreview_import import import_reviews
    from claims.services.claimreview_read import NotClaimReview, extract_reviews

    try:
        reviews = extract_reviews(path.read_bytes())
    except NotClaimReview as exc:
        click.echo(f"{path}: {exc}", err=True)
        raise SystemExit(1) from exc
    with session_scope(current_app) as session:
        begin_write(session)
        with click.progressbar(length=len(reviews), label="importing reviews") as bar:
            report = import_reviews(session, _user(session, username), reviews,
                                    progress=bar.update)
        session.commit()
    click.echo(f"created {counted(len(report.created), 'claim')}, "
               f"{report.unchanged} already present")
    for label in report.unmapped:
        click.echo(f"unknown label (default status used): {label}")
    for error in report.errors:
        click.echo(f"skipped {describe(error, 'en')}", err=True)


@import_group.command("csv")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["claims", "ans"]), default="claims",
              show_default=True, help="claims: our columns; ans: claim_s,fake_flag.")
@click.option("--user", "username", help="Record the claims as created by this user.")
@click.option("--dry-run", is_flag=True, help="Only check the rows (the preview).")
@with_appcontext
def import_csv(path: Path, fmt: str, username: str | None, dry_run: bool) -> None:
    """Import claims from a CSV file; rows already imported are skipped."""
    from claims.services import csv_io

    started = time.perf_counter()
    parsed = csv_io.parse(path.read_bytes(), path.name, fmt)
    for problem in parsed.problems:
        click.echo(describe(problem, "en"), err=True)
    with session_scope(current_app) as session:
        begin_write(session)
        csv_io.begin_import(session, parsed)
        for row in parsed.rows:
            for error in row.errors:
                click.echo(describe(error | {"line": row.line}, "en"), err=True)
        if dry_run:
            click.echo(f"{counted(len(parsed.ready), 'row')} ready, {len(parsed.rows)} read")
            return
        with click.progressbar(length=len(parsed.rows), label="importing claims") as bar:
            report = csv_io.import_parsed(session, _user(session, username), parsed,
                                          progress=bar.update)
        session.commit()
    click.echo(f"created {counted(report.created, 'claim')}, skipped {report.skipped} "
               f"in {time.perf_counter() - started:.1f} s")
