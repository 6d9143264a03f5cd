"""SQLAlchemy models and pure domain rules; importing this package registers every table."""
from models import (  # noqa: F401
    application, assistance, catalogue, citizen, datarecord, elicense, evaluation, material, notification, shipment,
    staff,
)
from models import access_log  # noqa: F401  (trust, issue 11)
