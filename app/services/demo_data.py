"""The demo catalogue: 龙游县 (330825) with its halls, departments, items and 一件事 bundles, and
柯城区 (330802) with a hall and departments, so that 异地可办 can be seen."""
from __future__ import annotations

from models.staff import Role

REGION = "330825"

DEPARTMENTS = [
    ("RSJ", "龙游县人力资源和社会保障局"),
    ("YBJ", "龙游县医疗保障局"),
    ("GJJ", "衢州市住房公积金中心龙游分中心"),
    ("GAJ", "龙游县公安局"),
    ("WJJ", "龙游县卫生健康局"),
    ("SCJGJ", "龙游县市场监督管理局"),
    ("SWJ", "国家税务总局龙游县税务局"),
    ("MZJ", "龙游县民政局"),
]

HALLS = [
    ("LY-ZWFW", "龙游县政务服务中心", "county", "浙江省衢州市龙游县龙洲街道荣昌路 88 号", "工作日 8:30-12:00, 13:30-17:30；周六上午 9:00-12:00"),
    ("LY-DHJD", "东华街道便民服务中心", "township", "龙游县东华街道兴龙路 27 号", "工作日 8:30-12:00, 14:00-17:00"),
    ("LY-HZZ", "湖镇镇便民服务中心", "township", "龙游县湖镇镇湖镇大道 106 号", "工作日 8:30-12:00, 14:00-17:00"),
    ("LY-DHJD-ZJB", "东华街道张家埠村代办点", "village", "龙游县东华街道张家埠村文化礼堂一楼", "工作日 9:00-11:30, 14:00-16:30"),
    ("LY-HZZ-XK", "湖镇镇下库村代办点", "village", "龙游县湖镇镇下库村村委会", "工作日 9:00-11:30, 14:00-16:30"),
]

CARRIERS = [("EMS", "中国邮政速递物流", "11183")]

ELICENSE_TYPES = [
    ("ID_CARD", "居民身份证", "公安机关", 20),
    ("HUKOU", "居民户口簿", "公安机关", None),
    ("MARRIAGE", "结婚证", "民政部门", None),
    ("BIRTH_CERT", "出生医学证明", "卫生健康部门", None),
    ("BUSINESS_LICENSE", "营业执照", "市场监督管理部门", None),
    ("PROPERTY_CERT", "不动产权证书", "自然资源部门", None),
    ("SSCARD", "社会保障卡", "人力资源和社会保障部门", 10),
    ("DRIVER_LICENSE", "机动车驾驶证", "公安机关交通管理部门", 6),
    ("SEAL_FILING", "印章备案证明", "公安机关", None),
]

# code, name, e-license type that fills it, formats, max MB
MATERIALS = [
    ("ID_CARD", "申请人居民身份证", "ID_CARD", ["jpg", "png", "pdf"], 5),
    ("HUKOU", "居民户口簿（户主页及本人页）", "HUKOU", ["jpg", "png", "pdf"], 10),
    ("MARRIAGE_CERT", "结婚证", "MARRIAGE", ["jpg", "png", "pdf"], 5),
    ("BIRTH_CERT", "出生医学证明", "BIRTH_CERT", ["jpg", "png", "pdf"], 5),
    ("BUSINESS_LICENSE", "营业执照", "BUSINESS_LICENSE", ["jpg", "png", "pdf"], 5),
    ("PREMISES", "住所（经营场所）使用证明", "PROPERTY_CERT", ["jpg", "png", "pdf"], 10),
    ("PARENTS_ID", "父母双方居民身份证", None, ["jpg", "png", "pdf"], 10),
    ("BIRTH_RECORD", "医疗机构分娩记录", None, ["jpg", "png", "pdf"], 10),
    ("BANK_CARD", "本人社会保障卡或银行账户信息", "SSCARD", ["jpg", "png", "pdf"], 5),
    ("PHOTO", "近期免冠白底证件照", None, ["jpg", "png"], 2),
    ("RETIRE_APPROVAL", "职工退休审批表", None, ["jpg", "png", "pdf"], 10),
    ("ARTICLES", "公司章程", None, ["pdf"], 20),
    ("LEGAL_REP_ID", "法定代表人身份证明", "ID_CARD", ["jpg", "png", "pdf"], 5),
    ("SEAL_SPECIMEN", "印章印模及刻制申请表", None, ["jpg", "png", "pdf"], 5),
    ("TENANCY", "房屋租赁合同", None, ["pdf", "jpg", "png"], 20),
    ("UNEMPLOYMENT_PROOF", "解除或终止劳动合同证明", None, ["jpg", "png", "pdf"], 10),
]

