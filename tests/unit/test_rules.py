"""Pure rules: regions, role bindings, phone and ID validation, masking, field encryption, config."""
import pytest

from app.config import ConfigError, load_config
from app.crypto import FieldCipher, mask_id_number, mask_phone
from models.validation import normalize_id_number, normalize_mobile
from models.catalogue import region_covers, region_prefix
from models.staff import binding_problems


def test_region_prefix():
    assert region_prefix("330000") == "33"
    assert region_prefix("330800") == "3308"
    assert region_prefix("330825") == "330825"
    assert region_prefix("100000") == "10"
    assert region_covers("330800", "330825") and not region_covers("330802", "330825")


def test_role_bindings():
    assert binding_problems("clerk", hall=1, department=None, carrier=None, region=None) == {}
    assert set(binding_problems("clerk", hall=None, department=1, carrier=None, region=None)) == {"hall", "department"}
    assert binding_problems("admin", hall=None, department=None, carrier=None, region=None) == {}
    assert "region" in binding_problems("supervisor", hall=None, department=None, carrier=None, region=None)


@pytest.mark.parametrize("raw", ["13800138000", "+8613800138000", "138 0013 8000", "+86 138-0013-8000"])
def test_mobile_normalised(raw):
    assert normalize_mobile(raw) == "13800138000"


@pytest.mark.parametrize("raw", ["", "12345", "02812345678", "+14155552671", "1380013800a", "23800138000"])
def test_mobile_refused(raw):
    with pytest.raises(ValueError):
        normalize_mobile(raw)


def test_id_numbers():
    assert normalize_id_number(" 11010519491231002x ") == "11010519491231002X"
    for bad, reason in (("11010519491231002", "18"), ("110105194912310021", "校验位"),
                        ("110105194913310021", "身份证")):
        with pytest.raises(ValueError, match=reason):
            normalize_id_number(bad)


def test_masks():
    assert mask_id_number("330102199001011234") == "3301**********1234"
    assert mask_phone("13800000000") == "138****0000"
    assert mask_id_number(None) is None and mask_phone(None) is None


def test_field_cipher():
    cipher = FieldCipher(b"k" * 32)
    blob = cipher.encrypt("11010519491231002X", context="citizens.id_number")
    assert b"1949" not in blob
    assert cipher.encrypt("11010519491231002X", context="citizens.id_number") != blob  # random nonce
    assert cipher.decrypt(blob, context="citizens.id_number") == "11010519491231002X"
    with pytest.raises(Exception):
        cipher.decrypt(blob, context="other.column")
    with pytest.raises(Exception):
        FieldCipher(b"j" * 32).decrypt(blob, context="citizens.id_number")
    h = cipher.lookup_hash("11010519491231002X", context="c")
    assert h == cipher.lookup_hash("11010519491231002X", context="c") != FieldCipher(b"j" * 32).lookup_hash(
        "11010519491231002X", context="c")


def test_config_from_environment(tmp_path, monkeypatch):
    monkeypatch.setattr("app.config.VAR_DIR", tmp_path)
    cfg = load_config({"DATABASE_URL": "postgresql+psycopg://x/y", "CARRIER_WEBHOOK_SECRETS": "EMS=s1, SF=s2",
                       "REDIS_URL": "redis://127.0.0.1:6379/0", "OBJECT_STORE": "s3://b"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://x/y"
    assert cfg["CARRIER_WEBHOOK_SECRETS"] == {"EMS": "s1", "SF": "s2"}
    assert cfg["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    defaults = load_config({})
    assert defaults["OBJECT_STORE"].startswith("local:") and defaults["RATELIMIT_STORAGE_URI"] == "memory://"
    assert defaults["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    # The generated secret key survives a restart.
    assert load_config({})["SECRET_KEY"] == defaults["SECRET_KEY"]
    for bad in ({"CARRIER_WEBHOOK_SECRETS": "EMS"}, {"ACCESS_TOKEN_MINUTES": "soon"},
                {"ID_ENCRYPTION_KEY": "c2hvcnQ"}):
        with pytest.raises(ConfigError):
            load_config(bad)
