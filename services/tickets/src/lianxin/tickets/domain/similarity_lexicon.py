"""The small lexicon behind duplicate suggestions (see `similarity`): traditional → simplified
characters, frequent input-method slips, dialect and synonym phrases villagers use for the same
problem, stop characters, and the words that name a place or a party.

Kept deliberately small and domain-bound: each entry is a way residents of a county actually
phrase a demand (Yunnan/Sichuan dialect where the seeds come from), not a fit to test pairs.
Add a phrase when cadres report a missed duplicate; rerun bench/duplicates_eval.py.
"""

from __future__ import annotations

# Traditional → simplified, the characters that occur in demands (no OpenCC dependency).
_T2S_PAIRS = (
    "來来 電电 燈灯 們们 沒没 斷断 壞坏 廠厂 發发 錢钱 裡里 裏里 這这 個个 幾几 號号 樓楼 車车 橋桥 條条 "
    "線线 桿杆 聲声 處处 場场 醫医 療疗 險险 養养 補补 貼贴 還还 給给 讓让 說说 過过 後后 頭头 雞鸡 豬猪 "
    "糞粪 氣气 濁浊 黃黄 渾浑 夠够 時时 間间 問问 題题 請请 幫帮 辦办 亂乱 爛烂 壓压 閘闸 網网 為为 開开 "
    "關关 門门 東东 邊边 見见 長长 麼么 覺觉 響响 廣广 擾扰 訴诉 護护 費费 誤误 難难 紛纷 爭争 劃划 墳坟 "
    "園园 種种 莊庄 灣湾 溝沟 壩坝 滲渗 積积 濕湿 鐵铁 鍋锅 爐炉 熱热 凍冻 結结 顯显 驗验 檢检 測测 標标 "
    "準准 達达 層层 屬属 歲岁 兒儿 學学 書书 課课 報报 銷销 戶户 資资 員员 嗎吗 聽听 講讲 將将 體体 無无 "
    "權权 鄰邻 龍龙 寫写 貧贫 農农 鄉乡 鎮镇 縣县 區区 組组 隊队 單单 棟栋 鬧闹 噸吨 運运 掃扫 淨净 髒脏 "
    "蟲虫 災灾 穀谷 糧粮 價价 買买 賣卖 貴贵 減减 塊块 錯错 嚴严 傷伤 賠赔 償偿 欄栏 燒烧 暫暂 緊紧 帶带 "
    "務务 應应 該该 認认 識识 讀读 師师 華华 歡欢 張张 劉刘 陳陈 楊杨 趙赵 吳吴 鄭郑 孫孙 馬马 許许 傑杰 "
    "飯饭 飲饮 陽阳 陰阴 風风 雲云 雜杂 壺壶 樹树 葉叶 蓋盖 遷迁 徵征 寬宽 閃闪 穩稳 變变 稱称 總总 錶表 "
    "幹干 乾干 贊赞 兩两 裝装 滿满 經经 點点 鐘钟 爺爷 嬸婶 臺台 強强 遠远 週周 漲涨 腳脚 齊齐 環环 汙污 "
)
T2S = {pair[0]: pair[1] for pair in _T2S_PAIRS.split()}

# Frequent pinyin input-method slips in demands (wrong character, same sound).
TYPOS = {
    "拉圾": "垃圾", "托欠": "拖欠", "燥音": "噪音", "躁音": "噪音", "底保": "低保",
    "路登": "路灯", "停点": "停电", "以经": "已经", "己经": "已经", "反应问题": "反映问题",
    "修里": "修理", "工支": "工资", "停谁": "停水", "自来谁": "自来水", "坏掉": "坏",
}

# Dialect (西南官话) → standard wording; applied before SYNONYMS, so "莫得水" → "没有水" → "停水".
DIALECT = {
    "莫得": "没有", "没得": "没有", "么得": "没有", "冇得": "没有", "屋头": "家里",
    "屋里头": "家里", "娃娃": "孩子", "娃儿": "孩子", "包谷": "玉米", "苞谷": "玉米",
    "钟头": "小时", "礼拜": "星期", "晓得": "知道", "求得很": "很", "得很": "很",
    "稀泥巴": "泥", "跑路": "跑", "村头": "村口", "小娃": "孩子", "小孩": "孩子",
}

