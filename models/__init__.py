"""SQLAlchemy models and pure domain rules; importing this package registers every table."""
from models import (  # noqa: F401
    application, assistance, catalogue, citizen, datarecord, elicense, evaluation, material, notification, shipment,
    staff,
)
