"""Names and places of the demo county: the Mojiang tree, common surname and given-name
characters, streets, and the phrases cadres write in their people's-condition diaries."""

from __future__ import annotations

COUNTY = "墨江哈尼族自治县"
COUNTY_SHORT = "墨江县"
REGION_CODE = "530822"  # 墨江哈尼族自治县 in GB/T 2260: the first six digits of local ID numbers

# (township, subkind, villages and communities, units among them split into grids (网格)).
# The first three townships and their first villages are the tree earlier demos created, so
# ids quoted in the README (uuid5 of the path) stay valid.
TOWNSHIPS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("联珠镇", "ZHEN", ("城南社区", "城北社区", "癸能村", "克膺村"), ("城南社区", "城北社区")),
    ("通关镇", "ZHEN", ("通关社区", "黄庄村", "大寨村", "水癸村"), ("通关社区",)),
    ("碧溪镇", "ZHEN", ("碧溪社区", "玉溪村", "把边村"), ("碧溪社区",)),
    ("新安镇", "ZHEN", ("新安社区", "塔坡村", "芒坝村"), ()),
    ("那哈乡", "XIANG", ("那哈村", "联合村", "景路村"), ()),
)
GRIDS_PER_UNIT = 2

# County departments (职能部门); each has a party branch and some cadres.
DEPARTMENTS = ("县水务局", "墨江供电局", "县交通运输局", "县民政局", "县住房和城乡建设局",
               "县教育体育局", "县卫生健康局", "县人力资源和社会保障局", "县信访局")
# One service centre per township, a township-level department.
TOWNSHIP_DEPARTMENT = "为民服务中心"

# Common surnames in Yunnan, with Hani and Yi ones (普, 白, 字, 龙, 罗) a little more frequent.
SURNAMES = ("李", "王", "张", "杨", "刘", "陈", "赵", "黄", "周", "吴", "罗", "普", "白", "字",
            "龙", "段", "何", "马", "孙", "朱", "胡", "郭", "高", "徐", "钱", "沈", "方", "施",
            "李", "杨", "王", "张", "罗", "普", "白", "李", "杨")
MALE_CHARS = ("建", "国", "华", "明", "志", "强", "军", "平", "伟", "勇", "刚", "文", "海", "林",
              "永", "德", "福", "荣", "兴", "成", "云", "春", "学", "忠", "光", "东", "金", "正",
              "发", "斌", "龙", "亮", "涛", "磊", "鹏", "宇", "浩", "杰")
FEMALE_CHARS = ("秀", "英", "兰", "芳", "丽", "美", "玉", "珍", "梅", "琼", "红", "霞", "燕", "萍",
                "娟", "艳", "花", "凤", "春", "菊", "翠", "敏", "静", "婷", "慧", "雪", "琳", "莉",
                "芬", "月", "仙", "娥")

# 村民小组 of a village, and streets of a community.
GROUPS = ("一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组")
STREETS = ("人民路", "团结路", "民族街", "文化路", "玉溪路", "兴隆街", "太阳广场路", "茶城大道")

# Mobile prefixes of the three carriers.
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                  "152", "153", "155", "156", "157", "158", "159", "177", "180", "181", "182",
                  "183", "185", "186", "187", "188", "189", "199")

# Posts of county leaders (县级领导) and what other cadres do, for the demo's notes.
COUNTY_LEADER_POSTS = ("县委书记", "县长", "县委副书记", "常务副县长", "县委组织部部长", "副县长")

HOME_VISIT_NOTES = (
    "了解家庭收入和务工情况，宣传医保缴费政策。",
    "户主反映房屋漏雨，已记录并报村委会。",
    "询问老人身体状况，讲解高龄补贴申领办法。",
    "宣传森林防火和安全用电知识，户内用电线路老化。",
    "了解孩子上学情况，讲解教育资助政策。",
    "茶叶销路不畅，建议联系合作社统一收购。",
    "反映入户道路雨天泥泞，希望硬化。",
    "核实低保家庭人口变化情况。",
    "家中饮水管道破裂，已联系水务站维修。",
    "帮助办理养老保险认证。",
)
COURTYARD_NOTES = (
    "院坝会：收集到饮水管道老化、通组道路硬化、路灯不足等意见。",
    "院坝会：宣讲惠民政策，群众提出产业发展和技能培训需求。",
    "院坝会：讨论村规民约修订，调解一起宅基地边界纠纷。",
)
FORUM_NOTES = (
    "座谈会：村组干部和群众代表座谈，梳理今年民生实事清单。",
    "座谈会：与县直部门研究农村饮水安全问题。",
)
RECEPTION_NOTES = ("接待日：接待来访群众，登记诉求并当场答复政策咨询。",)
