"""Pure rules: regions, role bindings, phone and ID validation, masking, field encryption, config."""
from datetime import date

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


def _with_check_digit(first17: str) -> str:
    from stdnum.cn import ric

    return first17 + ric.calc_check_digit(first17 + "0")


# Real-shaped numbers: region codes of several provinces and eras, birth dates across a century.
VALID_IDS = [
    *(_with_check_digit(f"330825{year}0315{seq:03d}") for year, seq in  # 龙游县 (code from 1985)
      ((1950, 1), (1958, 12), (1962, 21), (1966, 1), (1975, 33), (1984, 102), (1985, 7), (2003, 40))),
    "11010519491231002X",  # 北京朝阳, X check digit
    _with_check_digit("31010419380705123"),  # 上海徐汇, born before the 1949 codes
    _with_check_digit("44030519920229456"),  # 深圳南山, 29 February
    _with_check_digit("51010719770808789"),  # 成都武侯
    _with_check_digit("65010219691001234"),  # 乌鲁木齐天山
    _with_check_digit("33082119600101003"),  # 衢县: abolished in 2001, its numbers stay valid
    _with_check_digit("33080219610601002"),  # 柯城区
    _with_check_digit("81000019800101001"),  # 港澳台居民居住证: Hong Kong
    _with_check_digit("82000019951212002"),  # Macao
    _with_check_digit("83000019880808003"),  # Taiwan
]


@pytest.mark.parametrize("number", VALID_IDS)
def test_real_id_numbers_pass(number):
    assert normalize_id_number(number.lower(), today=date(2026, 11, 24)) == number


def test_the_1962_longyou_resident_from_the_field():
    assert normalize_id_number("330825196603150011") == "330825196603150011"


@pytest.mark.parametrize("bad, reason", [
    ("11010519491231002", "应为 18 位"),
    ("1101051949123100211", "应为 18 位"),
    ("11010519491231002A", "格式不正确"),
    ("1101051949123A0021", "格式不正确"),
    ("110105194912310021", "校验位"),
    (_with_check_digit("11010519491331002"), "出生日期"),  # month 13
    (_with_check_digit("11010519490230002"), "出生日期"),  # 30 February
    (_with_check_digit("11010518991231002"), "出生日期"),  # before 1900
    (_with_check_digit("11010520301231002"), "出生日期"),  # in the future
    (_with_check_digit("33999919700101003"), "地区码"),  # a code that never existed
    (_with_check_digit("84000019700101003"), "地区码"),
])
def test_wrong_parts_are_named(bad, reason):
    with pytest.raises(ValueError, match=reason):
        normalize_id_number(bad, today=date(2026, 11, 24))


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
    assert defaults["LOG_FORMAT"] == "json" and defaults["MAX_HEADER_BYTES"] == 16384
    assert defaults["OBJECT_STORE"].startswith("local:") and defaults["RATELIMIT_STORAGE_URI"] == "memory://"
    assert defaults["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert (defaults["NORMALISE_CONCURRENCY"], defaults["NORMALISE_WAIT_SECONDS"]) == (2, 10)
    assert load_config({"NORMALISE_CONCURRENCY": "4"})["NORMALISE_CONCURRENCY"] == 4
    # The generated secret key survives a restart.
    assert load_config({})["SECRET_KEY"] == defaults["SECRET_KEY"]
    for bad in ({"CARRIER_WEBHOOK_SECRETS": "EMS"}, {"ACCESS_TOKEN_MINUTES": "soon"},
                {"ID_ENCRYPTION_KEY": "c2hvcnQ"}, {"NORMALISE_CONCURRENCY": "0"},
                {"NORMALISE_WAIT_SECONDS": "-1"}, {"LOG_FORMAT": "xml"}, {"MAX_HEADER_BYTES": "big"},
                # The settings tests/api/test_adversary_startup.py starts a process with.
                {"CORS_ORIGINS": "h5.example.gov.cn"}, {"OBJECT_STORE": "ftp://files.example"},
                {"S3_ENDPOINT_URL": "not a url"}, {"ACCESS_TOKEN_MINUTES": "thirty"}):
        with pytest.raises(ConfigError):
            load_config(bad)


def test_staff_passwords_are_hashed_at_full_cost_outside_tests(tmp_path, monkeypatch):
    """The suite hashes cheaply (tests/conftest.py); production keeps werkzeug's scrypt at N=2^15,
    whatever the environment says, and refuses a cheaper method unless TESTING."""
    from app import create_app
    from app.crypto import PASSWORD_HASH_METHOD, Passwords

    monkeypatch.setattr("app.config.VAR_DIR", tmp_path)
    assert PASSWORD_HASH_METHOD == "scrypt:32768:8:1"
    assert load_config({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})["PASSWORD_HASH_METHOD"] == PASSWORD_HASH_METHOD
    production = {"SECRET_KEY": "k" * 32, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}",
                  "OBJECT_STORE": f"local:{tmp_path / 'objects'}"}
    passwords = create_app(production).extensions["onetrip"].passwords
    assert passwords.method == PASSWORD_HASH_METHOD
    hashed = passwords.hash("Clerk#2026")
    assert hashed.startswith("scrypt:32768:8:1$") and passwords.check(hashed, "Clerk#2026")
    assert not passwords.check(hashed, "Clerk#2027")
    with pytest.raises(ConfigError, match="only under TESTING"):
        create_app({**production, "PASSWORD_HASH_METHOD": "scrypt:128:8:1"})
    cheap = create_app({**production, "TESTING": True, "PASSWORD_HASH_METHOD": "scrypt:128:8:1"})
    assert cheap.extensions["onetrip"].passwords.hash("x").startswith("scrypt:128:8:1$")
    # A hash of either cost is checked by the cost it names: changing the method locks no one out.
    assert Passwords("scrypt:128:8:1").check(hashed, "Clerk#2026")