# --- promises kept (issue 14): 无证明 — materials the government's own data proves ---
# material code -> data-source kind (app/gateways/datasource.KINDS); the embedded source answers
# for the demo people of app/services/demo_people.py.
DATA_CHECKS = {
    "ID_CARD": "population",          # 人口库: the resident ID itself
    "HUKOU": "household",             # 户籍库 instead of the household register's pages
    "MARRIAGE_CERT": "marriage",      # 婚姻登记库 instead of the certificate
    "BANK_CARD": "social_insurance",  # 社保库: the social security card account pays the pension
}
# --- end promises kept ---


def _f(name, label, type_="text", required=True, options=None):
    return {"name": name, "label": label, "type": type_, "required": required, "options": options}


APPLICANT = [_f("applicant_name", "申请人姓名"), _f("applicant_id_number", "申请人身份证号", "id_number"),
             _f("contact_phone", "联系电话", "phone")]
GENDER = ["男", "女"]
BABY = [_f("baby_name", "新生儿姓名"), _f("baby_gender", "新生儿性别", "choice", options=GENDER),
        _f("birth_date", "出生日期", "date"), _f("mother_name", "母亲姓名"),
        _f("mother_id_number", "母亲身份证号", "id_number"), _f("father_name", "父亲姓名"),
        _f("father_id_number", "父亲身份证号", "id_number"), _f("contact_phone", "联系电话", "phone")]
COMPANY = [_f("company_name", "企业名称"), _f("legal_rep_name", "法定代表人姓名"),
           _f("legal_rep_id_number", "法定代表人身份证号", "id_number"), _f("contact_phone", "联系电话", "phone")]
ALL_LEVELS = ["county", "township", "village"]
STEPS = ["网上申请或窗口提交", "综合窗口受理", "部门审核", "办结并寄送或窗口领取"]


def _m(code, required=True, commitment_allowed=False):
    return {"code": code, "required": required, "commitment_allowed": commitment_allowed}


def _item(code, department, main, sub, basis, statutory, promised, *, materials, form, result=None,
          life_event=None, mobile=True, max_visits=0, levels=ALL_LEVELS, fee="不收费",
          delivery=("window", "post"), internal=("受理", "审核", "决定")):
    return {"code": code, "department": department, "main_name": main, "sub_name": sub,
            "legal_basis": basis, "statutory_days": statutory, "promised_days": promised,
            "max_visits": max_visits, "mobile": mobile, "delivery_options": list(delivery), "fee": fee,
            "result_elicense_type": result, "life_event": life_event, "steps": STEPS,
            "internal_steps": list(internal), "form": form, "materials": materials,
            "hall_levels": list(levels)}


