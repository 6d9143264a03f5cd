"""SQLAlchemy models and pure domain rules; importing this package registers every table."""
from models import catalogue, citizen, staff  # noqa: F401
