"""The secret key kept in var/ when SECRET_KEY is unset (app.config._secret_key): gunicorn's workers
start at once and must all sign with the same, whole key."""
from __future__ import annotations

import multiprocessing
import os

import pytest

from app import config


def _key_in(var_dir: str, start, keys) -> None:
    config.VAR_DIR = type(config.VAR_DIR)(var_dir)
    start.wait()
    keys.put(config._secret_key({}))


def test_workers_starting_at_once_share_one_whole_key(tmp_path):
    context = multiprocessing.get_context("fork")
    for attempt in range(5):
        var = tmp_path / f"var{attempt}"
        start, keys = context.Event(), context.Queue()
        workers = [context.Process(target=_key_in, args=(str(var), start, keys)) for _ in range(6)]
        for worker in workers:
            worker.start()
        start.set()
        found = {keys.get(timeout=20) for _ in workers}
        for worker in workers:
            worker.join(timeout=20)
        assert len(found) == 1 and len(found.pop()) >= 64
        assert [p.name for p in var.iterdir()] == ["secret_key"]  # no file of a worker's own left behind


def test_the_name_never_shows_a_key_being_written(tmp_path, monkeypatch):
    """The old code created var/secret_key empty and wrote the key after: a worker reading between
    the two signed with an empty key."""
    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    seen = []
    link = os.link

    def watched(source, target):
        seen.append(open(source).read())  # what the name will show the moment it exists
        return link(source, target)

    monkeypatch.setattr(config.os, "link", watched)
    key = config._secret_key({})
    assert seen == [key] and (tmp_path / "secret_key").read_text() == key
    assert config._secret_key({}) == key  # kept across restarts


def test_an_empty_key_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(config.ConfigError, match="secret_key is empty"):
        config._secret_key({})
    assert config._secret_key({"SECRET_KEY": "from-the-environment"}) == "from-the-environment"