ITEMS = [
    _item("RSJ-YLJ-001", "RSJ", "基本养老保险待遇申领", "企业职工基本养老金申领",
          "《中华人民共和国社会保险法》第十六条；《国务院关于建立统一的企业职工基本养老保险制度的决定》",
          20, 5, life_event="retirement",
          materials=[_m("ID_CARD"), _m("BANK_CARD", commitment_allowed=True),
                     _m("RETIRE_APPROVAL", commitment_allowed=True)],  # 容缺 in 退休一件事: every item allows it
          form=APPLICANT + [_f("retire_date", "退休日期", "date"), _f("bank_account", "养老金发放账号")]),
    _item("YBJ-DYBG-001", "YBJ", "职工医保待遇变更", "职工基本医疗保险退休人员待遇变更",
          "《中华人民共和国社会保险法》第二十七条", 20, 3, life_event="retirement",
          materials=[_m("ID_CARD"), _m("RETIRE_APPROVAL", commitment_allowed=True)],
          form=APPLICANT + [_f("retire_date", "退休日期", "date")]),
    _item("GJJ-TQ-001", "GJJ", "住房公积金提取", "离休、退休提取住房公积金",
          "《住房公积金管理条例》第二十四条第一款第（一）项", 3, 1, life_event="retirement",
          materials=[_m("ID_CARD"), _m("BANK_CARD"), _m("RETIRE_APPROVAL", commitment_allowed=True)],
          form=APPLICANT + [_f("retire_date", "退休日期", "date"), _f("bank_account", "养老金发放账号")]),
    _item("GJJ-ZFTQ-001", "GJJ", "住房公积金提取", "租赁住房提取住房公积金",
          "《住房公积金管理条例》第二十四条第一款第（四）项", 3, 1, life_event="housing",
          materials=[_m("ID_CARD"), _m("TENANCY"), _m("BANK_CARD")],
          form=APPLICANT + [_f("monthly_rent", "月租金（元）", "number"), _f("bank_account", "收款账号")]),
    _item("WJJ-CSZM-001", "WJJ", "出生医学证明签发", "出生医学证明首次签发",
          "《中华人民共和国母婴保健法》第二十三条", 20, 5, life_event="birth", result="BIRTH_CERT",
          materials=[_m("PARENTS_ID"), _m("BIRTH_RECORD"), _m("MARRIAGE_CERT", required=False)],
          form=BABY + [_f("birth_hospital", "出生医院")]),
    _item("GAJ-CSDJ-001", "GAJ", "户口登记", "出生登记",
          "《中华人民共和国户口登记条例》第七条", 30, 5, life_event="birth", result="HUKOU",
          materials=[_m("BIRTH_CERT"), _m("HUKOU"), _m("PARENTS_ID"), _m("MARRIAGE_CERT", required=False)],
          form=BABY + [_f("household_address", "落户地址")], levels=["county", "township"]),
    _item("YBJ-JMCB-001", "YBJ", "城乡居民基本医疗保险参保登记", "新生儿参保登记",
          "《中华人民共和国社会保险法》第二十五条", 5, 1, life_event="birth",
          materials=[_m("BIRTH_CERT"), _m("HUKOU", commitment_allowed=True)], form=BABY),
    _item("RSJ-SBK-001", "RSJ", "社会保障卡申领", "社会保障卡首次申领",
          "《社会保障卡管理办法》", 20, 5, life_event="birth", result="SSCARD",
          materials=[_m("BIRTH_CERT"), _m("PHOTO", required=False)], form=BABY),
    _item("SCJGJ-YYZZ-001", "SCJGJ", "公司设立登记", "有限责任公司设立登记",
          "《中华人民共和国公司法》第二十九条；《中华人民共和国市场主体登记管理条例》", 15, 1,
          life_event="business", result="BUSINESS_LICENSE",
          materials=[_m("LEGAL_REP_ID"), _m("ARTICLES"), _m("PREMISES", commitment_allowed=True)],
          form=COMPANY + [_f("company_type", "企业类型", "choice", options=["有限责任公司", "股份有限公司"]),
                          _f("registered_capital", "注册资本（万元）", "number"),
                          _f("business_scope", "经营范围"), _f("company_address", "住所")],
          levels=["county"]),
    _item("GAJ-GZKZ-001", "GAJ", "印章刻制备案", "企业新刻公章备案",
          "《印铸刻字业暨印章刻制管理办法》；《浙江省印章刻制治安管理办法》", 5, 1, life_event="business",
          result="SEAL_FILING", materials=[_m("BUSINESS_LICENSE"), _m("LEGAL_REP_ID"), _m("SEAL_SPECIMEN")],
          form=COMPANY, fee="公章刻制费用由政府买单", levels=["county"]),
    _item("SWJ-FPSL-001", "SWJ", "发票领用", "新办纳税人首次申领发票",
          "《中华人民共和国发票管理办法》第十五条", 5, 1, life_event="business",
          materials=[_m("BUSINESS_LICENSE"), _m("LEGAL_REP_ID")],
          form=COMPANY + [_f("invoice_type", "发票种类", "choice", options=["数电普票", "数电专票"])],
          levels=["county"]),
    _item("RSJ-SBDJ-001", "RSJ", "社会保险登记", "用人单位社会保险登记",
          "《中华人民共和国社会保险法》第五十七条", 15, 1, life_event="business",
          materials=[_m("BUSINESS_LICENSE")],
          form=COMPANY + [_f("employee_count", "参保职工人数", "number")], levels=["county"]),
    _item("GAJ-SFZ-001", "GAJ", "居民身份证申领", "居民身份证换领",
          "《中华人民共和国居民身份证法》第十一条", 60, 20, result="ID_CARD", mobile=False, max_visits=1,
          materials=[_m("ID_CARD"), _m("HUKOU")], form=APPLICANT, fee="20 元",
          levels=["county", "township"]),
    _item("MZJ-HYDJ-001", "MZJ", "婚姻登记", "内地居民结婚登记",
          "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》", 1, 0, result="MARRIAGE",
          mobile=False, max_visits=1, life_event="marriage", delivery=("window",),
          materials=[_m("ID_CARD"), _m("HUKOU"), _m("PHOTO")],
          form=APPLICANT + [_f("spouse_name", "配偶姓名"), _f("spouse_id_number", "配偶身份证号", "id_number")],
          levels=["county"]),
    _item("RSJ-SYJ-001", "RSJ", "失业保险金申领", "失业保险金申领",
          "《失业保险条例》第十四条", 10, 3, life_event="unemployment",
          materials=[_m("ID_CARD"), _m("UNEMPLOYMENT_PROOF"), _m("BANK_CARD")],
          form=APPLICANT + [_f("bank_account", "收款账号")]),
    _item("WJJ-SYDJ-001", "WJJ", "生育登记", "生育登记服务",
          "《浙江省人口与计划生育条例》", 1, 0, life_event="birth",
          materials=[_m("PARENTS_ID"), _m("MARRIAGE_CERT", required=False)],
          form=[_f("mother_name", "母亲姓名"), _f("mother_id_number", "母亲身份证号", "id_number"),
                _f("father_name", "父亲姓名"), _f("father_id_number", "父亲身份证号", "id_number"),
                _f("contact_phone", "联系电话", "phone")]),
]

