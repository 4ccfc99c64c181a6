"""The safety check, run before anything else: is a message a crisis (suicide, self-harm, abuse,
bullying, violence, a missing child or a child in danger), a concern (distress without explicit
risk), or neither?

The decision is learned (:mod:`intents.crisis_model`, trained on ``faq_data/safety/``): each round
of hand patterns fixed what it was shown and missed the next phrasing, and together with the model
they raised more false alarms than they added crises. The patterns below stay as a second layer:
a message they match is a crisis when the model confirms it, either its distress head on the whole
message (at a level chosen on the validation writers) or its crisis head on the very sentence they
match read alone (a policy question with one desperate clause: the question's words drown the
clause in the whole message's features); otherwise the message is at least a concern, so a crisis
the model misses still gets the line with 110/120 and 12356. Words used in their policy sense
(防欺凌, 预防自杀教育, anti-bullying policy) are set aside first.

Chinese rules run on the Simplified, lower-cased text. Messages written in pinyin are checked
against the readings of a list of Chinese phrases (in Chinese text a reading would fire on
homophones such as 庆生 for 轻生, so readings are never used there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from intents.crisis_model import CrisisModel, default_model_path
from intents.normalize import basic_form
from intents.pinyin import looks_like_pinyin, reading

_WITHIN = "[^。！？!?]"  # written … in the patterns below: any character within one sentence
_BREAK = re.compile(r"[^\w\s]+")
_SENTENCE = re.compile(r"[。！？!?；;\n]+")
# Clauses, for reading a long story a few clauses at a time (:meth:`SafetyCheck.assess`).
_CLAUSE = re.compile(r"[。！？!?；;\n，,]+")

FAMILIES: dict[str, list[str]] = {
    "suicide": [
        r"自杀|自尽|轻生|寻死|寻短见|殉情|跳楼(?!价|大甩卖)|跳河|跳江|跳海|卧轨|割腕|上吊|服毒|喝农药|吞药|安眠药|紫砂",
        r"想死(?!(你|您|他|她|我)(们)?了)|去死|不想活|不想再活|唔想(再)?活|活不下去|不如死|死了算了|死了就好|一了百了",
        r"怎么死|死不痛|怎样才能死|(我|要是我|如果我|我要是|我如果)(死了|不在了)",
        r"结束(掉)?(我的|自己的|他的|她的|这)?(生命|一切|这条命)|了结(自己|生命)",
    ],
    "suicide_indirect": [
        r"离开这个世界|告别这个世界|(拜拜|再见了?|永别了?)(这个)?世界|永别|来生再见|下辈子|来世",
        r"不想(再)?醒(来|过来)|不用(再)?醒来|再也不(用)?醒|再也醒不来|醒不过来就好",
        r"想(要)?消失|活够了|没(有)?活下去的|撑不下去|熬不下去|坚持不下去了|看不到(一点|任何)?希望|彻底解脱",
        r"消失…{0,8}(没人|没有人)(会)?(在意|在乎|关心|发现)|(世界|这个家|大家)少了我|少了我(也)?(没差|没关系|无所谓|一样)",
        r"不会再(麻烦|打扰|拖累)(大家|你们|爸妈|任何人)|(一切|什么)都(该|要)?结束了|(桥|楼|大桥)…{0,10}(多高|高度)",
        r"活(着|得)(好|太|真|很|特别|非常)?(累|痛苦|没劲|没意思)|活着没(有)?(什么|啥)?(意思|意义|希望)",
        r"遗书|绝笔|遗言|最后(一|1)(条|次)(说说|朋友圈|动态|消息|发)|(没有|没)(以后|明天)了|过了今晚(就)?(没|不会|再也)",
        r"我先走了…{0,10}(对不起|别等|再见|以后)|(对不起|帮我)…{0,12}我先走了|(别|不用|不要)(再)?等我|不用(再)?找我|再也见不到(我|你们)|别想我|我(明天|马上|很快|今晚|以后)?(就|也|快)?(要)?不在了",
        r"以后(都|也)?用不(上|着)了|(用不上|用不着)了…{0,6}送",
        r"(东西|书|手办|玩具|遗物|宝贝)…{0,8}送(给)?(你们|同桌|同学|朋友|大家|别人|了)",
        r"没有我(大家|你们|他们|爸妈)?(会)?(更好|更轻松)|我是(个)?(累赘|拖累)",
        r"跳下去|跳下来|从楼上跳|(站|坐|爬|蹲)(在|上)(了)?(天台|楼顶|顶楼|窗台|桥上)|(天台|楼顶|顶楼)(上)?的?风",
        r"想解脱|就(都)?解脱了|(阳台|窗户|楼上|桥上|楼顶|顶楼)…{0,4}(跳)?下去|下去就不(上来|回来)|不想再回去了",
        r"没(有)?人(会)?(在乎|在意|关心)我|永远的晚安|谢谢你们(陪|照顾)(过)?我|以后不用再(给我|为我|管我)|钱留着给",
        r"人死(的时候)?(会不会|痛不痛|疼不疼)|死(的时候)?会不会(痛|疼)|(全家|家里)的?(拖累|累赘)|我走了…{0,6}(轻松|好过)",
        r"药…{0,6}(一次|1次|全部|全)(都)?吃",
    ],
    "self_harm": [
        r"伤害自己|伤害我自己|自残|自伤|割自己|划自己|打自己|划手|割手|划胳膊|刀痕|割伤|划伤|刀伤",
        r"用(刀|刀片|圆规|小刀|美工刀|剪刀)…{0,8}(划|割|刻|扎)",
        r"(手腕|手臂|胳膊|大腿|腿|身上)上?…{0,10}(伤口|划痕|伤痕|刀痕|割伤|疤|刻字)",
        r"(划|割)了自己|血止不住|(头|脑袋)往墙上撞|(拿|用)头撞墙|撞墙撞到|疼的时候才|扎自己|想划(?!水|船|算|拳|片区)|(打火机|烟头)(烫|烧)(自己|手|胳膊)|自己(划|割|砍|烫|弄)(的|了|伤)|(刀|刀片|小刀)(划|割)(的|了|伤)",
    ],
    "poison_or_danger": [
        r"吞了…{0,6}药|吃了(一把|一瓶|很多|好多|整瓶)…{0,3}(药|片)|叫不醒|喝了(农药|洗衣液|消毒液|84)",
        r"误(喝|服|食|吃)|百草枯|洁厕灵|洗衣(凝珠|液)|农药|晕倒|被电(到|击)|趴在地上不动|(吃|喝)了(大半|半|一整|整|1整)瓶|当糖吃|叫不(太)?醒|叫(他|她)?没(有)?反应|呼吸(很)?弱|喘不上气|沉下去|没浮上来|水涨上来",
        r"(吃|吞)了…{0,6}(\d{2,}|[二三四五六七八九]?十)几?多?(片|粒|颗)|(一|1|整)(整)?(瓶|盒|板)…{0,4}(安眠药|药片|药)",
        r"掉(进)?[^。！？!?\s]{0,3}(河|塘|水|江|海|井|湖)里|落水了|溺水了|快救命|救救(我|他|她|孩子|我们)|着火了",
        r"被[^。！？!?\s]{0,3}(车|电瓶车|电动车|汽车|摩托车)(给)?撞|躺在(路上|地上)不动|(要|快)(掉|摔)下去|空调外机|阳台外面",
        r"往(车|车上|面包车)(里|上)?(拽|拉|拖|塞)|(拽|拖|抱|拉)(上车|走了)|卡在(电梯|栏杆|两层|井里)|(电梯|栏杆)…{0,6}卡住|(站|爬)在(窗台|窗户外|阳台外)",
        r"(一直|有人|陌生人|陌生男|陌生的)…{0,8}跟着我|不敢出去|不敢回家|躲在(房间|屋里|床底|柜子|厕所)",
    ],
    "abuse": [
        r"虐待|家暴|青一块紫一块|浑身是伤|烟头烫|不给(我)?饭吃|锁在(阳台|门外|屋里|房间|厕所|家里|小黑屋)|被关在",
        r"身上…{0,4}(伤|淤青|青紫)",
        r"(爸|妈|继父|继母|后爸|后妈|叔叔|舅舅|姑父|爷爷|哥哥|老师)…{0,6}打(我|他|她|妈妈|我妈|我们)",
        r"喝醉(了)?(就|又)?(打|揍|骂)|打到…{0,6}(听不见|看不见|流血|骨折)|轮着打|别打了|砸东西|(没|没有)东西吃|(几|好几|[2-9两三四五])天没(吃|饭)|掰断|推下(去|楼梯|楼)",
        r"饿了(两|三|几|好几|[2-9])天",
        r"(?<![请给])打我(?!电话|手机|的电话)|揍我",
        r"被[^，。,.!?！？\s]{0,12}(打|殴打|揍|抢)(?![工卡印扫算听通开造击败])",
    ],
    "sexual_abuse": [
        r"性侵|猥亵|强奸|性骚扰|裸照|色情(图|消息|视频|短信)|脱(我|她|他)的?衣服",
        r"脱(裤子|衣服)|(开视频|视频)脱|摸(我|她|他)|进我(的)?房间|(让|叫|要)我不要说|不能告诉别人|(别|不要)告诉(别人|你妈|妈妈|爸爸|老师|爸妈|父母|家长|任何人)",
        r"强迫(我|她|他)?…{0,4}(发生|做|脱)|没穿衣服的(照片|视频)|私密(照|视频)|(约|叫)(我|她|他)…{0,10}(酒店|宾馆|开房)",
        r"不敢(跟|和|对)?(任何人|别人|家里|爸妈|父母)说|对我做了(那种|那样的|这种)?事",
    ],
    "bullying": [
        r"霸凌|欺凌|欺负(我|他|她)|被欺负|勒索|敲诈|保护费|堵我|威胁我|恐吓|孤立我",
        r"(要|抢)(我|他|她)?(的)?钱…{0,8}(打|揍)|不给就(打|揍|把)",
        r"(同学|他们|几个|高年级|那几个|男生|女生|混混)…{0,6}(跟|管|向)(我|他|她)要钱",
        r"逼(着)?(我|他|她)?(喝|吃|跪|脱)|按在(厕所|地上)|(天天|每天|经常)(被)?(打我|骂我|被打)",
        r"吐口水|地址(发|公布|贴)出来|人肉(我|他|她)|(逼|让)(我|他|她)?(给他们)?跪|按进(厕所|马桶|水里)|扒(裤子|衣服)|关在阳台|让我(在学校)?待不下去|(发|p)我的照片…{0,4}骂",
    ],
    "violence": [
        r"磨好了|杀了(他|她|你)|弄死(他|她|你)|弄死我|杀了我|打死我|要杀|杀人|砍人|持刀|捅人|捅死|见血|群殴|约架|想(弄|杀|砍|捅)死|汽油",
        r"(找|去|跟)…{0,8}拼命(?!学|工作|干|读|练|复习)",
        r"刀…{0,6}(买好|准备好|带了|藏好)",
        r"(带|拿|揣|藏)(着|著|了)?(一把)?(刀|匕首|弹簧刀|棍子|钢管|凶器)|菜刀|水果刀|匕首|弹簧刀|钢管",
        r"报复(同学|老师|学校|社会)|找人算账|炸(学校|教室)|放火",
    ],
    "missing": [
        r"离家出走|失踪|走失|失联|找不到(孩子|子女|人)了|(孩子|娃|小孩|女儿|儿子|闺女)(不见了|失联)",
        r"(孩子|娃|小孩|女儿|儿子|闺女|学生)…{0,15}((还|都|一直|仍然?)?没(有)?回(家(?!乡)|来)|联系不上|找不到(了|人)|关机)",
        r"不想再回(这个)?家|再也不回(去|来|家)|别找我|没回(寝室|宿舍)|(骗|哄|拉)…{0,8}跟(他|她)走|少了(一|1)个(孩子|学生|人)|到处(都)?找不到|去见网(上|友)|走丢|根本没到|没到学校|纸条…{0,12}走了",
    ],
}

_ENGLISH = re.compile(
    r"\b(suicid\w*|kill(ing)? (my|him|her|them)sel(f|ves)|end (my|his|her|their) (own )?li(fe|ves)"
    r"|want(s|ed)? to die|don'?t want to live|self[- ]?harm\w*|hurt(ing)? (my|him|her|them)sel(f|ves)"
    r"|cut(ting)? (my|him|her|them)sel(f|ves)|abus(e|ed|ing)|beat(s|en|ing)? me|bull(y|ied|ying)"
    r"|ran away from home|run away from home|missing child|overdose|end it all|no reason to live"
    r"|tired of (living|life)|can'?t go on|(child|son|daughter|kid) (is |has gone )?missing"
    r"|(hasn'?t|has not|didn'?t|did not) come home|better off without me|no point (anymore|in living)"
    r"|(hits?|hitting|hurts?|hurting|punch(es|ed)?|kick(s|ed)?|touch(es|ed|ing)?|threaten(s|ed)?) me"
    r"|(scared|afraid) to go home|want to disappear|(bring|brought|bringing) a knife"
    r"|(letters?|notes?) to my (parents|mum|mom|dad|family|friends?)|goodbye (letter|note)"
    r"|cutting (her|his|my|their) (arms?|thighs?|wrists?|legs?)|cuts on (her|his|my) \w+"
    r"|(sexual|nude|naked|explicit) (messages|photos|pictures|images)|keep it (a )?secret"
    r"|(following|followed) me|drowning|swallowed (pills|a bottle|tablets)|won'?t wake up"
    r"|kill (me|myself|him|her|them)|can'?t do this anymore|goodbye everyone|no ?one would (care|notice)"
    r"|(took|swallowed|ate) (a|the|my|her|his)? ?(whole )?(bottle|pack|box)|sleeping pills"
    r"|has been missing|missing since|fell (in|into) the (river|lake|water|pool|sea)|help\s*!+"
    r"|(hit|run over) by a (car|bus|truck|bike|scooter)|won'?t need (any of )?(it|this|them|my)"
    r"|deleted (all )?my accounts|gave away|burns? on (her|his|my)|ran away|locks? me in|no food"
    r"|asking (me )?for (pics|photos|pictures)|show my parents|drank (bleach|poison)|bleach"
    r"|window ledge|picture of a knife|not breathing|not responding|chok(es|ed|ing) (him|her|me)"
    r"|bruises|(send|sending|sent) (pics|photos|nudes|pictures)|without clothes|nudes|\bguns?\b|shoot"
    r"|locked in the car|kneel|slapp(ing|ed)|filmed (it|him|her|me)|fell into)\b"
)

# Said in their policy sense, these words are a question about policy, not a cry for help.
_POLICY_SENSE = re.compile(
    r"(防|预防|反|防范|防治|杜绝|治理|远离)(校园|青少年|学生|中小学生|未成年人)?(欺凌|霸凌|性侵|自杀|溺水|家暴|暴力|伤害)"
    r"|(欺凌|霸凌|性侵|自杀|溺水|家暴)(的)?(防治|预防|防范|教育|制度|政策|课程|宣传|专项|举报|处理流程|流程)"
    r"|怎么处理(校园)?(欺凌|霸凌)"
    r"|anti-?bullying|suicide prevention|bullying (policy|policies|prevention)"
)

# Chinese phrases whose readings are searched in messages written in pinyin.
PINYIN_PHRASES = (
    "自杀", "轻生", "想死", "不想活", "活不下去", "自残", "自伤", "伤害自己", "一了百了", "结束生命",
    "跳楼", "跳下去", "割腕", "割手", "划手", "刀片", "虐待", "家暴", "霸凌", "欺凌", "离家出走",
    "不在了", "别想我", "永别", "活着好累", "不想再活", "不想醒", "再也不醒", "醒不来", "打我了",
    "要打我", "不给就打", "跟我要钱", "找不到人了", "还没回家", "没回家", "联系不上", "性侵",
    "摸我", "救命", "不敢回家", "找不到了", "安眠药", "不会再麻烦", "都该结束了", "打我了", "好害怕",
    "躲在床底", "喝醉了打", "割自己", "叫不醒", "不见了", "走丢了", "带刀", "砍我", "弄死我",
    "威胁我", "给他们跪下", "掉进水里", "快来人", "每天打我",
)

# Long phrases (three syllables or more) also checked by sound in Chinese text, so a homophone typo
# (不想或了 for 不想活了) is still heard; short ones would fire on ordinary words (庆生 for 轻生).
HOMOPHONE_PHRASES = (
    "不想活", "活不下去", "不想再活", "一了百了", "结束生命", "伤害自己", "离家出走", "活着好累",
    "再也不醒", "跳下去", "割手腕", "想自杀",
)

_CRISIS = re.compile("|".join(p.replace("…", _WITHIN) for family in FAMILIES.values() for p in family))


@lru_cache(maxsize=2)
def _sound_rule(phrases: tuple[str, ...]) -> re.Pattern[str]:
    keys = {"".join(s for s in reading(p) if s) for p in phrases}
    return re.compile("|".join(sorted(k for k in keys if k)))


def _sounds(text: str) -> str:
    """The syllables run together, with a space where the text breaks (a phrase never spans one)."""
    return " ".join("".join(s for s in reading(chunk) if s) for chunk in _BREAK.split(text))


def is_crisis(text: str) -> bool:
    """Whether the message speaks of suicide, self-harm, abuse, bullying, violence, a missing
    child or a child in danger."""
    basic = _POLICY_SENSE.sub(" ", basic_form(text))
    if _CRISIS.search(basic) or _ENGLISH.search(basic):
        return True
    if looks_like_pinyin(basic):
        return bool(_sound_rule(PINYIN_PHRASES).search(_sounds(basic)))
    return bool(_sound_rule(HOMOPHONE_PHRASES).search(_sounds(basic)))


Tier = Literal["crisis", "concern", "none"]
# A concern this sure of the distress head is plainly distress: a message that asked nothing the
# content answers gets the supportive reply instead of the "not found" (which has the numbers too).
CLEAR_DISTRESS = 0.5
# A long story where the danger is one clause ("...考砸了，我妈说别回家了，我想了很久是真的想死，
# 信写好了...") reads, whole, as mostly ordinary words: the L2 norm dilutes the clause. Such a
# message is also read WINDOW_CLAUSES clauses at a time, and a window the crisis head is at least
# WINDOW_THRESHOLD sure of (with the distress head over its threshold on the same window) makes
# it a crisis. Chosen on the validation writers and the earlier fresh sets h1–h6 (development
# sets by then): three clauses at 0.95 found 6 more of their 1,645 crises for 1 more false alarm
# in 1,769 hard negatives; two clauses or lower levels raised more false alarms (the "years ago"
# clause of a past event falls outside a short window), four found fewer.
WINDOW_CLAUSES = 3
WINDOW_THRESHOLD = 0.95
WINDOW_MIN_CHARS = 40


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the safety check decided about one message, and on what."""

    tier: Tier
    probability: float  # the model's crisis probability
    distress: float  # the model's distress (crisis or concern) probability
    by: Literal["model", "rules", "window", ""]  # what put it in its tier ("" for none)

    @property
    def clear_distress(self) -> bool:
        """Whether the distress head is sure (see :data:`CLEAR_DISTRESS`)."""
        return self.distress >= CLEAR_DISTRESS


