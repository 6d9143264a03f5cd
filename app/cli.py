"""Commands: seed-demo, create-staff (worker and purge-uploads arrive with their issues)."""
from __future__ import annotations

import click
from flask import Flask

from app.errors import DomainError
from app.extensions import db
from app.services import accounts, seed
from models.staff import Role


def register(app: Flask) -> None:
    register_worker(app)

    @app.cli.command("seed-history")
    @click.option("--count", default=10000, show_default=True, help="past applications to generate")
    @click.option("--months", default=12, show_default=True, help="spread over this many months back")
    @click.option("--seed", default=2026, show_default=True, help="random seed (same seed, same history)")
    def seed_history_command(count: int, months: int, seed: int):
        """Generate realistic past cases (ratings, complaints, late cases, visits, post) after seed-demo."""
        from app.clock import local_date
        from app.extensions import services
        from app.services.history import seed_history

        result = seed_history(session=db.session, count=count, months=months,
                              today=local_date(services().clock()), seed=seed)
        click.echo(f"history: {result['applications']} applications for {result['citizens']} citizens")

    @app.cli.command("purge-uploads")
    @click.option("--pending-hours", default=24, show_default=True, help="never completed after this long")
    @click.option("--unattached-days", default=7, show_default=True, help="never attached after this long")
    def purge_uploads_command(pending_hours: int, unattached_days: int):
        """Remove abandoned uploads: objects first, then their rows."""
        from app.extensions import services
        from app.services.uploads import purge

        removed = purge(session=db.session, clock=services().clock, store=services().store,
                        pending_hours=pending_hours, unattached_days=unattached_days)
        click.echo(f"purged {removed} uploads")

    @app.cli.group("store")
    def store_group():
        """Object store administration."""

    @store_group.command("setup")
    def store_setup_command():
        """Create the bucket if missing and set its CORS rules from CORS_ORIGINS (S3); check local disk."""
        from app.extensions import services
        from storage import StoreError

        try:
            click.echo(services().store.setup(cors_origins=app.config["CORS_ORIGINS"]))
        except StoreError as exc:
            raise click.ClickException(f"object store not ready: {exc}") from exc

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo county: catalogue, halls, carrier and one account per staff role."""
        from app.extensions import services

        counts = seed.seed_demo(session=db.session, clock=services().clock, cipher=services().cipher,
                                passwords=services().passwords)
        click.echo("demo catalogue ready: " + ", ".join(f"{k}={v}" for k, v in counts.items()))

    @app.cli.command("create-staff")
    @click.option("--username", required=True)
    @click.option("--password", required=True, prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
    @click.option("--hall", "hall_code", help="hall code (clerk)")
    @click.option("--department", "department_code", help="department code (reviewer)")
    @click.option("--carrier", "carrier_code", help="carrier code (courier)")
    @click.option("--region", "region_code", help="6-digit region code (supervisor)")
    @click.option("--name", "display_name", default="")
    def create_staff_command(**options):
        """Create a staff account bound to its hall, department, carrier or region."""
        from app.extensions import services

        try:
            staff = accounts.create_staff(session=db.session, passwords=services().passwords, **options)
        except DomainError as exc:
            raise click.ClickException(f"{exc.code}: {exc.errors or ''}") from exc
        click.echo(f"created staff #{staff.id} {staff.username} ({staff.role})")


def register_worker(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="one pass, then exit")
    @click.option("--interval", default=5.0, show_default=True, help="seconds between passes")
    def worker_command(once: bool, interval: float):
        """Deadline scans, rating invitations and queued notifications (SMS or WeChat), pass after
        pass; several workers may run at once; SIGTERM stops it cleanly between messages."""
        import signal
        import threading

        from app.extensions import services
        from app.services.worker import run

        stop = threading.Event()

        def request_stop(signum, frame):
            click.echo(f"worker: signal {signum}, stopping after the message in hand")
            stop.set()

        if threading.current_thread() is threading.main_thread():  # signals reach the main thread only
            signal.signal(signal.SIGTERM, request_stop)
            signal.signal(signal.SIGINT, request_stop)

        def echo(report):
            for line in report.lines():
                click.echo(line)

        failures = run(session=db.session, clock=services().clock, sms=services().sms,
                       wechat=services().wechat_notifier, interval=interval, once=once, stop=stop, report=echo,
                       escalate_after=app.config["ESCALATE_AFTER_WORKING_DAYS"])
        click.echo("worker: stopped")
        if once and failures:
            raise SystemExit(1)
