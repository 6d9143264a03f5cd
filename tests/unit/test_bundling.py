"""Pure bundle rules: cycles, merged forms, merged materials, parallel promised days."""
from models.bundling import critical_path_days, find_cycle, merge_form, merge_materials


def test_find_cycle():
    assert find_cycle({"a": [], "b": ["a"], "c": ["a", "b"]}) is None
    cycle = find_cycle({"a": ["c"], "b": ["a"], "c": ["b"]})
    assert cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"}
    assert find_cycle({"a": ["a"]}) == ["a", "a"]
    assert find_cycle({"a": ["x"]}) is None  # unknown names are another rule's business


def test_merge_form_asks_once_and_reports_conflicts():
    a = [{"name": "n", "type": "text", "required": False}, {"name": "g", "type": "choice", "options": ["男", "女"]}]
    b = [{"name": "n", "type": "text", "required": True}, {"name": "d", "type": "date", "required": True}]
    merged, conflicts = merge_form([a, b])
    assert [f["name"] for f in merged] == ["n", "g", "d"] and merged[0]["required"] is True
    assert conflicts == []
    _, conflicts = merge_form([a, [{"name": "g", "type": "choice", "options": ["女", "男"]}]])
    assert conflicts == ["g"]
    _, conflicts = merge_form([a, [{"name": "n", "type": "number"}], [{"name": "n", "type": "date"}]])
    assert conflicts == ["n"]


def test_merge_materials():
    def m(code, required=True, commitment=False):
        return {"code": code, "name": code, "elicense_type": None, "formats": ["pdf"], "max_size_mb": 5,
                "required": required, "commitment_allowed": commitment}

    merged = merge_materials([("i1", m("ID", False, True)), ("i2", m("ID", True, True)), ("i2", m("X")),
                              ("i3", m("ID", False, False))])
    by = {x.code: x for x in merged}
    assert list(by) == ["ID", "X"]
    assert by["ID"].required is True and by["ID"].commitment_allowed is False
    assert by["ID"].items == ["i1", "i2", "i3"]


def test_critical_path():
    assert critical_path_days({"a": 5, "b": 3, "c": 1}, {}) == 5
    assert critical_path_days({"a": 5, "b": 3, "c": 1}, {"b": ["a"], "c": ["b"]}) == 9
    assert critical_path_days({}, {}) == 0


def test_only_items_downstream_of_a_producer_skip_its_certificate():
    from models.bundling import produced_upstream, upstream

    deps = {"cert": [], "register": ["cert"], "insure": ["register"], "card": [], "solo": []}
    assert upstream(deps) == {"cert": set(), "register": {"cert"}, "insure": {"cert", "register"},
                              "card": set(), "solo": set()}
    skipped = produced_upstream({"cert": "BIRTH", "register": "HUKOU", "insure": None, "card": "SSCARD",
                                 "solo": None}, deps)
    # the producer keeps its own needs; a parallel item cannot count on a certificate not yet issued
    assert skipped == {"cert": set(), "register": {"BIRTH"}, "insure": {"BIRTH", "HUKOU"}, "card": set(),
                       "solo": set()}
