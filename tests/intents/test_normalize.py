"""Normalisation: every family of variant a parent types reaches the same form as the content."""

import pytest

from intents.normalize import Normalizer, basic_form, strip_symbols
from intents.numerals import convert_numerals
from intents.pinyin import looks_like_pinyin, reading, split_syllables

SYNONYMS = {"娃": "子女", "孩子": "子女", "打工": "外来用工", "外地": "随迁", "上学": "入学",
            "kids": "children"}


@pytest.fixture(scope="module")
def normalize() -> Normalizer:
    return Normalizer(SYNONYMS)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("溫心有約是什麼平台", "温心有约是什么平台"),  # Traditional -> Simplified
        ("隨遷子女", "随迁子女"),
        ("ＡＢＣ１２３", "abc123"),  # full-width letters and digits
        ("Hello World", "hello world"),  # case
        ("三坛教师？？！！", "三坛教师"),  # punctuation
        ("🔥🔥公办比例🔥", "公办比例"),  # emoji
        ("89.38%是多少", "89.38%是多少"),  # a decimal point and a percent sign survive
    ],
)
def test_basic_families(normalize, typed, expected):
    assert normalize(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("百分之九十", "90%"),
        ("三十五点七三亿元", "35.73亿元"),
        ("一千万", "1000万"),
        ("六万六千人", "66000人"),
        ("七部门", "7部门"),
        ("十项举措", "10项举措"),
        ("能到九成吗", "能到90%吗"),
        ("第四十个教师节", "第40个教师节"),
        ("二〇二四年", "2024年"),
        # numerals inside words are left alone
        ("一生一导师群", "一生一导师群"),
        ("中高职一体化", "中高职一体化"),
        ("一了百了", "一了百了"),
        ("千校结好", "千校结好"),
    ],
)
def test_chinese_numerals(typed, expected):
    assert convert_numerals(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("外地娃上学", "随迁子女入学"),
        ("打工的孩子", "外来用工的子女"),
        ("more kids", "more children"),
        ("skids", "skids"),  # English synonyms match whole words only
    ],
)
def test_synonyms(normalize, typed, expected):
    assert normalize(typed) == expected


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("随千子女", "随迁子女"), ("心里咨询", "心理咨询"), ("三摊教师", "三坛教师"),
     ("变力化", "便利化"), ("比历", "比例"), ("筑梦陪育", "筑梦培育")],
)
def test_homophone_typos_share_the_pinyin_reading(typo, meant):
    assert reading(basic_form(typo)) == reading(basic_form(meant))


def test_pinyin_input_is_read_as_syllables_with_synonyms(normalize):
    assert normalize("waidi haizi shangxue") == "sui qian zi nv ru xue"
    assert normalize("suiqian zinv ruxue") == "sui qian zi nv ru xue"


@pytest.mark.parametrize(
    ("text", "is_pinyin"),
    [("suiqian zinv ruxue", True), ("wo xiang zisha", True), ("jiating shiyanshi duoshao ge", True),
     ("what is the target share", False), ("Thank you so much", False), ("随迁子女", False)],
)
def test_pinyin_or_english(text, is_pinyin):
    assert looks_like_pinyin(text) is is_pinyin


def test_split_syllables_prefers_fewest_syllables():
    assert split_syllables("xiangcun") == ["xiang", "cun"]
    assert split_syllables("hello") is None


def test_strip_symbols_keeps_words_apart():
    assert strip_symbols("温心有约,师生家长") == "温心有约 师生家长"
