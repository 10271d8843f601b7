"""A hand-labelled set of consultations at three stations, for cluster precision/recall.

Each entry is (true cluster label or None for "belongs with nothing", station, input
mapping for `fields_from_input`). True clusters: S5's three riders; S4 plus a second
injured rider of the same site; an employer written four ways; a relocation project
seen at two stations; a look-alike summary group (health-product lectures); a timeout
penalty pair; a second employer. Distractors share words, places, platforms or sites
with them, but not the issue — or are outside the time window.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from liaison.demo_data import BAN, RIDER, YUANFANG, scenarios

TODAY = date(2026, 11, 20)  # the demo scenarios are placed relative to this day
_DEMO = dict(zip(("S1", "S2", "S3", "S4", "S5a", "S5b", "S5c", "S6", "S7", "S8", "S9", "S10", "S11", "S12"),
                 scenarios(TODAY), strict=True))


def _r(day: str, category: str, summary: str, **extra: Any) -> dict[str, Any]:
    m = {"visited_at": f"{day}T10:00:00+08:00", "category": category, "summary": summary,
         "visitor": {"name": "测试人", "phone": "13800009999", "consent": True}}
    m.update(extra)
    return m


def _demo(key: str) -> tuple[str, dict[str, Any]]:
    return _DEMO[key]


FIXTURES: list[tuple[str | None, str, dict[str, Any]]] = [
    # --- S5: three riders, same site, same hidden deductions (demo data, verbatim) ------------
    ("S5", *_demo("S5a")), ("S5", *_demo("S5b")), ("S5", *_demo("S5c")),
    # --- S4 and a second injured rider of the same site: a public-interest clue -------------
    ("injury-kj", *_demo("S4")),
    ("injury-kj", RIDER, _r("2026-11-16", "rider", "骑手小冯晚高峰送餐时在路口摔伤手腕，站长说骑手是众包的，受伤自己负责，"
                                                  "医药费三千多元没人管。",
                            details={"platform": "速达外卖", "delivery_site": "控江路站", "issue": "送餐摔伤，医药费无人承担"})),
    # --- one employer, written four ways, at two stations: labour inspection ----------------
    ("wage", *_demo("S2")),
    ("wage", YUANFANG, _r("2026-10-12", "labour", "钢筋工老杨说在工地干了五个月，包工头一直说工程款没到，欠他两万多元工资。",
                          details={"employer": "某建筑劳务有限公司", "workers": 1, "amount_owed": 23000})),
    ("wage", BAN, _r("2026-10-30", "labour", "住在殷行的泥瓦工反映去年在工地打工的工钱至今未结，老板电话打不通。",
                     details={"employer": "某 建筑劳务 有限公司", "workers": 1})),
    ("wage", BAN, _r("2026-11-18", "labour", "工友三人来问，说分包老板欠着他们年底的工资，想知道去哪里投诉。",
                     details={"employer": "某建筑劳务公司。", "workers": 3}, visitor={"name": "王五", "party_size": 3, "consent": True})),
    # --- one relocation project at two stations: a procuratorial suggestion -----------------
    ("reloc-228", *_demo("S1")),
    ("reloc-228", YUANFANG, _r("2026-10-28", "relocation", "老住户对228街坊的评估单价有意见，认为比周边低很多。",
                               details={"project": "228街坊旧改项目", "issue": "评估单价偏低"})),
    ("reloc-228", BAN, _r("2026-11-12", "relocation", "女儿代母亲来问，228街坊动迁后过渡费停发两个月，租房压力大。",
                          details={"project": "228 街坊动迁基地", "issue": "过渡费停发"})),
    ("reloc-228", BAN, _r("2026-11-19", "relocation", "228街坊一户人家兄弟为补偿款分配吵翻，来问怎么分。",
                          details={"project": "228街坊旧改地块", "issue": "家庭内部分配"})),
    # --- look-alike summaries, no shared detail: health-product lectures --------------------
    ("lecture", BAN, _r("2026-11-02", "fraud", "老人被免费领鸡蛋吸引参加所谓健康讲座，被推销高价保健品，花了一万二千元，"
                                               "子女要求退款被拒。")),
    ("lecture", YUANFANG, _r("2026-11-09", "fraud", "老人被免费领鸡蛋吸引参加健康讲座，被推销高价保健品花了八千元，家属要求退款遭拒。")),
    ("lecture", BAN, _r("2026-11-21", "fraud", "又有老人被免费领鸡蛋吸引去听健康讲座，被推销高价保健品，花了五千多元，要求退款被拒绝。")),
    ("lecture", RIDER, _r("2026-11-25", "fraud", "一名骑手替外婆来问：外婆被免费领鸡蛋吸引参加健康讲座，被推销高价保健品花了六千元，要求退款被拒。")),
    # the same matter told tersely: too little text in common, so similarity misses it (honest recall)
    ("lecture", YUANFANG, _r("2026-11-26", "fraud", "外婆听了保健品讲座，买了六千元的保健品，商家不给退。")),
    # --- two riders of another platform and site, timeout penalties -------------------------
    ("timeout-wjc", RIDER, _r("2026-11-03", "rider", "雨天送餐超时被连续罚款，一周扣了三百元，站点不解释。",
                              details={"platform": "闪送达", "delivery_site": "五角场站", "issue": "超时罚款"})),
    ("timeout-wjc", RIDER, _r("2026-11-24", "rider", "系统给的配送时间太短，一个月超时罚了五百多。",
                              details={"platform": "闪送达", "delivery_site": "五角场 站", "issue": "配送超时被罚款"})),
    # --- a second employer (S10 and a colleague): labour inspection -------------------------
    ("property", *_demo("S10")),
    ("property", BAN, _r("2026-11-10", "labour", "小区保安被物业公司辞退，没有补偿，说同一家公司去年也这样辞退过人。",
                         details={"employer": "某物业管理有限公司", "workers": 1})),
    # --- distractors -------------------------------------------------------------------------
    (None, *_demo("S3")),  # same platform as S5, another site; a fine, not a hidden fee
    (None, *_demo("S6")), (None, *_demo("S7")), (None, *_demo("S8")), (None, *_demo("S9")),
    (None, *_demo("S11")), (None, *_demo("S12")),
    (None, RIDER, _r("2026-11-13", "rider", "控江路站骑手账号被平台以异常行为为由封禁，申诉没有回音，收入断了。",
                     details={"platform": "速达外卖", "delivery_site": "控江路站", "issue": "账号被封"})),
    (None, RIDER, _r("2026-11-15", "rider", "控江路站另一家平台的骑手说每月收入明细里有说不清的扣款，问怎么查。",
                     details={"platform": "饭点到", "delivery_site": "控江路站", "issue": "收入明细看不懂"})),
    (None, RIDER, _r("2026-11-17", "rider", "长白站骑手每天被扣三元保险费，受伤后保险公司不认账。",
                     details={"platform": "优跑配送", "delivery_site": "长白站", "issue": "保险扣费"})),
    (None, BAN, _r("2026-11-05", "fraud", "手机里被开通了会员自动续费，每月银行卡被扣款三十元，不知道什么服务费。")),
    (None, BAN, _r("2026-11-06", "neighbour", "228街坊某号楼上卫生间漏水，楼下天花板发霉，邻居不肯修。")),
    (None, YUANFANG, _r("2026-11-07", "labour", "装修工反映某建筑装饰公司拖欠三个月工资约一万元，老板说工程款没结。",
                        details={"employer": "某建筑装饰公司", "workers": 1})),
    (None, YUANFANG, _r("2026-03-02", "labour", "木工反映某建筑劳务公司拖欠春节前的工资，已经讨要多次。",  # outside the window
                        details={"employer": "某建筑劳务公司", "workers": 1})),
    (None, YUANFANG, _r("2026-11-11", "relocation", "305街坊的动迁户认为认定面积少算了阁楼，想申请复核。",
                        details={"project": "305街坊旧改地块", "issue": "认定面积"})),
    (None, YUANFANG, _r("2026-11-14", "relocation", "长白新村城市更新项目的居民对安置房楼层不满意。",
                        details={"project": "长白新村城市更新项目", "issue": "安置房源"})),
    (None, BAN, _r("2026-11-08", "neighbour", "对门在楼道堆放纸板杂物，存在消防隐患，说了也不听。")),
    (None, BAN, _r("2026-11-09", "family", "夫妻闹离婚，对婚后买的房子怎么分有争议。")),
    (None, BAN, _r("2026-11-20", "family", "儿子结婚后不给父母生活费，还住着老人的房子。")),
    (None, YUANFANG, _r("2026-11-16", "administrative", "低保资格被街道取消，认为收入核算有误。")),
    (None, YUANFANG, _r("2026-11-22", "labour", "厨师说某餐饮管理公司长期不付加班费，每天干十二个小时。",
                        details={"employer": "某餐饮管理公司", "workers": 1})),
    (None, RIDER, _r("2026-11-19", "other", "骑手反映小区门口早餐摊用来路不明的油，希望有人管。")),
    (None, BAN, _r("2026-11-23", "fraud", "老人参加社区免费体检后，接到推销电话说要买保健品才能治病，没有买，来问是不是骗局。")),
]