class SafetyCheck:
    """The three tiers: the model's crisis head, or the patterns confirmed by its distress head,
    decide a crisis; else the distress head or the patterns make a concern; else none."""

    def __init__(self, model: CrisisModel) -> None:
        self.model = model

    @classmethod
    def load(cls, path: str | Path | None = None) -> SafetyCheck:
        """The check with the model file at ``path`` (default: the one shipped in the package)."""
        return cls(_model(str(path or default_model_path())))

    def assess(self, text: str) -> Assessment:
        """The message's tier."""
        model = self.model
        crisis, distress = model.probabilities(text)
        # The tiers nest: a crisis is distress too. The network alone can be sure of a phrase
        # it learned from crises ("小区门口" of a child taken at the gate) in a message the
        # distress head reads as plain ("小区门口的快递柜怎么用"); such a message is a concern,
        # so it still shows the numbers without the crisis reply and a staff alert.
        sure = crisis >= model.threshold
        if sure and distress >= model.distress_threshold:
            return Assessment("crisis", crisis, distress, "model")
        matched = is_crisis(text)
        if matched and (distress >= model.rules_confirm or self._sentence_confirms(text)):
            return Assessment("crisis", crisis, distress, "rules")
        if self._window_confirms(text):
            return Assessment("crisis", crisis, distress, "window")
        if sure or distress >= model.distress_threshold:
            return Assessment("concern", crisis, distress, "model")
        if matched:
            return Assessment("concern", crisis, distress, "rules")
        return Assessment("none", crisis, distress, "")

    def _sentence_confirms(self, text: str) -> bool:
        """Whether a sentence the patterns match is a crisis to the model, read on its own."""
        sentences = [s for s in _SENTENCE.split(text) if s.strip()]
        return len(sentences) > 1 and any(
            is_crisis(s) and self.model.probability(s) >= self.model.threshold for s in sentences)

    def _window_confirms(self, text: str) -> bool:
        """Whether a few consecutive clauses of a long message are, on their own, a crisis."""
        if len(text) < WINDOW_MIN_CHARS:
            return False
        clauses = [c for c in _CLAUSE.split(text) if c.strip()]
        if len(clauses) <= WINDOW_CLAUSES:  # one window would be the whole message again
            return False
        model = self.model
        for i in range(len(clauses) - WINDOW_CLAUSES + 1):
            crisis, distress = model.probabilities("，".join(clauses[i:i + WINDOW_CLAUSES]))
            if crisis >= WINDOW_THRESHOLD and distress >= model.distress_threshold:
                return True
        return False

    def tier(self, text: str) -> Tier:
        """Only the tier (for scoring)."""
        return self.assess(text).tier


@lru_cache(maxsize=4)
def _model(path: str) -> CrisisModel:
    """Each model file read once per process (it is a few MB of JSON)."""
    return CrisisModel.load(path)
