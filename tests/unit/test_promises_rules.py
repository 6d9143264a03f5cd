"""Pure rules behind the promises kept: regions one level up, what a data record proves."""
from __future__ import annotations

import pytest

from app.services.datacheck import _proves, _verdicts
from models.catalogue import parent_region
from tests.fakes import FakeDataSource

ID = "330825196809070025"


@pytest.mark.parametrize("code, parent", [("330825", "330800"), ("330800", "330000"), ("330000", None),
                                          ("110105", "110100"), ("810000", None)])
def test_parent_region(code, parent):
    assert parent_region(code) == parent


def test_what_a_record_proves():
    assert _proves("marriage", {"status": "married"}) is None
    assert "已婚" in _proves("marriage", {"status": "divorced"})
    assert _proves("social_insurance", {"insured": True}) is None
    assert "参保" in _proves("social_insurance", {"insured": False})
    assert _proves("household", {"householder": "x"}) is None


def test_verdicts_are_bound_to_the_person():
    source = FakeDataSource()
    assert set(_verdicts(source, {"household"}, ID, "李秀英").values()) == {"人口库中没有您的记录，请上传"}
    source.put("population", ID, {"name": "李秀英"})
    source.put("household", ID, {"householder": "王建国"})
    assert _verdicts(source, {"household", "marriage", "population"}, ID, "李秀英") == {
        "household": None, "population": None, "marriage": "婚姻登记库中没有您的记录，请上传"}
    assert all("不一致" in v for v in _verdicts(source, {"household"}, ID, "别人").values())
    source.down = True
    assert all("暂时无法查询" in v for v in _verdicts(source, {"household"}, ID, "李秀英").values())
