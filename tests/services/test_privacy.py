"""Redaction of personal data before anything is stored or logged."""

import pytest

from services.dialogue.privacy import pseudonym, redact


@pytest.mark.parametrize(
    ("text", "secret", "placeholder"),
    [
        ("我电话13812345678", "13812345678", "[手机号]"),
        ("手机 138-1234-5678 谢谢", "138-1234-5678", "[手机号]"),
        ("+86 13812345678", "13812345678", "[手机号]"),
        ("身份证33030219900101123X", "33030219900101123X", "[身份证号]"),
        ("身份证号330302199001011234。", "330302199001011234", "[身份证号]"),
        ("邮箱 parent.li@example.com", "parent.li@example.com", "[邮箱]"),
        ("座机0577-88881234", "0577-88881234", "[电话]"),
        ("孩子叫李小华，今年七岁", "李小华", "[姓名]"),
        ("姓名：张三丰", "张三丰", "[姓名]"),
        ("My name is John Smith", "John Smith", "[name]"),
    ],
)
def test_personal_data_is_replaced(text, secret, placeholder):
    out = redact(text)
    assert secret not in out
    assert placeholder in out


@pytest.mark.parametrize("text", ["惠及学生6.6万名，比例89.38%", "2024年121个项目投资35.73亿元",
                                  "三坛教师1211名", "拨打12356"])
def test_policy_figures_survive(text):
    assert redact(text) == text


def test_pseudonym_is_stable_salted_and_not_the_id():
    a = pseudonym(b"salt-a", "telegram", "12345")
    assert a == pseudonym(b"salt-a", "telegram", "12345")
    assert a != pseudonym(b"salt-b", "telegram", "12345")
    assert "12345" not in a
