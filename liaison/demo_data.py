"""The demo data set: the twelve walk-in scenarios S1–S12 of docs/scenarios as input mappings.

Pure data: `scenarios(today)` returns (station id, mapping) pairs, each accepted by
`liaison.domain.intake.fields_from_input`. Visit times lie in the three weeks before
`today`, and follow-up dates are placed so the demo shows both overdue and upcoming
follow-ups. Every name and phone number is invented.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

DEFAULT_STATION = "fengqiao-yuanfang"
# The demo's officers share one PIN, shown on the demo's unlock screen (meta "demo").
# Fictional data only: a real station's PINs are chosen at `liaison init`.
DEMO_PIN = "demo-2468"

# Asia/Shanghai has had no daylight saving since 1991: a fixed +08:00 is exact.
_CST = timezone(timedelta(hours=8))

YUANFANG = "fengqiao-yuanfang"
BAN = "fengqiao-ban"
RIDER = "rider-friendly"

DEMO_OFFICERS: dict[str, str] = {
    YUANFANG: "王检察官",
    BAN: "李检察官",
    RIDER: "赵检察官",
}

# 枫桥远坊 meets in the community room every two weeks: two sessions in the window.
_SESSION_1 = 19  # days before today
_SESSION_2 = 5

# The scenario each entry of `scenarios()` stands for (S5 is three visits).
SCENARIO_IDS: tuple[str, ...] = ("S1", "S2", "S3", "S4", "S5", "S5", "S5", "S6", "S7", "S8", "S9", "S10", "S11", "S12")


def _at(today: date, days_ago: int, hh: int, mm: int) -> str:
    """ISO date-time (+08:00) of `hh:mm` on the day `days_ago` days before `today`."""
    return datetime.combine(today - timedelta(days=days_ago), time(hh, mm), _CST).isoformat()


def _on(today: date, days_ago: int, plus: int) -> str:
    """YYYY-MM-DD of `plus` days after the visit `days_ago` days before `today`."""
    return (today - timedelta(days=days_ago - plus)).isoformat()


def _person(name: str, phone: str | None = None, party_size: int = 1) -> dict[str, Any]:
    v: dict[str, Any] = {"name": name, "party_size": party_size, "consent": True}
    if phone:
        v["phone"] = phone
    return v


def scenarios(today: date) -> list[tuple[str, dict[str, Any]]]:
    """(station id, input mapping) for S1–S12, in the order of SCENARIO_IDS, relative to `today`."""
    yf, ban, rider = DEMO_OFFICERS[YUANFANG], DEMO_OFFICERS[BAN], DEMO_OFFICERS[RIDER]
    s5_issue = "平台每月结算存在未告知的隐性扣款"
    out: list[tuple[str, dict[str, Any]]] = [
        # S1 — relocation, floor area; follow-up two weeks after the visit (overdue by now).
        (YUANFANG, {
            "officer": yf,
            "visited_at": _at(today, _SESSION_1, 9, 40),
            "category": "relocation",
            "status": "referred",
            "summary": "陈阿姨，72岁，居住在228街坊旧改地块的旧里石库门。征收部门认定的居住面积未计入亭子间，"
                       "她认为亭子间一直自住，应当计入，由此影响补偿金额。已收到征收补偿决定书。",
            "visitor": _person("陈秀英", "13800001234"),
            "details": {"project": "228街坊旧改地块", "issue": "亭子间是否计入认定面积及相应补偿"},
            "requests": "希望重新认定房屋面积并按实际面积补偿；想知道现在还能不能申请行政复议。",
            "advice": "告知对征收补偿决定不服可自知道之日起六十日内申请行政复议，六个月内可提起行政诉讼；"
                      "建议尽快整理租赁凭证、户籍资料和亭子间自住的证明，并引导申请行政争议实质性化解。",
            "referrals": ["admin_resolution"],
            "follow_up_on": _on(today, _SESSION_1, 14),
            "notes": [{"at": _at(today, _SESSION_1, 11, 20), "officer": yf,
                       "text": "已将材料清单交给陈阿姨女儿，约定两周后电话回访复议进展。"}],
        }),
        # S2 — 27 workers owed ~¥600,000: one record for the group; follow-up in a week (upcoming).
        (YUANFANG, {
            "officer": yf,
            "visited_at": _at(today, _SESSION_2, 9, 30),
            "category": "labour",
            "status": "referred",
            "summary": "工头刘师傅带四名工友来访，代表本地某工地27名建筑工人反映：分包单位某建筑劳务公司"
                       "拖欠去年下半年工资约60万元，多次讨要无果，工人情绪焦躁，有人提出去工地堵门。",
            "visitor": _person("刘建华", "13900005678", party_size=27),
            "details": {"employer": "某建筑劳务公司（分包单位）", "workers": 27, "amount_owed": 600000},
            "requests": "尽快拿到被拖欠的工资，希望总包单位先行垫付。",
            "advice": "劝导工人依法理性维权、不得堵门；转人社局劳动监察大队立案处理，"
                      "同时建议由总包单位依法先行垫付工资；整理考勤记录、工资表和聊天记录作为证据。",
            "referrals": ["labour_inspection"],
            "follow_up_on": _on(today, _SESSION_2, 7),
            "notes": [{"at": _at(today, _SESSION_2 - 1, 10, 0), "officer": yf,
                       "text": "已电话联系总包单位项目部，对方同意先垫付部分工资，具体金额待核对。"}],
        }),
        # S3 — rider, account suspended after a complaint, ¥800 deducted.
        (RIDER, {
            "officer": rider,
            "visited_at": _at(today, 17, 15, 0),
            "category": "rider",
            "status": "following_up",
            "summary": "外卖骑手小周因一单顾客投诉被平台封号，他称投诉内容不实，有送达照片为证；"
                       "封号同时被扣罚款800元，已影响一周收入。",
            "visitor": _person("周立新", "13700002468"),
            "details": {"platform": "速达外卖", "delivery_site": "殷行路站", "issue": "不实投诉导致封号并扣罚800元"},
            "requests": "解封账号、退回800元罚款，想知道平台的申诉渠道。",
            "advice": "指导其通过骑手端“申诉中心”提交送达照片和聊天记录，保留扣款截图；"
                      "申诉无果可向平台合作方所在地劳动监察或劳动仲裁反映。",
            "notes": ["已协助联系站点负责人，平台答复三个工作日内复核。"],
        }),
        # S4 — rider injured while delivering, "not an employee"; possible public-interest clue.
        (RIDER, {
            "officer": rider,
            "visited_at": _at(today, 13, 15, 30),
            "category": "rider",
            "status": "following_up",
            "summary": "骑手老马送餐途中发生交通事故，左腿骨折。站长称他“不是员工”，平台和站点都不管医疗费，"
                       "也不清楚是否参加了职业伤害保障。",
            "visitor": _person("马德福", "13600003579"),
            "details": {"platform": "速达外卖", "delivery_site": "控江路站", "issue": "配送途中受伤，职业伤害保障无人落实"},
            "requests": "想知道能否享受新就业形态职业伤害保障，医疗费由谁承担。",
            "advice": "告知职业伤害保障试点政策及申请流程，建议保留事故认定书、病历和接单记录；"
                      "引导申请法律援助，必要时确认劳动关系。",
            "referrals": ["legal_aid"],
            "clue": {"flag": True, "note": "可能的公益诉讼线索：站点未落实职业伤害保障；如同站点更多骑手反映，报院本部评估。"},
            "follow_up_on": _on(today, 13, 14),
        }),
        # S5 — three riders of the same delivery site, on different days, same hidden deductions.
        (RIDER, {
            "officer": rider,
            "visited_at": _at(today, 11, 14, 40),
            "category": "rider",
            "status": "open",
            "summary": "骑手反映每月工资结算比按单计算的少三四百元，账单里有一笔“服务费”从未有人告知，"
                       "问站长只说是系统扣的。",
            "visitor": _person("孙浩", "13500001357"),
            "details": {"platform": "速达外卖", "delivery_site": "控江路站", "issue": s5_issue},
            "requests": "搞清楚被扣的钱是什么费用，退还不合理扣款。",
            "advice": "建议导出近三个月收入明细并截图保存，向平台客服书面询问扣款依据。",
        }),
        (RIDER, {
            "officer": rider,
            "visited_at": _at(today, 6, 15, 20),
            "category": "rider",
            "status": "following_up",
            "summary": "控江路站骑手称收入明细里每单都被扣了几毛到一块的“平台管理费”，入职时没人说过，"
                       "合同里也找不到，站里好几个人都有。",
            "visitor": _person("吴俊杰", "13800002222"),
            "details": {"platform": "速达外卖", "delivery_site": "控江路站", "issue": "未告知的每单“平台管理费”扣款"},
            "requests": "希望查清扣款依据，把扣掉的钱要回来。",
            "advice": "告知可要求平台公示收费规则；建议与同站骑手一起保存收入明细，必要时申请劳动仲裁。",
            "clue": {"flag": True, "note": "与控江路站此前骑手反映的隐性扣款情况相同，疑为类案。"},
        }),
        (RIDER, {
            "officer": rider,
            "visited_at": _at(today, 2, 14, 10),
            "category": "rider",
            "status": "referred",
            "summary": "又一名控江路站骑手来访，说工资单上莫名其妙少钱，站长解释是“系统扣款”，"
                       "算下来一个月被扣两百多元，平台客服不给说法。",
            "visitor": _person("郑磊", "13900003333"),
            "details": {"platform": "速达外卖", "delivery_site": "控江路站", "issue": "工资单“系统扣款”无说明"},
            "requests": "要求平台说明扣款原因并退还。",
            "advice": "已记录扣款情况，告知同站已有多人反映，检察机关将依法评估；建议保留工资单和客服聊天记录。",
            "referrals": ["public_interest"],
            "clue": {"flag": True, "note": "控江路站第三起隐性扣款反映，建议院本部作为类案审查公益诉讼线索。"},
        }),
        # S6 — neighbour noise, mediation; follow-up after the mediation date (upcoming).
        (BAN, {
            "officer": ban,
            "visited_at": _at(today, 8, 10, 0),
            "category": "neighbour",
            "status": "referred",
            "summary": "钱先生反映楼上于、黄夫妇家孩子跑跳和狗叫的噪音持续多年，双方已发生过一次推搡，"
                       "他担心矛盾继续升级。",
            "visitor": _person("钱志强", "13700004444"),
            "requests": "希望在闹成刑事案件前把事情解决，让楼上采取减噪措施。",
            "advice": "劝其保持克制、避免再起冲突；转人民调解员约双方调解，调解定于一周内在综治中心进行。",
            "referrals": ["mediation"],
            "follow_up_on": _on(today, 8, 9),
            "notes": [{"at": _at(today, 8, 11, 0), "officer": ban,
                       "text": "已与人民调解员约定调解时间，并通知楼上于女士。"}],
        }),
        # S7 — family: mother for her daughter, romance scam + online loans; several referrals.
        (BAN, {
            "officer": ban,
            "visited_at": _at(today, 15, 14, 0),
            "category": "family",
            "status": "following_up",
            "summary": "邵女士本人因车祸致残，代智力残疾的女儿来访：女儿在网上谈恋爱被骗，对方诱导她办理多笔网络贷款，"
                       "欠款近五万元，催收电话不断，母女生活困难。",
            "visitor": _person("邵美华", "13600005555", party_size=2),
            "requests": "追回被骗的钱，停止催收，希望得到生活上的帮助。",
            "advice": "协助女儿向公安机关报案（诈骗），保留聊天记录和转账凭证；告知可申请司法救助，"
                      "联系心理疏导；网贷合同效力问题可另行咨询法律援助。",
            "referrals": ["police", "judicial_aid", "counselling"],
            "follow_up_on": _on(today, 15, 14),
            "notes": [{"at": _at(today, 15, 16, 30), "officer": ban,
                       "text": "已陪同到派出所报案，取得受案回执。"}],
        }),
        # S8 — fraud call, did not pay.
        (BAN, {
            "officer": ban,
            "visited_at": _at(today, 3, 10, 15),
            "category": "fraud",
            "status": "closed",
            "summary": "80岁的张老伯接到自称“公安局”的电话，说他涉嫌洗钱，要求把存款转到“安全账户”。"
                       "老伯起了疑心没有转账，来站里问问怎么回事。",
            "visitor": _person("张福根", party_size=1),
            "requests": "想确认是不是诈骗，以后怎么防范。",
            "advice": "明确告知公检法不会电话办案、不存在“安全账户”；发放反诈宣传册，提醒下载国家反诈中心App，"
                      "再接到此类电话可拨打96110。",
            "notes": ["记入社区反诈宣传讲座素材：冒充公检法“安全账户”骗局。"],
        }),
        # S9 — administrative: order to remove a shop sign.
        (YUANFANG, {
            "officer": yf,
            "visited_at": _at(today, _SESSION_1, 10, 30),
            "category": "administrative",
            "status": "closed",
            "summary": "沿街小店店主反映街道办事处在城市更新中责令他限期拆除店招，他认为店招经过审批，"
                       "拆除后生意受影响，问要不要起诉。",
            "visitor": _person("黄国平", "13500006666"),
            "requests": "想知道能否起诉街道，或者要求补偿。",
            "advice": "解释行政诉讼的条件和期限，建议先通过行政争议实质性化解与街道沟通，"
                      "提供店招审批材料，争取协商补偿或调整方案。",
        }),
        # S10 — labour: dismissed after eight years without a written contract.
        (YUANFANG, {
            "officer": yf,
            "visited_at": _at(today, _SESSION_1, 14, 20),
            "category": "labour",
            "status": "referred",
            "summary": "保洁员在某物业管理公司工作八年，一直没签书面劳动合同，上月被口头通知不用再来，"
                       "没有任何补偿。",
            "visitor": _person("徐桂英", "13700007777"),
            "details": {"employer": "某物业管理公司", "workers": 1},
            "requests": "想要回未签合同的二倍工资和解除劳动关系的经济补偿。",
            "advice": "告知二倍工资和违法解除赔偿的计算方法及一年仲裁时效；转劳动仲裁，"
                      "提醒收集工资流水、工作证、考勤记录和同事证言等证据。",
            "referrals": ["labour_arbitration"],
        }),
        # S11 — neighbour parking dispute, resolved on the spot.
        (BAN, {
            "officer": ban,
            "visited_at": _at(today, 10, 16, 0),
            "category": "neighbour",
            "status": "resolved",
            "summary": "两户邻居因小区停车互相堵车，已互发威胁言语。现场调解，双方约定各自车位，当场和解。",
            "visitor": _person("蒋文斌", "13900008888", party_size=2),
            "requests": "让对方不要再堵车。",
            "advice": "现场调解，明确各自停车位置，提醒双方不得再有威胁言行。",
            "referrals": ["mediation"],
        }),
        # S12 — anonymous report of illegal sand-mining: no personal data, a clue.
        (YUANFANG, {
            "officer": yf,
            "visited_at": _at(today, _SESSION_2, 15, 10),
            "category": "other",
            "status": "referred",
            "summary": "一名不愿透露姓名和电话的来访人询问如何举报郊区河道边一处疑似非法采砂点，"
                       "称夜间常有船只作业，河岸已出现塌陷。",
            "visitor": {"anonymous": True},
            "requests": "想知道怎么举报，不希望留下个人信息。",
            "advice": "告知可匿名向12309检察服务中心或水务部门反映；已按匿名线索登记。",
            "referrals": ["public_interest"],
            "clue": {"flag": True, "note": "疑似非法采砂、破坏河道，涉及生态环境公益，移送公益诉讼部门核查。"},
        }),
    ]
    return out