BUNDLES = [
    {"code": "RETIRE", "name": "退休一件事", "life_event": "retirement",
     "description": "养老金申领、医保待遇变更、公积金退休提取，一次申请、并联办理。",
     "items": [{"code": "RSJ-YLJ-001", "depends_on": []}, {"code": "YBJ-DYBG-001", "depends_on": []},
               {"code": "GJJ-TQ-001", "depends_on": []}]},
    {"code": "BIRTH", "name": "新生儿出生一件事", "life_event": "birth",
     "description": "出生医学证明、出生登记（落户）、居民医保参保、社保卡申领，一表申请。",
     "items": [{"code": "WJJ-CSZM-001", "depends_on": []},
               {"code": "GAJ-CSDJ-001", "depends_on": ["WJJ-CSZM-001"]},
               # 参保 needs the baby's 户口 and 社保卡 the 出生医学证明: each waits for the item that
               # issues what it needs, so the citizen is never asked for a certificate not yet issued.
               {"code": "YBJ-JMCB-001", "depends_on": ["GAJ-CSDJ-001"]},
               {"code": "RSJ-SBK-001", "depends_on": ["WJJ-CSZM-001"]}]},
    {"code": "BUSINESS", "name": "开办企业一件事", "life_event": "business",
     "description": "营业执照、公章刻制、发票申领、社保登记，一日办结。",
     "items": [{"code": "SCJGJ-YYZZ-001", "depends_on": []},
               {"code": "GAJ-GZKZ-001", "depends_on": ["SCJGJ-YYZZ-001"]},
               {"code": "SWJ-FPSL-001", "depends_on": ["SCJGJ-YYZZ-001"]},
               {"code": "RSJ-SBDJ-001", "depends_on": ["SCJGJ-YYZZ-001"]}]},
]

# username, password, role, binding (--hall / --department / --carrier / --region), display name
STAFF = [
    ("admin", "Admin#2026", Role.admin, {}, "系统管理员"),
    ("supervisor", "Super#2026", Role.supervisor, {"region_code": REGION}, "县跑改办"),
    ("clerk", "Clerk#2026", Role.clerk, {"hall_code": "LY-ZWFW"}, "综合窗口 1 号"),
    ("clerk-dh", "Clerk#2026", Role.clerk, {"hall_code": "LY-DHJD"}, "东华街道综合窗口"),
    ("courier", "Courier#2026", Role.courier, {"carrier_code": "EMS"}, "EMS 龙游揽投员"),
] + [(f"reviewer-{code.lower()}", "Review#2026", Role.reviewer, {"department_code": code}, f"{name}审批科")
     for code, name in DEPARTMENTS]


# --- Help at every door (issue 13): a village-point clerk, and a second county for 异地可办 ---
# Items a hall of another region may accept (跨域通办: social insurance, medical insurance, housing
# fund, birth registration services); each sub-case still goes to the competent region's department.
CROSS_REGION_ITEMS = {"RSJ-YLJ-001", "YBJ-DYBG-001", "GJJ-TQ-001", "GJJ-ZFTQ-001", "RSJ-SBK-001", "RSJ-SYJ-001",
                      "WJJ-SYDJ-001"}
for _entry in ITEMS:
    _entry["cross_region"] = _entry["code"] in CROSS_REGION_ITEMS

KC_REGION = "330802"  # 衢州市柯城区
# code, category (the job it shares with 龙游's department of that code), name
KC_DEPARTMENTS = [
    ("KC-RSJ", "RSJ", "衢州市柯城区人力资源和社会保障局"),
    ("KC-YBJ", "YBJ", "衢州市柯城区医疗保障局"),
    ("KC-GJJ", "GJJ", "衢州市住房公积金中心柯城分中心"),
    ("KC-WJJ", "WJJ", "衢州市柯城区卫生健康局"),
]
KC_HALLS = [
    ("KC-ZWFW", "柯城区政务服务中心", "county", "浙江省衢州市柯城区花园街道新元路 18 号",
     "工作日 8:30-12:00, 13:30-17:30"),
]
STAFF += [
    ("clerk-zjb", "Clerk#2026", Role.clerk, {"hall_code": "LY-DHJD-ZJB"}, "张家埠村代办员"),
    ("clerk-kc", "Clerk#2026", Role.clerk, {"hall_code": "KC-ZWFW"}, "柯城综合窗口"),
    ("reviewer-kc-rsj", "Review#2026", Role.reviewer, {"department_code": "KC-RSJ"}, "柯城区人社局审批科"),
]
# --- end help at every door ---
