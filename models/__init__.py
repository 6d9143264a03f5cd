"""SQLAlchemy models and pure domain rules; importing this package registers every table."""
from models import application, catalogue, citizen, elicense, material, notification, shipment, staff  # noqa: F401
