"""Deterministic, realistic synthetic consultations for benchmarks and load tests.

`generate(n, seed=..., station=...)` yields input mappings in the shape
`liaison.domain.intake.fields_from_input` accepts (the same as `liaison add --json`),
with Chinese summaries built from templates, a category mix weighted toward the
station's focus, invented names and clearly fake phone numbers (1XX0000XXXX), and
visit times in station hours spread over `days` days. Same seed, same records:
the only source of randomness is one `random.Random(seed)`.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any, Iterator

from .domain.timeutil import today as _today

# --- people -------------------------------------------------------------------------------

_COMMON = "王李张刘陈杨黄赵吴周徐孙朱马胡郭林何高罗"
_SURNAMES = _COMMON * 3 + ("郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆"
                           "汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤")
_MALE = tuple("伟 强 磊 军 勇 杰 涛 明 超 刚 平 辉 鹏 华 斌 建华 建国 志强 国平 文杰 俊杰 浩然 宇轩 "
              "晓东 海波 德明 国庆 卫东 永康 立新 家豪 子轩 志刚 春生 福根 金宝 振华 天宇".split())
_FEMALE = tuple("芳 娜 敏 静 丽 艳 娟 霞 婷 雪 秀英 秀兰 桂英 玉兰 海燕 丽华 美华 小红 晓燕 "
                "欣怡 梓萱 佳怡 雨涵 慧敏 凤英 金妹 雅琴 淑珍 春梅 一诺 思琪 文静 月娥 素芬".split())
_OFFICERS = {
    "fengqiao-yuanfang": ("王检察官", "陆检察官", "顾书记员"),
    "fengqiao-ban": ("李检察官", "沈检察官", "钟检察官助理"),
    "rider-friendly": ("赵检察官", "许检察官", "韩书记员"),
}
# Category mix per station, as a pool of 40 draws: weighted toward each station's focus.
_MIX = {
    "fengqiao-yuanfang": "relocation*12 labour*11 administrative*8 neighbour*2 family*2 fraud*2 rider*1 other*2",
    "fengqiao-ban": "neighbour*15 family*10 fraud*7 labour*2 relocation*1 administrative*1 rider*1 other*3",
    "rider-friendly": "rider*26 labour*5 fraud*2 neighbour*2 family*1 administrative*1 other*3",
    "": "relocation*5 labour*5 rider*5 neighbour*5 family*5 fraud*5 administrative*5 other*5",
}
_HOURS = {  # when each station is staffed; riders come between the meal-time peaks or late
    "fengqiao-yuanfang": (9, 9, 10, 10, 10, 11, 13, 14, 14, 15, 15, 16),
    "fengqiao-ban": (8, 9, 9, 10, 10, 11, 13, 14, 15, 15, 16, 16),
    "rider-friendly": (10, 14, 14, 15, 15, 15, 16, 16, 17, 20, 20, 21),
}

# --- places and parties -------------------------------------------------------------------

_ROADS = tuple("控江 长白 平凉 延吉 殷行 国和 黄兴 松花江 靖宇 政立 民星 开鲁 杨树浦 齐齐哈尔 鞍山 辽源 营口 嫩江".split())
_PLOTS = (228, 116, 305, 57, 89, 143, 172, 61, 94, 201, 133, 87)
_PLATFORMS = ("速达外卖", "闪送达", "饭点到", "优跑配送", "同城快送")
_SITES = tuple(f"{r}站" for r in ("控江路", "长白", "殷行", "五角场", "新江湾", "国权路", "黄兴", "鞍山", "延吉", "平凉", "大桥", "江浦路"))
_TRADES = ("建筑劳务", "装饰工程", "物业管理", "保洁服务", "餐饮管理", "物流", "服装加工", "安保服务", "家政服务", "机电安装")
_JOBS = ("泥瓦工", "钢筋工", "保洁员", "保安", "厨师", "服务员", "仓库搬运工", "装修工", "缝纫工", "电焊工", "快递分拣员", "水电工")
_ROLES = ("旧里居民", "动迁户", "公房承租人", "私房产权人", "承租人家属", "同住人", "老住户")

# --- issues: (short, summary sentences, requests, advice, referral pool, clue chance) -----
# Sentences may use {amt} {project} {employer} {platform} {site} {months} {years} {job}.

_I = {
    "relocation": (
        ("认定面积", ("对动迁组认定的居住面积有异议，认为阁楼和亭子间应当计入", "认为房屋测绘面积有误，实际使用面积比认定的多出十余平方米"),
         ("希望重新测量并按实际面积补偿", "要求复核面积认定结果"), ("告知可申请复核测绘结果，对补偿决定不服可六十日内申请行政复议", "建议整理产权证、租赁凭证和老照片，先与征收事务所协商复核"),
         ("admin_resolution", "legal_aid", "court"), 0),
        ("补偿金额", ("认为评估公司给出的评估单价明显低于周边同类房屋", "对补偿款的计算方式不理解，觉得少算了奖励费和搬家费"),
         ("要求公开评估报告并重新评估", "希望弄清补偿款的构成"), ("告知可申请复核评估结果或申请专家委员会鉴定", "逐项解释补偿构成，建议书面向征收部门申请公开评估报告"),
         ("admin_resolution", "legal_aid"), 0),
        ("安置房源", ("对安置房源的楼层和地段不满，与经办人多次沟通未果", "家中有行动不便的老人，希望换一套低楼层安置房"),
         ("希望调整安置房源", "要求优先照顾家中老人"), ("建议向征收事务所书面提出调换申请并附医疗证明", "联系基地经办人了解剩余房源，协调调换"),
         ("admin_resolution", "mediation"), 0),
        ("同住人认定", ("家中两名在册户口未被认定为同住人，影响补偿份额", "婚后一直居住在此的儿媳未被认定为同住人"),
         ("希望确认同住人资格", "要求重新认定居住人口"), ("说明同住人认定的条件，建议收集实际居住证明材料", "告知可对认定结果申请行政复议或提起行政诉讼"),
         ("admin_resolution", "legal_aid", "court"), 0),
        ("家庭内部分配", ("兄弟姐妹之间就征收补偿款如何分配发生争执，已多年不来往", "父母去世后子女对老房征收款的份额意见不一"),
         ("希望家里人能坐下来分清补偿款", "想知道自己能分到多少"), ("说明家庭内部分配属民事纠纷，可申请人民调解，调解不成可向法院起诉", "解释共同居住人与继承人份额的区别，建议先行家庭协商"),
         ("mediation", "legal_aid", "court"), 0),
        ("搬迁期限", ("征收部门要求月底前签约搬离，称逾期将申请强制执行", "已收到限期搬迁通知，但安置房尚未交付"),
         ("希望延长搬迁期限", "想知道不签约会有什么后果"), ("解释征收决定、补偿决定与强制执行的法定程序", "建议与征收部门协商过渡安排，保留书面通知"),
         ("admin_resolution", "court"), 0),
        ("过渡费", ("签约后过渡费迟迟未发放，临时租房压力很大", "过渡期已超过约定期限，过渡费却停发了"),
         ("要求按时足额发放过渡费", "希望补发拖欠的过渡费"), ("建议依据补偿协议向征收实施单位书面催告", "联系基地负责人核实发放情况，引导依法维权"),
         ("admin_resolution", "mediation"), 0),
    ),
    "labour": (
        ("拖欠工资", ("{employer}已拖欠{months}个月工资共约{amt}，老板一直推说工程款没结", "干完活后包工头失联，{months}个月工资约{amt}没有着落"),
         ("尽快拿到被拖欠的工资", "要求用人单位结清欠薪"), ("转劳动监察立案处理，建议收集考勤记录、工资表和聊天记录", "告知可申请劳动仲裁，欠薪数额较大可申请法律援助"),
         ("labour_inspection", "labour_arbitration", "legal_aid"), 0),
        ("未签合同", ("入职{years}年一直没签书面劳动合同，也没缴社保", "干了{years}年都没有劳动合同，公司最近说要让大家签“合作协议”"),
         ("想补签劳动合同并补缴社保", "问能否主张未签合同的二倍工资"), ("解释二倍工资的条件和一年仲裁时效", "建议保存工作证、工资流水和同事证言，证明劳动关系"),
         ("labour_arbitration", "labour_inspection", "legal_aid"), 0),
        ("违法解除", ("上个月被口头通知不用再来上班，没有任何书面通知和补偿", "因生病请假几天就被公司以旷工为由辞退"),
         ("要求支付违法解除劳动合同的赔偿金", "希望恢复劳动关系或拿到补偿"), ("告知经济补偿和赔偿金的计算方法，转劳动仲裁", "建议要求单位出具书面解除通知，保留证据后申请仲裁"),
         ("labour_arbitration", "legal_aid"), 0),
        ("加班费", ("长期每天工作十二小时，周末也不休息，从未拿到加班费", "公司以“综合工时”为由不支付加班费"),
         ("要求补发加班费", "想知道加班费怎么计算"), ("解释加班费标准，建议保存打卡记录和排班表", "告知可向劳动监察投诉或申请劳动仲裁"),
         ("labour_inspection", "labour_arbitration"), 0),
        ("工伤", ("在工地干活时从脚手架上摔下受伤，老板只给了两千元就不管了", "在车间操作时手指被机器压伤，公司不给申报工伤"),
         ("希望申报工伤并报销医疗费", "要求单位承担工伤待遇"), ("告知工伤认定申请期限和所需材料，可自行向人社部门申请", "引导申请法律援助，保留病历和事故经过证明"),
         ("legal_aid", "labour_arbitration"), 0),
        ("扣押证件", ("离职时公司扣着身份证和最后一个月工资不给", "公司要求交两千元押金才能上岗，离职时不退"),
         ("要回证件和押金", "要求结清最后一个月工资"), ("说明扣押证件、收取押金属违法行为，转劳动监察处理", "建议书面要求单位返还，并保留交款凭证"),
         ("labour_inspection", "service_centre_12309"), 0),
    ),
    "rider": (
        ("账号被封", ("因一单顾客投诉被{platform}封号，本人认为投诉不实，申诉一直没有回应", "账号被平台以“异常行为”为由永久封禁，没有给出具体理由"),
         ("解封账号，想知道平台的申诉渠道", "要求平台说明封号依据"), ("指导通过骑手端申诉中心提交送达照片和聊天记录", "建议保存封号通知截图，申诉无果可向劳动监察反映"),
         ("labour_inspection", "legal_aid"), 4),
        ("超时罚款", ("雨雪天气送餐超时被连续罚款共{amt}，站点不予解释", "系统规定的配送时间过短，一个月被扣超时罚款{amt}"),
         ("退还不合理罚款", "希望平台合理设置配送时限"), ("建议导出罚款明细，向平台书面申诉", "告知平台算法规则应公开透明，可向有关部门反映"),
         ("labour_inspection", "public_interest"), 10),
        ("隐性扣款", ("每月结算比按单计算少几百元，账单里有一笔说不清的“服务费”", "收入明细里每单都被扣了几毛钱的“管理费”，入职时没人说过"),
         ("搞清楚被扣的钱是什么费用并退还", "要求平台公示收费规则"), ("建议保存近三个月收入明细，与同站骑手一起书面询问扣款依据", "已登记扣款情况，告知检察机关将关注同类反映"),
         ("labour_arbitration", "public_interest"), 35),
        ("保险扣费", ("每天被自动扣除三元保险费，却看不到保单，出事后无法理赔", "站点统一扣保险费，骑手受伤后才发现保险公司不认账"),
         ("想知道保险费扣到哪里去了", "要求按保单理赔"), ("建议向平台索要保单，必要时向金融监管部门投诉", "保存扣费记录，告知可作为公益诉讼线索反映"),
         ("public_interest", "legal_aid"), 30),
        ("职业伤害", ("送餐途中被车撞伤，{site}站长称他“不是员工”，医药费无人承担", "配送时摔倒骨折，不清楚有没有参加职业伤害保障"),
         ("想知道能否享受职业伤害保障", "要求站点承担医疗费"), ("告知职业伤害保障政策及申请流程，保留事故认定书和接单记录", "引导申请法律援助，必要时确认劳动关系"),
         ("legal_aid", "labour_arbitration", "public_interest"), 20),
        ("配送费拖欠", ("离职后{site}拖欠最后一个月的配送费约{amt}", "站点以“未满三个月”为由扣下押金和半个月配送费约{amt}"),
         ("要回被拖欠的配送费", "要求站点结清费用"), ("建议与站点所属的劳务公司书面交涉，保留排班和收入记录", "告知可申请劳动仲裁或向劳动监察投诉"),
         ("labour_inspection", "labour_arbitration"), 5),
        ("派单降级", ("被系统降级后派单明显减少，收入减半，问了说是算法决定", "因拒绝一单远距离订单被降低等级，之后很少派到好单"),
         ("希望平台解释派单规则", "要求恢复原来的等级"), ("说明平台算法应公开透明、不得不合理限制劳动者，建议向平台书面申诉", "记录派单和收入变化，必要时向有关部门反映"),
         ("public_interest", "service_centre_12309"), 8),
    ),
    "neighbour": (
        ("噪音", ("楼上住户夜间经常拖动家具、孩子跑跳，噪音严重影响休息", "隔壁每天晚上唱歌打麻将到半夜"),
         ("希望对方采取减噪措施", "让对方晚上十点后保持安静"), ("建议先由居委会出面沟通，必要时申请人民调解", "告知夜间噪音可拨打110报警，保留录音录像"),
         ("mediation", "police"), 0),
        ("漏水", ("楼上卫生间漏水导致自家天花板发霉，对方拒绝维修", "楼上装修后水管渗漏，自家墙面起皮脱落"),
         ("要求对方维修并赔偿损失", "希望尽快修好漏水"), ("建议请物业出具漏水查勘记录，申请人民调解", "说明可就财产损失向法院起诉，先保留照片和维修报价"),
         ("mediation", "court"), 0),
        ("停车", ("邻居长期把车停在自家门口通道，多次沟通无果", "小区停车位紧张，两户人家互相堵车，已互相威胁"),
         ("让对方不要再占用通道", "希望明确各自停车位置"), ("现场调解，明确停车位置，提醒双方克制", "建议由物业划定车位，必要时申请人民调解"),
         ("mediation", "police"), 0),
        ("宠物", ("邻居家的宠物狗不拴绳，曾扑咬过小孩，狗叫声扰民", "对门养了十几只猫，楼道气味很大"),
         ("要求对方文明养宠", "希望对方赔偿孩子打疫苗的费用"), ("告知养犬管理规定，建议向居委会和公安反映", "申请人民调解，协商赔偿疫苗费用"),
         ("mediation", "police"), 0),
        ("堆物占道", ("对门在楼道堆放杂物和纸板，存在消防隐患", "邻居占用公共走廊搭建鞋柜，双方为此发生争吵"),
         ("要求清理楼道杂物", "恢复公共走廊通行"), ("建议联系物业和消防部门上门检查，劝导对方清理", "由居委会组织协商，必要时申请人民调解"),
         ("mediation", "service_centre_12309"), 0),
        ("装修", ("隔壁装修时擅自拆改墙体，自家墙面出现裂缝", "楼上装修周末一早就开始电钻，沟通后反而更吵"),
         ("要求停止违规装修并修复墙面", "希望对方遵守装修时间"), ("建议向物业和房管部门反映违规装修，保留裂缝照片", "告知装修管理规定，申请人民调解"),
         ("mediation", "court"), 0),
        ("空调外机", ("邻居新装的空调外机正对自家卧室窗户，噪音和热风很大", "楼下饭店油烟直排，窗户都不敢开"),
         ("要求对方移位或整改", "希望问题得到解决"), ("建议先协商移位，协商不成申请人民调解", "告知可向相关部门投诉，保留照片视频"),
         ("mediation",), 0),
    ),
    "family": (
        ("离婚财产", ("夫妻闹离婚，对婚后购买的房屋如何分割有争议", "离婚时对方隐瞒存款，现在想重新分割"),
         ("想知道离婚时房子怎么分", "希望追回被隐瞒的财产"), ("解释夫妻共同财产的认定和分割原则", "建议收集财产线索，可申请法律援助起诉"),
         ("legal_aid", "mediation", "court"), 0),
        ("抚养费", ("离婚后对方一直不付孩子的抚养费，已欠{months}个月", "孩子上学费用增加，想让对方多承担抚养费"),
         ("要求对方按时支付抚养费", "希望增加抚养费"), ("告知可向法院起诉或申请强制执行", "建议保留支付记录和开支凭证，申请法律援助"),
         ("legal_aid", "court"), 0),
        ("赡养", ("几个子女互相推诿，都不愿照顾年迈的老母亲", "儿子结婚后不再给父母生活费，还住着老人的房子"),
         ("希望子女履行赡养义务", "想让儿子搬出去"), ("说明子女的法定赡养义务，建议先由居委会组织家庭调解", "告知调解不成可起诉追索赡养费"),
         ("mediation", "legal_aid", "court"), 0),
        ("家庭暴力", ("长期遭受配偶打骂，最近一次被打伤住院", "女儿反映在婆家经常被打，不敢回家"),
         ("想申请人身安全保护令", "希望摆脱家暴"), ("告知可报警并申请人身安全保护令，协助联系妇联", "保留伤情照片和就医记录，提供心理疏导"),
         ("police", "court", "counselling", "legal_aid"), 0),
        ("彩礼", ("订婚后女方提出分手，拒绝退还十八万元彩礼", "儿子婚后不到一年离婚，想要回彩礼"),
         ("要求返还彩礼", "想知道彩礼能退多少"), ("解释彩礼返还的法律规定和考量因素", "建议先协商，协商不成申请人民调解或起诉"),
         ("mediation", "court"), 0),
        ("继承", ("父亲去世后兄弟姐妹对老房子的继承份额争执不下", "老人生前立的遗嘱被其他子女质疑"),
         ("想知道自己能继承多少", "希望确认遗嘱效力"), ("解释法定继承与遗嘱继承的规则", "建议申请人民调解，必要时向法院起诉"),
         ("mediation", "legal_aid", "court"), 0),
        ("婚恋诈骗", ("女儿在网上谈恋爱被骗，对方诱导她办了几笔网络贷款，欠款{amt}", "母亲被网友以结婚为名骗走积蓄{amt}"),
         ("追回被骗的钱，停止催收", "希望抓住骗子"), ("协助向公安机关报案，保留聊天记录和转账凭证", "告知可申请司法救助，联系心理疏导"),
         ("police", "judicial_aid", "counselling", "legal_aid"), 0),
    ),
    "fraud": (
        ("冒充公检法", ("接到自称“公安局”的电话，说涉嫌洗钱，要求把存款转到“安全账户”", "对方自称检察院工作人员，发来“通缉令”要求缴纳保证金"),
         ("想确认是不是诈骗", "希望追回转出的钱"), ("明确告知公检法不会电话办案，不存在“安全账户”", "已转账的立即报警并联系银行止付"),
         ("police", "service_centre_12309"), 0),
        ("刷单返利", ("在网上做“刷单兼职”，前几单返了钱，后来被骗{amt}", "被拉进刷单群，对方以“任务未完成”为由不让提现，共投入{amt}"),
         ("希望追回损失", "想知道能不能报案"), ("协助拨打96110并报案，保存聊天记录和转账截图", "讲解刷单本身违法，提醒不要再转账"),
         ("police",), 0),
        ("投资理财", ("被“理财导师”拉进投资群，在假平台上投了{amt}后无法提现", "听信网友推荐买“虚拟币”，平台突然关闭，损失{amt}"),
         ("追回投资款", "要求平台退钱"), ("告知属典型虚假投资诈骗，立即报案", "保留平台网址和转账记录，警惕“帮你追款”的二次诈骗"),
         ("police", "service_centre_12309"), 0),
        ("冒充客服", ("接到“快递客服”电话说包裹丢了要理赔，按指示操作后被转走{amt}", "自称“电商客服”说要关闭“百万保障”，被诱导贷款转账{amt}"),
         ("追回被骗的钱", "担心个人信息泄露"), ("立即报警并联系银行冻结，修改支付密码", "提醒退款只走官方渠道，不共享屏幕"),
         ("police",), 0),
        ("保健品", ("老人被“免费体检”讲座吸引，前后花了{amt}买保健品", "父亲被推销“包治百病”的理疗仪，花了{amt}"),
         ("要求商家退款", "希望以后别再被骗"), ("建议保留购买凭证，向市场监管部门投诉并报警", "纳入社区反诈宣传，提醒子女多关心老人"),
         ("police", "public_interest"), 15),
        ("未遂", ("接到可疑电话要求提供验证码，起了疑心没有照做", "收到“医保卡异常”的短信链接，没有点开，来站里问问"),
         ("想确认是不是诈骗", "以后怎么防范"), ("讲解常见诈骗手法，发放反诈宣传册", "提醒下载国家反诈中心App，遇到可疑电话拨打96110"),
         ("police",), 0),
    ),
    "administrative": (
        ("店招拆除", ("街道在城市更新中责令他限期拆除店招，他认为店招经过审批", "沿街门面被要求统一更换店招，费用自己承担"),
         ("想知道能否起诉或要求补偿", "希望保留原有店招"), ("解释行政诉讼的条件和期限，建议先通过行政争议实质性化解沟通", "建议提供审批材料，与街道协商补偿或调整方案"),
         ("admin_resolution", "court"), 0),
        ("行政罚款", ("因占道经营被城管罚款两千元，认为处罚过重", "小店因消防问题被罚款并责令停业整改"),
         ("希望减免罚款", "想知道怎么申请复议"), ("告知六十日复议期限和六个月起诉期限", "建议先按要求整改，可申请行政争议实质性化解"),
         ("admin_resolution", "court"), 0),
        ("违建认定", ("自家院子里的搭建被认定为违法建筑，限期拆除", "收到拆违通知书，但搭建已存在二十多年"),
         ("不服违建认定", "希望保留搭建或给予补偿"), ("解释违法建筑认定标准和救济途径", "建议保存历史材料，申请行政复议或行政争议化解"),
         ("admin_resolution", "legal_aid", "court"), 0),
        ("信息公开", ("申请公开征收补偿方案，行政机关逾期未答复", "政府信息公开答复称“信息不存在”，本人不认可"),
         ("要求公开相关信息", "不服信息公开答复"), ("说明信息公开申请的答复期限和救济途径", "建议申请行政复议"),
         ("admin_resolution", "court"), 0),
        ("社会救助", ("家中低保资格被取消，认为收入核算有误", "申请廉租房被驳回，不清楚具体原因"),
         ("希望恢复低保", "想知道被驳回的原因"), ("建议书面申请说明理由，收集收入证明后申请复核", "协调街道社区事务受理中心解释政策"),
         ("admin_resolution", "judicial_aid"), 0),
    ),
    "other": (
        ("环境污染", ("反映附近河道有工厂夜间偷排污水，河水发黑发臭", "小区旁的工地长期夜间施工，渣土车扬尘严重"),
         ("希望有关部门查处", "想知道怎么举报"), ("登记线索，告知可匿名向12309检察服务中心反映", "已作为公益诉讼线索登记，移送核查"),
         ("public_interest", "service_centre_12309"), 60),
        ("非法采砂", ("询问如何举报郊区河道边一处疑似非法采砂点，称夜间常有船只作业", "反映江边有人私挖河砂，河岸已出现塌陷"),
         ("想知道怎么举报，不希望留下个人信息", "希望尽快制止"), ("告知可匿名向12309或水务部门反映，已按匿名线索登记", "登记为公益诉讼线索并移送核查"),
         ("public_interest",), 80),
        ("食品安全", ("小区门口的早餐摊使用来路不明的油，吃了拉肚子", "学校附近小店卖“三无”零食，不少孩子放学后去买"),
         ("希望有关部门检查", "担心孩子吃坏身体"), ("建议向市场监管部门投诉，登记线索", "告知可拨打12315，检察机关关注未成年人食品安全"),
         ("public_interest", "service_centre_12309"), 40),
        ("无障碍设施", ("坐轮椅出行，地铁站附近的盲道和坡道被占用", "社区卫生服务中心没有无障碍通道"),
         ("希望改善无障碍设施", "要求清理被占用的盲道"), ("登记为无障碍环境建设公益诉讼线索", "联系街道协调整改"),
         ("public_interest",), 50),
        ("法律咨询", ("想立一份遗嘱，咨询需要什么手续", "问网购商品质量问题商家不退货怎么办"),
         ("了解相关法律规定", "想知道找哪个部门"), ("讲解相关规定，发放法治服务清单", "告知可咨询法律援助中心或12348热线"),
         ("legal_aid", "service_centre_12309"), 0),
    ),
}

_OPEN = {
    "relocation": ("{who}，{age}岁，系{project}{role}。", "{who}系{project}{role}，{age}岁。", "{who}家住{project}，{age}岁，是{role}。"),
    "labour": ("{who}在{employer}做{job}已{years}年。", "{who}，{job}，原在{employer}工作。", "{who}来访，反映在{employer}务工的情况。"),
    "rider": ("{who}是{platform}{site}的骑手。", "{who}在{site}跑单{years}年。", "{who}是{platform}骑手，在{site}接单。"),
    "neighbour": ("{who}住{road}路某小区，{age}岁。", "{who}反映与邻居之间的矛盾。", "{who}是{road}路某小区居民。"),
    "family": ("{who}，{age}岁，来站咨询家事。", "{who}为家里的事来访。", "{who}由社区干部陪同来访。"),
    "fraud": ("{who}，{age}岁，带着手机来站里求助。", "{who}，{age}岁，退休在家。", "{who}由家人陪同来访。"),
    "administrative": ("{who}在{road}路经营一家小店。", "{who}，{age}岁，{road}路居民。", "{who}来访咨询行政争议。"),
    "other": ("{who}前来咨询。", "{who}路过联络站进来咨询。", "{who}看到联络站海报后前来。"),
}
_EXTRA = ("已多次向有关部门反映，没有结果", "手里有照片、聊天记录等材料", "担心错过法定期限",
          "家里经济比较困难", "为此已经几个月睡不好觉", "对方态度强硬，拒绝沟通", "居委会上门调解过一次未解决",
          "情绪较为激动，经安抚后平静", "听社区干部介绍来到联络站", "希望检察机关帮忙说句公道话")
_CLOSE = {
    "relocation": ("动迁基地已进入签约期，周边多户已经签约。", "子女在外地，平时由邻居照应。", "此前已收到征收补偿决定书。", "家中还有一名残疾人需要照顾。"),
    "labour": ("同工地还有多名工友遇到类似的欠薪情况。", "老板的电话已经打不通。", "家里孩子等着交学费。", "手上只有微信转账记录，没有工资条。"),
    "rider": ("同站点不少骑手都有类似遭遇。", "这份工作是家里主要的收入来源。", "向平台客服反映多次，只得到机器人回复。", "已在骑手群里和其他骑手核对过。"),
    "neighbour": ("双方已争吵多次，曾报警处理过一次。", "物业协调未果。", "担心矛盾升级发生肢体冲突。", "双方做邻居已有十多年。"),
    "family": ("家中还有未成年子女需要照顾。", "来访时情绪低落，多次落泪。", "双方已分居半年。", "家里经济全靠来访人一人支撑。"),
    "fraud": ("家人担心老人再次上当。", "已在手机上下载国家反诈中心App。", "对方还在不停地打电话。", "小区近期多位老人接到类似电话。"),
    "administrative": ("所在街区正在进行城市更新。", "已向街道递交过书面意见，尚未答复。", "店铺是一家人的生计来源。", "不清楚申请复议和起诉哪个更合适。"),
    "other": ("不希望留下个人信息。", "附近居民对此意见很大。", "已拍下现场照片。", "希望检察机关予以关注。"),
}
_GROUP = ("{n}名{job}代表来访，反映{employer}拖欠{workers}名工人{months}个月工资约{amt}，多次讨要欠薪无果。",
          "{workers}名工友推选{n}名代表来访：{employer}承包的工程完工后，工资约{amt}一直没结。")
_NOTES = ("已电话回访，来访人表示情况有进展。", "已与相关部门电话沟通，对方答复将尽快处理。",
          "来访人补充提交了证据材料复印件。", "已发放法治服务清单和相关法律文书范本。",
          "约定下次联络站开放日再来反馈进展。", "已转交院本部12309检察服务中心跟进。")
_STATUS = {  # pools of 20 draws: (recent, with referral), (recent, none), (older, with), (older, none)
    (True, True): "referred*9 following_up*6 resolved*2 closed*3",
    (True, False): "open*6 following_up*3 resolved*3 closed*8",
    (False, True): "closed*11 resolved*6 following_up*2 referred*1",
    (False, False): "closed*14 resolved*5 open*1",
}
_FOLLOW_DAYS = (3, 7, 7, 7, 14, 14, 14, 30)
_AGES = {"relocation": (38, 50), "rider": (19, 37), "labour": (22, 41), "fraud": (25, 61)}  # (lowest, span)


def _pool(spec: str) -> tuple[str, ...]:
    return tuple(w for part in spec.split() for w, n in [part.split("*")] for _ in range(int(n)))


_MIX_POOLS = {k: _pool(v) for k, v in _MIX.items()}
_STATUS_POOLS = {k: _pool(v) for k, v in _STATUS.items()}


def _money(n: int) -> str:
    return f"{n / 10000:g}万元" if n >= 10000 else f"{n}元"


def generate(n: int, *, seed: int = 7, station: str = "fengqiao-yuanfang",
             start: date | None = None, days: int = 1095) -> Iterator[dict[str, Any]]:
    """`n` input mappings for `station`, visits spread over the `days` days up to `start`."""
    rng = random.Random(seed)
    rnd = rng.random

    def pick(seq):
        return seq[int(rnd() * len(seq))]

    mix = _MIX_POOLS.get(station, _MIX_POOLS[""])
    hours = _HOURS.get(station, _HOURS["fengqiao-yuanfang"])
    officers = _OFFICERS.get(station, ("值班检察官",))
    weekend_open = 0.5 if station == "rider-friendly" else 0.15
    end = (start or _today()).toordinal()
    days = max(1, days)
    day_iso: dict[int, str] = {}

    def iso_day(o: int) -> str:
        s = day_iso.get(o)
        if s is None:
            s = day_iso[o] = date.fromordinal(o).isoformat()
        return s

    for _ in range(n):
        cat = pick(mix)
        short, sentences, reqs, advs, ref_pool, clue_pct = pick(_I[cat])
        # when: a weekday mostly, in station hours
        ago = int(rnd() * days)
        o = end - ago
        wd = (o - 1) % 7  # date.fromordinal(1) is a Monday
        if wd >= 5 and rnd() > weekend_open:
            o -= wd - 4
            ago += wd - 4
        hh, mm = pick(hours), int(rnd() * 60)
        # who
        r = rnd()
        female = rnd() < 0.5
        lo, span = _AGES.get(cat, (22, 64))
        age = lo + int(rnd() * span)
        visitor: dict[str, Any]
        if r < 0.70:
            surname = pick(_SURNAMES)
            name = surname + pick(_FEMALE if female else _MALE)
            visitor = {"consent": True}
            if r < 0.65:
                visitor["name"] = name
            if r < 0.55 or r >= 0.65:
                visitor["phone"] = f"1{pick('3456789')}{int(rnd() * 10)}0000{int(rnd() * 10000):04d}"
            if cat == "rider" and age < 40:
                who = "小" + surname
            elif female:
                who = surname + ("阿姨" if age >= 50 else "女士")
            else:
                who = surname + ("老伯" if age >= 70 else "师傅" if age >= 45 else "先生")
            if "name" not in visitor:
                who = "来访人"
        else:
            visitor = {"anonymous": True}
            who = "一名不愿留名的居民" if cat == "other" else "来访人"
        ctx = {"who": who, "age": age, "road": pick(_ROADS), "months": 2 + int(rnd() * 10), "years": 1 + int(rnd() * 9)}
        details: dict[str, Any] = {}
        if cat == "relocation":
            r2 = rnd()
            project = (f"{pick(_PLOTS)}街坊旧改地块" if r2 < 0.5 else f"{ctx['road']}路旧区改造地块" if r2 < 0.8
                       else f"{ctx['road']}新村城市更新项目")
            ctx.update(project=project, role=pick(_ROLES))
            details = {"project": project, "issue": short}
        elif cat == "labour":
            employer = f"某{pick(_TRADES)}公司"
            job = pick(_JOBS)
            group = short == "拖欠工资" and rnd() < 0.3
            workers = 5 + int(rnd() * 60) if group else 1
            amt = workers * (3 + int(rnd() * 25)) * 1000 if group else (2 + int(rnd() * 60)) * 500
            ctx.update(employer=employer, job=job, amt=_money(amt), workers=workers, n=2 + int(rnd() * 4))
            details = {"employer": employer, "workers": workers}
            if short in ("拖欠工资", "加班费", "违法解除"):
                details["amount_owed"] = amt
            if group:
                visitor["party_size"] = workers
        elif cat == "rider":
            platform, site = pick(_PLATFORMS), pick(_SITES)
            ctx.update(platform=platform, site=site, amt=_money((1 + int(rnd() * 30)) * 50))
            details = {"platform": platform, "delivery_site": site, "issue": short}
        else:
            ctx["amt"] = _money((1 + int(rnd() * 200)) * 500)
        if cat == "labour" and details["workers"] > 1:  # a group: the head tells the story
            summary = pick(_GROUP).format(**ctx) + pick(_EXTRA) + "。"
        else:
            s = pick(sentences)
            if "{" in s:
                s = s.format(**ctx)
            summary = pick(_OPEN[cat]).format(**ctx) + s + "，" + pick(_EXTRA) + "。"
        if rnd() < 0.5 or len(summary) < 40:
            summary += pick(_CLOSE[cat])
        if len(summary) < 40:
            summary += "请求检察机关帮助。"
        # outcome
        k = rnd()
        refs: list[str] = []
        if k < 0.7:
            refs.append(pick(ref_pool))
            if k < 0.2 and len(ref_pool) > 1:
                other = pick(ref_pool)
                if other != refs[0]:
                    refs.append(other)
        clue = clue_pct and rnd() * 100 < clue_pct
        status = pick(_STATUS_POOLS[(ago <= 30, bool(refs))])
        day = iso_day(o)
        m: dict[str, Any] = {
            "officer": pick(officers),
            "visited_at": f"{day}T{hh:02d}:{mm:02d}:00+08:00",
            "category": cat,
            "status": status,
            "summary": summary,
            "visitor": visitor,
            "requests": pick(reqs) + "。",
            "advice": pick(advs) + "。",
            "referrals": refs,
        }
        if details:
            m["details"] = details
        if clue:
            where = ctx.get("site") or ctx["road"] + "路一带"
            m["clue"] = {"flag": True, "note": f"{where}{short}：同类反映可能涉及不特定多数人利益，报院本部评估。"}
        if rnd() < (0.6 if status in ("open", "referred", "following_up") else 0.12):
            m["follow_up_on"] = iso_day(o + pick(_FOLLOW_DAYS))
        if rnd() < 0.1:
            m["notes"] = [{"at": f"{day}T{min(hh + 1, 23):02d}:{mm:02d}:00+08:00", "officer": m["officer"], "text": pick(_NOTES)}]
        yield m
