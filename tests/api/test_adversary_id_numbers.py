"""Adversarial ID numbers, as citizens type or paste them into PATCH /me."""
from __future__ import annotations

import pytest

from tests.helpers import assert_error, login_citizen

LONGYOU = "330825196603150011"  # a 龙游 resident born in 1966 (check digit valid)


@pytest.mark.parametrize("typed", [
    "330825 19660315 0011",          # how many apps and printed forms group the number
    "330825-19660315-0011",
    "３３０８２５　１９６６０３１５　００１１",  # full-width digits and spaces from a Chinese IME
    "330825\u200b196603150011",      # a zero-width space pasted from a web page or PDF
    " 330825196603150011\t",
])
def test_a_number_typed_with_separators_is_the_same_number(client, sms, typed):
    tokens = login_citizen(client, sms)
    answer = client.patch("/api/v1/me", json={"id_number": typed}, headers=tokens["headers"])
    assert answer.status_code == 200, answer.json
    assert answer.json["id_number_masked"] == "3308**********0011"


def test_a_first_generation_number_is_told_apart_from_a_typo(client, sms):
    """15-digit numbers (第一代身份证) have not been valid since 2013; the citizen must be told to
    use the 18-digit one, not that a digit is missing."""
    tokens = login_citizen(client, sms)
    old = client.patch("/api/v1/me", json={"id_number": "330825660315001"}, headers=tokens["headers"])
    message = str(assert_error(old, 422, "validation_failed")["errors"])
    assert "15 位" in message and "18 位" in message
