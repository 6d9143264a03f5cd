"""The demo data source's people: what the population, household, marriage and social-insurance
records say about them (the embedded adapter answers from these; production asks DATA_SOURCE_URL)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.gateways.datasource import put_record
from app.services.unit_of_work import transaction

WANG, LI = "330825196504120036", "330825196809070025"  # 王建国 retiring, married to 李秀英
ZHAO, SUN = "330825199203180012", "330825199406250025"  # 赵磊 and 孙丽, new parents
CHEN = "330825198801010019"  # 陈晓明, unmarried, insured
ZHOU = "330802197505200038"  # 周文, registered in 柯城区 (330802)

LY_ADDRESS = "浙江省衢州市龙游县龙洲街道荣昌路 12 号"

# id_number -> {kind: payload}
PEOPLE: dict[str, dict[str, dict]] = {
    WANG: {
        "population": {"name": "王建国", "gender": "男", "birth_date": "1965-04-12"},
        "household": {"householder": "王建国", "address": LY_ADDRESS, "region_code": "330825",
                      "members": [{"name": "王建国", "relation": "户主"}, {"name": "李秀英", "relation": "配偶"}]},
        "marriage": {"status": "married", "spouse_name": "李秀英", "spouse_id_number": LI,
                     "registered_on": "1989-10-01"},
        "social_insurance": {"insured": True, "region_code": "330825", "since": "1985-07"},
    },
    LI: {
        "population": {"name": "李秀英", "gender": "女", "birth_date": "1968-09-07"},
        "household": {"householder": "王建国", "address": LY_ADDRESS, "region_code": "330825",
                      "members": [{"name": "王建国", "relation": "户主"}, {"name": "李秀英", "relation": "配偶"}]},
        "marriage": {"status": "married", "spouse_name": "王建国", "spouse_id_number": WANG,
                     "registered_on": "1989-10-01"},
        "social_insurance": {"insured": True, "region_code": "330825", "since": "1988-03"},
    },
    ZHAO: {
        "population": {"name": "赵磊", "gender": "男", "birth_date": "1992-03-18"},
        "household": {"householder": "赵磊", "address": "龙游县东华街道兴龙路 45 号", "region_code": "330825",
                      "members": [{"name": "赵磊", "relation": "户主"}, {"name": "孙丽", "relation": "配偶"}]},
        "marriage": {"status": "married", "spouse_name": "孙丽", "spouse_id_number": SUN,
                     "registered_on": "2021-05-20"},
        "social_insurance": {"insured": True, "region_code": "330825", "since": "2014-09"},
    },
    SUN: {
        "population": {"name": "孙丽", "gender": "女", "birth_date": "1994-06-25"},
        "household": {"householder": "赵磊", "address": "龙游县东华街道兴龙路 45 号", "region_code": "330825",
                      "members": [{"name": "赵磊", "relation": "户主"}, {"name": "孙丽", "relation": "配偶"}]},
        "marriage": {"status": "married", "spouse_name": "赵磊", "spouse_id_number": ZHAO,
                     "registered_on": "2021-05-20"},
        "social_insurance": {"insured": True, "region_code": "330825", "since": "2016-07"},
    },
    CHEN: {
        "population": {"name": "陈晓明", "gender": "男", "birth_date": "1988-01-01"},
        "household": {"householder": "陈晓明", "address": "龙游县湖镇镇湖镇大道 8 号", "region_code": "330825",
                      "members": [{"name": "陈晓明", "relation": "户主"}]},
        "marriage": {"status": "unmarried"},
        "social_insurance": {"insured": True, "region_code": "330825", "since": "2010-08"},
    },
    ZHOU: {
        "population": {"name": "周文", "gender": "男", "birth_date": "1975-05-20"},
        "household": {"householder": "周文", "address": "浙江省衢州市柯城区府山街道 3 号", "region_code": "330802",
                      "members": [{"name": "周文", "relation": "户主"}]},
        "marriage": {"status": "divorced"},
        "social_insurance": {"insured": False, "region_code": "330802", "since": None},
    },
}


def seed_people(*, session: Session, cipher) -> int:
    """Upsert every demo person's records into the embedded data source; returns the record count."""
    with transaction(session):
        count = 0
        for id_number, records in PEOPLE.items():
            for kind, payload in records.items():
                put_record(session, cipher, kind, id_number, payload)
                count += 1
        return count


# phone, profile name, ID number: 赵磊's profile matches the population register (verified when
# seeded, as a phone's profile is); 陈小明 typed his name as the register does not have it (陈晓明),
# so he stays unverified — he may submit, but no reviewer can approve his case until a clerk sees
# his card or he corrects the name.
CITIZENS = [("13900000001", "赵磊", ZHAO), ("13900000002", "陈小明", CHEN)]


def seed_citizens(*, session: Session, cipher, now) -> int:
    """Demo citizens with profiles, verified against the embedded data source where it agrees."""
    from sqlalchemy import select

    with transaction(session):
        from app.gateways.datasource import EmbeddedDataSource
        from app.services.accounts import ID_CONTEXT
        from app.services.real_name import record_population_check
        from models.citizen import Citizen

        created = 0
        source = EmbeddedDataSource(lambda: session, cipher)
        for phone, name, id_number in CITIZENS:
            if session.scalars(select(Citizen.id).where(Citizen.phone == phone)).first() is not None:
                continue
            citizen = Citizen(phone=phone, name=name, id_number_cipher=cipher.encrypt(id_number, context=ID_CONTEXT),
                              id_number_hash=cipher.lookup_hash(id_number, context=ID_CONTEXT))
            session.add(citizen)
            session.flush()
            record_population_check(session, source, citizen, id_number, now)
            created += 1
        return created