# Synonym phrases → one wording (the longest phrase wins where several start at one place).
SYNONYMS = {
    # water
    "自来水": "水", "饮用水": "水", "吃水": "用水", "没有水": "停水", "没水": "停水",
    "断水": "停水", "无水": "停水", "不出水": "停水", "不来水": "停水", "没来水": "停水",
    "水停了": "停水", "停了水": "停水", "水断了": "停水", "上不去水": "水压低",
    "水上不去": "水压低", "水压太小": "水压低", "水压小": "水压低",
    # power
    "没有电": "停电", "没电": "停电", "断电": "停电", "电停了": "停电", "停了电": "停电",
    "电线杆": "电杆", "电线桩": "电杆",
    # roads, bridges, buses, lights
    "村道": "路", "道路": "路", "公路": "路", "马路": "路", "路面": "路",
    "坑坑洼洼": "坑洼", "路灯坏": "路灯不亮", "路灯黑": "路灯不亮", "塌方": "塌", "垮了": "塌",
    "护栏": "栏杆", "街灯": "路灯", "班车": "客车", "公交车": "客车", "公交": "客车",
    "学生": "孩子",
    # wages
    "工钱": "工资", "薪水": "工资", "血汗钱": "工资", "包工头": "老板", "拖欠": "欠",
    # allowances
    "吃低保": "低保", "低保金": "低保", "低保钱": "低保", "养老钱": "养老金", "残疾人": "残疾",
    "津贴": "补贴", "补助": "补贴",
    # environment
    "垃圾堆": "垃圾池", "垃圾箱": "垃圾桶", "太吵": "噪音", "吵得": "噪音", "噪声": "噪音",
    "声音太大": "噪音", "声音大": "噪音", "噪音扰民": "噪音", "扰民": "噪音", "气味": "臭味", "臭气": "臭味",
    "异味": "臭味", "怪味": "臭味", "粪水": "粪污", "粪便": "粪污", "废水": "污水",
    # damage: a broken pipe, railing or wall is broken whichever verb the resident uses
    "破了": "坏了", "爆了": "坏了", "断了": "坏了", "裂了": "坏了", "开裂": "坏了",
    "烂了": "坏了",
    # disputes, theft
    "界线": "边界", "地界": "边界", "界址": "边界", "吵起来": "纠纷", "吵架": "纠纷",
    "闹矛盾": "纠纷", "扯皮": "纠纷", "隔壁": "邻居", "被盗": "被偷", "失窃": "被偷",
    # housing, medical, gas
    "危改": "危房改造", "煤气": "燃气", "村医": "医生",
}

# Characters that carry no meaning of their own in a short demand (particles, pronouns, …).
# 没/不/停/坏 stay: they carry the problem.
STOP_CHARS = frozenset(
    "的了吗呢啊吧呀哦嘛哈啦么我你他她它们这那个是在有就都也还很太得地着过把被给让和跟与及又"
    "再才已经一些要请帮赶紧快点儿里上下到从对向为于说问题情况反映希望麻烦")

# Characters that name a category or occur in most demands: candidates already share the category
# and the village, so within them these tell little about *which* problem it is (工资被拖欠 vs
# 工资太低). They count half as a unigram.
TOPIC_CHARS = frozenset("水电路灯工资低保垃圾厂村家人天")

# Place and party markers: two demands naming different ones are about different problems.
NUMBERED_PLACES = ("号楼", "单元", "组", "社", "队", "栋", "幢")
LANDMARKS = (
    "村口", "村尾", "村委会", "学校", "小学", "中学", "幼儿园", "卫生院", "菜市场", "集市",
    "老街", "新区", "新村", "上寨", "中寨", "下寨", "大桥", "小桥", "工地", "砖厂", "茶厂",
    "石料厂", "采石场", "养猪场", "水库", "车站", "医院", "敬老院", "寺庙",
)
# Benefit schemes: a question about one is never a duplicate of a question about another.
SCHEMES = ("低保", "特困", "五保", "养老金", "养老保险", "医保", "高龄补贴", "残疾补贴",
           "临时救助", "种粮补贴", "危房改造", "营养餐", "助学金", "学费补贴")
DIRECTIONS = ("东头", "西头", "南头", "北头", "东边", "西边", "南边", "北边")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙朱胡郭何林罗郑梁谢宋唐韩冯邓曹彭曾肖田董潘袁蒋蔡余杜叶程魏苏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付邱秦江尹薛闫段雷侯龙史陶黎贺毛郝龚邵万钱严")
PARTY_ROLES = ("老板", "包工头", "师傅", "大爷", "大妈", "大叔", "大婶", "大哥", "大姐", "老师",
               "医生", "经理", "奶奶", "爷爷", "婆婆", "老汉", "嬢嬢", "家")
