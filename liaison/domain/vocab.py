"""Controlled vocabularies: categories, referrals, statuses, with Chinese and English labels.

Codes are what we store and exchange; labels are what people read. The order of each
table is its numbering on screen: the n-th entry is the choice numbered n in every list,
dialog, filter and form that offers it (a filter's "all" is 0), so reorder only knowingly.
"""

from __future__ import annotations

CATEGORIES: dict[str, tuple[str, str]] = {
    "relocation": ("动迁/征收", "Relocation"),
    "labour": ("劳资/欠薪", "Labour / unpaid wages"),
    "rider": ("骑手/新就业形态", "Delivery rider / gig work"),
    "neighbour": ("邻里纠纷", "Neighbour dispute"),
    "family": ("婚恋家庭", "Marriage and family"),
    "fraud": ("电信网络诈骗", "Telecom / online fraud"),
    "administrative": ("行政争议", "Administrative dispute"),
    "other": ("其他", "Other"),
}

# Fields each category asks for beyond the common ones, stored under `details`.
CATEGORY_DETAILS: dict[str, tuple[str, ...]] = {
    "relocation": ("project", "issue"),
    "labour": ("employer", "workers", "amount_owed"),
    "rider": ("platform", "delivery_site", "issue"),
    "neighbour": ("other_party", "place"),
    "family": ("relation",),
    "fraud": ("amount_lost", "paid_via", "paid_at", "reported_to_police"),
    "administrative": ("agency", "decision", "decision_known_on"),
}
# Labour: the day the dispute arose starts the one-year arbitration period (appended,
# so the order of the fields already there does not change).
CATEGORY_DETAILS["labour"] += ("dispute_on",)

DETAIL_LABELS: dict[str, tuple[str, str]] = {
    "project": ("项目/地块", "Project / plot"),
    "issue": ("争议事项", "Issue"),
    "employer": ("用人单位", "Employer"),
    "workers": ("涉及人数", "Workers involved"),
    "amount_owed": ("欠薪金额(元)", "Amount owed (CNY)"),
    "platform": ("平台", "Platform"),
    "delivery_site": ("站点", "Delivery site"),
    "other_party": ("对方", "Other party"),
    "place": ("地点", "Place"),
    "relation": ("双方关系", "Relation"),
    "amount_lost": ("被骗金额(元)", "Amount lost (CNY)"),
    "paid_via": ("付款方式", "Paid via"),
    "paid_at": ("付款时间", "Paid at"),
    "reported_to_police": ("已报警", "Reported to police"),
    "agency": ("行政机关", "Agency"),
    "decision": ("行政行为/决定", "Decision"),
    "decision_known_on": ("知道决定之日", "Learned of it on"),
    "dispute_on": ("争议发生之日", "Dispute arose on"),
}

# How a detail's value is typed; a key not listed here is one line of text.
DETAIL_KINDS: dict[str, str] = {
    "workers": "count", "amount_owed": "amount", "amount_lost": "amount",
    "paid_at": "datetime", "decision_known_on": "date", "dispute_on": "date",
    "reported_to_police": "flag",
}

# Details the form does not ask for: the labour form's one head-count is the visitor's
# party size, copied into `workers` (older records keep the value they have).
FORM_HIDDEN_DETAILS: dict[str, tuple[str, ...]] = {"labour": ("workers",)}

# Referrals kept only so older records still read and count: the public-interest clue
# is the clue box now, not a referral (the form merges one into the other).
LEGACY_REFERRALS: frozenset[str] = frozenset({"public_interest"})

# Words besides the label that find a referral in the form's filter (pinyin of the
# label is added by the form): what officers call the place.
REFERRAL_WORDS: dict[str, tuple[str, ...]] = {
    "police": ("公安局", "派出所", "报警", "110", "96110"),
    "labour_inspection": ("人社局", "劳动监察大队"),
    "labour_arbitration": ("仲裁委",),
    "court": ("起诉", "诉讼"),
    "service_centre_12309": ("12309", "检察院"),
    "mediation": ("调委会", "居委会"),
    "counselling": ("心理",),
}

REFERRALS: dict[str, tuple[str, str]] = {
    "mediation": ("人民调解", "People's mediation"),
    "legal_aid": ("法律援助", "Legal aid"),
    "labour_inspection": ("劳动监察", "Labour inspection"),
    "labour_arbitration": ("劳动仲裁", "Labour arbitration"),
    "admin_resolution": ("行政争议化解", "Administrative dispute resolution"),
    "service_centre_12309": ("12309检察服务中心", "12309 procuratorial service centre"),
    "judicial_aid": ("司法救助", "Judicial aid"),
    "counselling": ("心理疏导", "Psychological counselling"),
    "police": ("公安报警(96110/110)", "Police (96110 / 110)"),
    "court": ("法院", "Court"),
    "public_interest": ("公益诉讼线索", "Public-interest litigation clue"),
}

# The order a consultation normally moves through.
STATUSES: dict[str, tuple[str, str]] = {
    "open": ("待处理", "Open"),
    "referred": ("已转介", "Referred"),
    "following_up": ("跟进中", "Following up"),
    "resolved": ("已化解", "Resolved"),
    "closed": ("已办结", "Closed"),
}

# Statuses after which no follow-up is due any more.
DONE_STATUSES = frozenset({"resolved", "closed"})


def label(table: dict[str, tuple[str, str]], code: str, lang: str = "zh") -> str:
    """The label of `code` in `lang` ("zh" or "en"); the code itself if unknown."""
    pair = table.get(code)
    if pair is None:
        return code
    return pair[0] if lang == "zh" else pair[1]


def lookup(table: dict[str, tuple[str, str]], text: str) -> str | None:
    """Find a code from a code, a Chinese label or an English label (case-insensitive)."""
    t = text.strip()
    if t in table:
        return t
    low = t.lower()
    for code, (zh, en) in table.items():
        if t == zh or low == en.lower() or t in zh.split("/"):
            return code
    return None
