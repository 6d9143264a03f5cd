"""Use cases: Flask-free, keyword-only dependencies, one transaction each."""
