"""Generated Chinese for synthetic materials: titles, document numbers and bodies made of the
phrases these campaign reports use (行政执法, 复议, 合法性审查, 规范性文件…).

Cutting words is the slow part of indexing (about 10 MB/s with rjieba), so bodies come from a
pool generated once per seed, and every piece of a material (title, number, body, signature) is
cut once and cached. Pieces are joined with newlines, which jieba never cuts across, so the
words of a material put together from cached pieces are exactly what `index_words` gives for
the whole text: the tests check this."""

from __future__ import annotations

import random
from datetime import date

from fazhi.evidence.search import index_words

TOPICS = [
    "行政执法公示制度",
    "执法全过程记录制度",
    "重大执法决定法制审核制度",
    "行政规范性文件合法性审核",
    "重大行政决策程序",
    "行政复议体制改革",
    "行政应诉工作",
    "行政机关负责人出庭应诉",
    "法律顾问和公职律师工作",
    "政务公开",
    "证明事项告知承诺制",
    "法治化营商环境建设",
    "包容审慎监管",
    "双随机一公开监管",
    "信用监管",
    "谁执法谁普法普法责任制",
    "领导干部学法用法",
    "行政执法人员资格管理",
    "行政执法案卷评查",
    "行政裁量权基准",
    "矛盾纠纷多元化解",
    "公共法律服务体系建设",
    "法治督察",
    "行政调解",
    "涉企行政执法检查",
    "审计监督",
    "统计违法行为治理",
    "应急管理法治化",
    "规范性文件备案审查",
    "行政许可事项清单管理",
    "权责清单动态调整",
    "一网通办政务服务",
    "综合行政执法改革",
    "基层法治建设",
    "法治政府建设年度报告",
    "述法工作",
    "行政复议决定履行",
    "合法性审查",
    "府院联动",
    "行政执法协调监督",
]
DOC_KINDS = ["实施办法", "工作方案", "管理规定", "实施细则", "工作规则", "工作机制", "考核办法"]
REFINEMENTS = [
    "制度文件制定情况",
    "制度执行情况及台账",
    "工作总结及成效",
    "典型案例及经验做法",
    "宣传报道及社会评价",
    "统计数据及佐证",
]
SUBJECTS = [
    "我{place}",
    "{place}委依法治{short}办",
    "{place}司法局",
    "各行政执法部门",
    "各镇人民政府、街道办事处",
    "{place}政府各部门",
    "{place}市场监督管理局",
    "{place}综合行政执法局",
]
ACTIONS = [
    "认真贯彻落实习近平法治思想",
    "全面推行行政执法三项制度",
    "严格落实重大行政决策程序规定",
    "扎实开展规范性文件合法性审查",
    "持续深化行政复议体制改革",
    "健全行政机关负责人出庭应诉制度",
    "建立健全行政裁量权基准制度",
    "组织开展行政执法案卷评查",
    "落实谁执法谁普法普法责任制",
    "推进法治政府建设示范创建",
    "完善矛盾纠纷多元化解机制",
    "加强行政执法协调监督工作体系建设",
    "优化法治化营商环境",
    "推行证明事项告知承诺制",
    "规范涉企行政执法检查",
    "加强法律顾问和公职律师队伍建设",
]
RESULTS = [
    "全年审查规范性文件{n}件，纠正问题文件{m}件",
    "公示行政执法信息{n}条",
    "办理行政复议案件{n}件，综合纠错率{p}%",
    "行政机关负责人出庭应诉率达到{p}%",
    "开展法治培训{n}场次，参训{m}人次",
    "评查行政执法案卷{n}卷，整改问题{m}个",
    "调处矛盾纠纷{n}件，调解成功率{p}%",
    "合法性审查率达到{p}%",
    "行政复议决定履行率达到{p}%",
    "清理证明事项{n}项，实行告知承诺{m}项",
    "组织执法人员资格考试{n}人次，通过{m}人",
    "受理政务公开申请{n}件，按期答复率{p}%",
]
CONNECTORS = ["同时，", "此外，", "下一步，", "一是", "二是", "三是", "截至目前，", "通过"]
CLOSINGS = [
    "下一步将持续巩固创建成果，推动法治政府建设迈上新台阶。",
    "请各单位认真贯彻执行，执行中遇到的问题及时报送{place}司法局。",
    "本办法自印发之日起施行。",
    "特此报告。",
    "现将有关情况汇报如下，请审阅。",
]
PHOTO_SUFFIXES = ["现场照片", "会议照片", "宣传活动照片"]
SHEET_SUFFIXES = ["统计表", "台账", "工作台账", "情况统计表"]


def body_text(rng: random.Random, place: str, short: str) -> str:
    """A body of a few hundred characters: sentences of subject, action and figures."""
    sentences = []
    for number in range(rng.randint(4, 7)):
        subject = rng.choice(SUBJECTS).format(place=place, short=short)
        connector = rng.choice(CONNECTORS) if number else ""
        result = rng.choice(RESULTS).format(
            n=rng.randint(12, 1800), m=rng.randint(1, 90), p=rng.randint(85, 100)
        )
        actions = "，".join(rng.sample(ACTIONS, 2))
        sentences.append(f"{connector}{subject}{actions}，{result}。")
    sentences.append(rng.choice(CLOSINGS).format(place=place))
    return "".join(sentences)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class Words:
    """The words of each distinct piece of text, cut once."""

    def __init__(self):
        self._cache: dict[str, list[str]] = {}

    def of(self, piece: str) -> list[str]:
        words = self._cache.get(piece)
        if words is None:
            cut = index_words(piece)
            words = self._cache[piece] = cut.split(" ") if cut else []
        return words

    def joined(self, *pieces: str) -> str:
        """`index_words(*pieces)`, from the cache."""
        words: list[str] = []
        for piece in pieces:
            if piece:
                words.extend(self.of(piece))
        return " ".join(words)


class BodyPool:
    """Bodies generated once per seed, reused across materials."""

    def __init__(self, seed: int, size: int, words: Words):
        self.rng = random.Random(f"{seed}:bodies")
        self.size = size
        self.words = words
        self._bodies: dict[str, list[str]] = {}

    def bodies(self, short: str) -> list[str]:
        """Bodies speak of their region as 我区/区司法局 (or 县, 市), as real documents do, so one
        pool per kind of region serves the whole province; the region's own name is in the
        material's title, issuer and signature."""
        if short not in self._bodies:
            self._bodies[short] = [body_text(self.rng, short, short) for _ in range(self.size)]
        return self._bodies[short]
