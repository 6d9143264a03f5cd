"""SQLAlchemy models and pure domain rules; importing this package registers every table."""
from models import (  # noqa: F401
    application, assistance, calendar, catalogue, citizen, datarecord, elicense, evaluation, idempotency, material,
    notification, numbering, shipment, staff,
)
from models import access_log  # noqa: F401  (trust, issue 11)
