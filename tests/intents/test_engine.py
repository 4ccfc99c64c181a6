"""Engine: ranking, thresholds, ambiguity, the index, and separation from one shared word."""

import pytest

from intents import DecisionConfig, FaqEntry, IntentEngine, Normalizer, Source, decide

SOURCE = Source(document="温州市教育局2024年工作要点", number="温教发〔2024〕1号", section="一、1")


def entry(entry_id: str, *questions: str, keywords: tuple[str, ...] = ()) -> FaqEntry:
    return FaqEntry(id=entry_id, topic=entry_id.split(".")[0], title=questions[0],
                    questions=questions, keywords=keywords, answer=f"answer of {entry_id}",
                    source=SOURCE)


ENTRIES = [
    entry("enrollment.eligibility", "随迁子女能在温州入学吗", "外来用工子女入学政策",
          "Can migrant children go to school in Wenzhou", keywords=("随迁子女",)),
    entry("enrollment.share", "随迁子女公办学校就读比例是多少", "公办比例89.38%"),
    entry("honors.santan", "三坛教师评了多少名", "市三坛教师", keywords=("三坛",)),
    entry("honors.retire", "教职工荣誉退休制度是什么", "荣誉退休"),
    entry("schools.building", "学校新改扩建项目有多少个", "中小学新建学校"),
    entry("safety.kitchen", "学校食堂阳光厨房覆盖率", "阳光厨房"),
]


def outcome(engine: IntentEngine, text: str, config: DecisionConfig | None = None) -> str:
    """What the one decision makes of the engine's ranking."""
    return decide(engine.match(text), config or DecisionConfig(), engine.linked).outcome


@pytest.fixture(scope="module")
def small() -> IntentEngine:
    return IntentEngine(ENTRIES, Normalizer({"孩子": "子女", "上学": "入学"}))


def test_ranks_the_right_entry_first(small):
    result = small.match("随迁子女可以在温州上学吗")
    assert outcome(small, "随迁子女可以在温州上学吗") == "answer"
    assert result.best.entry_id == "enrollment.eligibility"
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)


def test_typo_pinyin_traditional_and_english_reach_the_entry(small):
    for text in ("随千子女能入学吗", "suiqian zinv ruxue", "隨遷子女入學", "migrant children school"):
        assert small.match(text).best.entry_id == "enrollment.eligibility", text


def test_one_common_word_is_not_a_match(small):
    """学校 and 温州 are shared by many entries: they must not carry an unrelated question."""
    for text in ("学校几点放学", "温州明天天气怎么样", "老师工资什么时候发"):
        assert outcome(small, text) == "fallback", (text, small.match(text).candidates[:2])


def test_real_match_scores_well_above_a_one_word_overlap(small):
    real = small.match("三坛教师有多少名").best.score
    noise = small.rank("学校门口卖什么早饭")
    assert real > 0.5
    assert not noise or noise[0].score < real - 0.3


def test_threshold_decides_fallback():
    engine = IntentEngine(ENTRIES)
    assert outcome(engine, "三坛教师多少") == "answer"
    assert outcome(engine, "三坛教师多少", DecisionConfig(threshold=0.99)) == "fallback"


def test_close_scores_ask_for_clarification():
    twins = [entry("honors.a", "荣誉退休制度"), entry("honors.b", "荣誉退休办法")]
    engine = IntentEngine(twins)
    result = engine.match("荣誉退休")
    assert outcome(engine, "荣誉退休", DecisionConfig(ambiguity_gap=0.2)) == "clarify"
    assert {c.entry_id for c in result.candidates[:2]} == {"honors.a", "honors.b"}


@pytest.mark.parametrize("text", ["", "   ", "？！。", "🙂🙂🙂"])
def test_empty_or_symbol_only_input_matches_nothing(small, text):
    result = small.match(text)
    assert outcome(small, text) == "fallback"
    assert result.candidates == ()


def test_candidates_come_from_the_index_not_a_scan(small):
    query = small.query("三坛教师")
    candidates = small._candidates(query)
    entries = {small._phrasings[i].entry for i in candidates}
    assert entries == {2}  # only the 三坛 entry shares a feature with the message


def test_duplicate_ids_are_rejected():
    from intents import FaqDataError

    with pytest.raises(FaqDataError):
        IntentEngine([ENTRIES[0], ENTRIES[0]])


def test_hedges_and_particles_do_not_drown_the_question(small):
    """A parent's 听说……是不是真的, 俺家 and 吗/呢 say how they ask, not what: the same question
    wrapped in them scores about as well as it does bare."""
    bare = small.match("随迁子女能在温州入学").best
    wrapped = small.match("请问一下，俺家听说随迁子女能在温州入学，是不是真的呢？").best
    assert wrapped.entry_id == bare.entry_id == "enrollment.eligibility"
    assert wrapped.score >= bare.score - 0.15


def test_fillers_are_not_features():
    from intents.features import extract

    feats = extract("请问俺家随迁子女是不是真的能入学吗")
    assert "w:随迁" in feats and "w:入学" in feats
    assert not {"w:请问", "w:俺家", "w:是不是", "w:真的"} & feats
    assert "b:问俺" not in feats and "b:的能" not in feats  # no bigram spans a cut-out filler


def test_a_detail_question_goes_to_the_entry_whose_phrasings_cover_it_together():
    """The overview has the topic's name as a phrasing, which a longer question contains whole;
    the detail entry names the topic in one phrasing and the detail in another. A question with
    both belongs to the detail entry."""
    engine = IntentEngine([
        entry("enrollment.overview", "外来用工子女入学", "随迁子女入学政策介绍"),
        entry("enrollment.awards", "外来用工子女入学改革获得了哪些荣誉", "调研课题评了几等奖"),
        entry("honors.santan", "三坛教师评了多少名", "市三坛教师"),
    ])
    result = engine.match("外来用工子女入学改革的调研课题被评了几等奖")
    assert result.best.entry_id == "enrollment.awards", result.candidates[:2]


def test_a_one_word_subject_is_asked_about_not_answered():
    """政策 or 基金 alone names a subject several entries share; the user is asked which one. A
    word that is itself one of the best entry's phrasings (阳光厨房) is answered."""
    engine = IntentEngine([
        entry("honors.fund_a", "弘远校长奖励培育基金有多少", "校长基金"),
        entry("honors.fund_b", "乡村教师筑梦培育基金有多少", "乡村教师基金"),
        entry("safety.kitchen", "学校食堂阳光厨房覆盖率", "阳光厨房"),
    ])
    loose = DecisionConfig(threshold=0.2)
    assert outcome(engine, "基金", loose) == "clarify", engine.match("基金").candidates[:2]
    assert outcome(engine, "阳光厨房", loose) == "answer"


def test_a_follow_up_swaps_the_detail_it_changes():
    from intents.decision import swap_slots

    assert swap_slots("2023年小学的比例是多少", "那2024年高中呢") == "2024年高中的比例是多少"
    assert swap_slots("学生可以用温心有约吗", "老师呢") == "老师可以用温心有约吗"
    assert swap_slots("温心有约是什么", "要钱吗") == "温心有约是什么"
