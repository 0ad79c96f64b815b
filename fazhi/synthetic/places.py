"""Names of the synthetic province: its cities and counties, the units of each region and the
people in them. Codes start with 99, which no real division uses, so the demo data (枣庄市…)
never collides with them."""

from __future__ import annotations

import random

PROVINCE_CODE = "990000"
PROVINCE_NAME = "示范省"
CITY_STEMS = [
    "东岳",
    "青川",
    "临河",
    "南湖",
    "北原",
    "西林",
    "安平",
    "清远",
    "云台",
    "华阳",
    "沂阳",
    "泰和",
    "凤鸣",
    "白石",
    "金水",
    "长宁",
]
COUNTY_STEMS = [
    "城中",
    "东城",
    "西城",
    "河东",
    "高新",
    "青山",
    "石门",
    "龙泉",
    "桃源",
    "柳河",
    "松岭",
    "平川",
    "望海",
    "新安",
    "永丰",
    "广德",
    "太平",
    "宁远",
    "兴隆",
    "嘉禾",
]
TOWN_STEMS = [
    "中心街",
    "文化路",
    "光明路",
    "建设路",
    "龙山",
    "凤凰",
    "杏花",
    "柳林",
    "孟庄",
    "齐村",
    "永安",
    "西王庄",
    "马场",
    "石桥",
    "双河",
    "红旗",
    "黄庄",
    "李集",
    "张楼",
    "刘湾",
    "白庙",
    "陈店",
    "高桥",
    "新集",
]

# (short name after the region's prefix 区/县/市, full name after the region's full name, code,
# kind, doc-number word). The short names cover those the demo framework's lead/responsible
# columns use ("区司法局", "区委组织部"…), so items get the units the table names.
DEPARTMENTS = [
    ("委依法治{p}办", "委全面依法治{p}委员会办公室", "yfz", "office", "法治办"),
    ("委办", "委办公室", "wb", "office", "委办"),
    ("政府办", "人民政府办公室", "zfb", "office", "政办"),
    ("委组织部", "委组织部", "zzb", "department", "组"),
    ("委政法委", "委政法委员会", "zfw", "department", "政法"),
    ("委编办", "委机构编制委员会办公室", "bb", "office", "编办"),
    ("司法局", "司法局", "sfj", "department", "司"),
    ("发改局", "发展和改革局", "fgj", "department", "发改"),
    ("教育和体育局", "教育和体育局", "jtj", "department", "教体"),
    ("公安分局", "公安分局", "gaj", "department", "公"),
    ("民政局", "民政局", "mzj", "department", "民"),
    ("财政局", "财政局", "czj", "department", "财"),
    ("人社局", "人力资源和社会保障局", "rsj", "department", "人社"),
    ("自然资源局", "自然资源和规划局", "zrj", "department", "自然资源"),
    ("住建局", "住房和城乡建设局", "zjj", "department", "建"),
    ("城管局", "城市管理局", "cgj", "department", "城管"),
    ("交通运输局", "交通运输局", "jtysj", "department", "交"),
    ("农业农村局", "农业农村局", "nyj", "department", "农"),
    ("商务局", "商务局", "swj", "department", "商"),
    ("文旅局", "文化和旅游局", "wlj", "department", "文旅"),
    ("卫健局", "卫生健康局", "wjj", "department", "卫健"),
    ("应急局", "应急管理局", "yjj", "department", "应急"),
    ("审计局", "审计局", "sjj", "department", "审"),
    ("市场监管局", "市场监督管理局", "scjgj", "department", "市监"),
    ("统计局", "统计局", "tjj", "department", "统"),
    ("医保局", "医疗保障局", "ybj", "department", "医保"),
    ("综合行政执法局", "综合行政执法局", "zhzf", "department", "综执"),
    ("行政审批服务局", "行政审批服务局", "spj", "department", "审批"),
    ("大数据中心", "大数据中心", "dsj", "department", "数据"),
    ("生态环境分局", "生态环境分局", "sthj", "department", "环"),
    ("信访局", "信访局", "xfj", "department", "信"),
    ("退役军人事务局", "退役军人事务局", "tyjr", "department", "退役"),
    ("水务局", "水务局", "swuj", "department", "水"),
    ("科技局", "科学技术局", "kjj", "department", "科"),
    ("工信局", "工业和信息化局", "gxj", "department", "工信"),
    ("林业局", "林业局", "lyj", "department", "林"),
    ("档案馆", "档案馆", "dag", "other", "档"),
    ("融媒体中心", "融媒体中心", "rmt", "other", "融媒"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = (
    "敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰芳燕红建国晓琳文博思雨建华骏国栋卫东海燕立新德明"
)


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def city_name(index: int) -> str:
    return f"{CITY_STEMS[index % len(CITY_STEMS)]}市"


def county_name(city_index: int, index: int) -> str:
    """Names are unique within a city; the first three of each city are districts (区)."""
    stem = COUNTY_STEMS[(city_index * 3 + index) % len(COUNTY_STEMS)]
    return f"{stem}{'区' if index < 3 else '县'}"


def town_names(rng: random.Random, count: int) -> list[str]:
    stems = rng.sample(TOWN_STEMS, count)
    return [f"{stem}{'街道' if n < count // 2 else '镇'}" for n, stem in enumerate(stems)]
