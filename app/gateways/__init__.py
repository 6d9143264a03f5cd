"""Outside systems behind small protocols: each has a real adapter and a fake for tests."""


class GatewayError(Exception):
    """An outside system did not answer, or answered with an error."""
