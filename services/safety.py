"""Crisis detection: self-harm, suicide, abuse, violence and running away, checked before anything else.

Rules, not scores: a crisis message must never fall below a matching threshold, and the rules are
short enough to review line by line. Chinese rules run on the Simplified, lower-cased text; pinyin
rules only on messages written in pinyin (in Chinese text a pinyin rule would fire on homophones
such as 庆生 for 轻生).
"""

from __future__ import annotations

import re

from intents.normalize import basic_form
from intents.pinyin import looks_like_pinyin, reading

_CHINESE = re.compile(
    "|".join(
        [
            r"自杀|自尽|轻生|寻死|殉情|跳楼|跳河|跳江|割腕|上吊|服毒|吞药|安眠药",
            r"想死|去死|寻短见|不想活|活不下去|活着没(有)?(什么|啥)?(意思|意义|希望)|不如死|死了算了|死了就好",
            r"一了百了|结束(掉)?(我的|自己的|他的|她的|这)?(生命|一切|这条命)|了结(自己|生命)",
            r"离开这个世界|告别这个世界|不想(再)?醒来|想(要)?消失|活够了|没(有)?活下去的",
            r"撑不下去|熬不下去|坚持不下去了|活(着|得)(好|太|真|很|特别|非常)?(累|痛苦|没劲)|遗书|绝笔",
            r"跳下去|跳下来|从楼上跳|天台上|楼顶上|想解脱|就(都)?解脱了|(把|将)?[^。！？!?]{0,8}药[^。！？!?]{0,4}(一次|全部|全)(都)?吃",
            r"我(明天|马上|很快|以后)?(就|也|快)?(要)?不在了|别想我|永别|来生再见|下辈子再见|再也见不到(我|你们)",
            r"伤害自己|自残|自伤|割自己|划自己|打自己|伤害我自己",
            r"虐待|家暴|性侵|猥亵|强奸|性骚扰",
            r"霸凌|欺凌|欺负我|弄死我|杀了我|打死我|要杀|杀人|砍人|持刀|捅人|捅死",
            r"勒索|敲诈|堵我|威胁我|恐吓|(要|抢)(我的?)?钱[^。！？!?]{0,6}(打|揍)|不给就(打|揍)",
            r"(带|拿|揣)(着)?(刀|匕首|棍子|凶器)|(菜刀|水果刀|匕首)[^。！？!?]{0,8}(学校|找人|同学)",
            r"报复(同学|老师|学校|社会)|找人算账|炸(学校|教室)|放火",
            r"(?<![请给])打我(?!电话|手机|的电话)|揍我",
            r"被[^，。,.!?！？\s]{0,12}(打|殴打|揍|抢)(?![工卡印扫算听通开造击败])",
            r"离家出走|失踪|找不到(孩子|子女|人)了|(孩子|娃|小孩|女儿|儿子|闺女)(不见了|失联)",
            r"(孩子|娃|小孩|女儿|儿子|闺女)[^。！？!?]{0,15}((还|都|一直|仍然?)没(有)?回(家|来)|联系不上|找不到了)",
            r"自己(划|割|砍|烫)(的|了|伤)|(刀|刀片|小刀)(划|割)(的|了|伤)",
            r"(手腕|手臂|胳膊|腿)上[^。！？!?]{0,10}(伤口|划痕|伤痕|疤)",
        ]
    )
)

_ENGLISH = re.compile(
    r"\b(suicid\w*|kill(ing)? (my|him|her|them)sel(f|ves)|end (my|his|her|their) (own )?li(fe|ves)"
    r"|want(s|ed)? to die|don'?t want to live|self[- ]?harm\w*|hurt(ing)? (my|him|her|them)sel(f|ves)"
    r"|cut(ting)? (my|him|her|them)sel(f|ves)|abus(e|ed|ing)|beat(s|en|ing)? me|bull(y|ied|ying)"
    r"|ran away from home|run away from home|missing child|overdose|end it all|no reason to live"
    r"|tired of (living|life)|can'?t go on|(child|son|daughter|kid) (is |has gone )?missing"
    r"|(hasn'?t|has not|didn'?t|did not) come home"
    r"|(hits?|hitting|hurts?|hurting|punch(es|ed)?|kick(s|ed)?|touch(es|ed)?|threaten(s|ed)?) me"
    r"|(scared|afraid) to go home|want to disappear|(bring|brought|bringing) a knife)\b"
)

_PINYIN = re.compile(
    r"zisha|qingsheng|xiangsi|buxianghuo|huobuxiaqu|zican|zishang|shanghaiziji|yiliaobailiao"
    r"|jieshushengming|tiaolou|gewan|nuedai|jiabao|bachang|baling|lijiachuzou"
    r"|buzaile|biexiangwo|yongbie|tiaoxiaqu|huozhehaolei|buxiangzaihuo"
)


def is_crisis(text: str) -> bool:
    """Whether the message speaks of self-harm, suicide, abuse, violence or a missing child."""
    basic = basic_form(text)
    if _CHINESE.search(basic) or _ENGLISH.search(basic):
        return True
    if looks_like_pinyin(basic):
        return bool(_PINYIN.search("".join(s for s in reading(basic) if s)))
    return False
