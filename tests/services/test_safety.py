"""Crisis rules, message by message: what must get the crisis reply, and everyday worries that
must not (a false alarm frightens a parent and buries the answer they asked for)."""

import pytest

from services.safety import is_crisis

CRISES = [
    "我想自杀",
    "活着好累，想结束这一切",
    "😭😭 活得太痛苦了",
    "不想再醒来了",
    "我活够了",
    "撐不下去了，想結束一切",
    "孩子放学到现在还没回家，电话也打不通",
    "我女儿联系不上了，已经一天了",
    "娃不见了怎么办",
    "我孩子放学到现在都没回家，电话也打不通",
    "女儿手臂上有好多伤口，她说是自己划的",
    "同学天天欺负我",
    "wo xiang zisha",
    "I just want to end it all",
    "My son hasn't come home since yesterday",
    "I'm so tired of living",
    "想把攒的药一次全吃了",
    "孩子手腕上有好多一道一道的划痕",
    "几个男生天天堵我要钱，不给就打",
    "有同学说明天要带刀来学校",
    "站在楼顶上，跳下去就解脱了",
    "明天我就不在了，大家别想我",
    "ming tian wo jiu bu zai le",
    "my dad hits me when I get home late",
    "I'm scared to go home",
    "我把我的书都送给同学了，以后用不上了",
    "晚安，以后都不用等我了",
    "她在朋友圈发了最后一条动态",
    "邻居家孩子身上全是淤青，还被关在门外",
    "补课老师摸我，还让我不要说",
    "有几个高年级的跟我要钱",
    "孩子掉进河里了快救命",
    "女儿说去见网友，现在联系不上",
    "wo ba you da wo le",
    "haizi hai mei huijia",
    "everyone would be better off without me",
    "she's been cutting her arms",
    "真的不想或了",
    "我想离家出奏",
    "我要是死了，爸妈就轻松了",
    "看不到任何希望了",
    "以后不会再麻烦你们了",
    "这个家少了我也一样",
    "刚吃了十几片感冒药",
    "有个小孩掉池塘里了",
    "孩子被电动车撞了",
    "有人把孩子往面包车里拽",
    "网友约我去酒店见面，还说别告诉爸妈",
    "爸爸喝醉了就打人，我躲在房间里",
    "He said he would kill me",
    "my brother has been missing since Monday",
]

ORDINARY = [
    "带娃带得心累，能找温心有约聊聊吗",
    "孩子考试焦虑怎么办",
    "打工子女入学",
    "孩子回家后不爱说话，能找谁咨询",
    "终身班主任奖励办法是什么",
    "老师太累了，有什么关爱政策",
    "生命教育有哪些活动",
    "学期结束以后怎么申请转学",
    "孩子回老家读书了，还能回来温州读吗",
    "学校门口的路划了斑马线吗",
    "How do I register my child for school?",
    "义务教育招生能不能一刀切",
    "学校天台的安全检查怎么做",
    "减负以后老师能从杂事里解放出来吗",
    "校园安全有哪些措施",
    "退休老师还在学校吗",
    "bu zai wenzhou hukou neng shangxue ma",
    "防欺凌教育家长会什么时候开",
    "学校有没有预防自杀的心理健康课",
    "防溺水安全教育有哪些",
    "What is the school's anti-bullying policy?",
    "作业多得要死，孩子天天写到十点",
    "新学期书本费要交多少",
    "孩子在温州找不到公办学校读怎么办",
    "孩子还没回家乡，户口能迁过来吗",
    "救命，这么多表格怎么填",
    "烦得想撞墙，孩子作业太多了",
    "孩子早上总是不想醒，赖床怎么办",
    "谢谢老师，我先走了",
    "孩子放假吃了好多零食",
    "学校老跟我要钱交资料费",
    "学校楼顶的防护栏安全吗",
    "过了今晚就放假了",
    "书店跳楼价甩卖教辅",
    "放假一个月，想死你们了",
    "孩子学习很拼命，压力大吗",
    "学校会讲怎么预防青少年自杀吗",
    "校园欺凌的举报流程是什么",
    "I need help with the enrollment form",
    "孩子吃了两颗糖就不吃饭了",
]


@pytest.mark.parametrize("text", CRISES)
def test_crisis_messages_are_recognised(text):
    assert is_crisis(text)


@pytest.mark.parametrize("text", ORDINARY)
def test_everyday_worries_are_not_crises(text):
    assert not is_crisis(text)
