"""WSGI entry point: `flask --app wsgi ...`, `gunicorn wsgi:app`."""
from app import create_app
from app.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:  # one line naming the setting, not a traceback
    raise SystemExit(f"OneTrip configuration error: {exc}") from None
