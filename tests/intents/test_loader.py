"""Loader: good content loads; each malformed file fails naming the file and the entry."""

import pytest

from intents import FaqDataError, load_content

GOOD = """
topic: enrollment
entries:
  - id: enrollment.one
    title: 标题
    questions: [问题一, 问题二]
    keywords: [词, 12356]
    answer: 回答
    source: {document: 温州市教育局2024年工作要点, number: 温教发〔2024〕1号, section: 一、1}
    valid_from: 2024-02-06
"""


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_good_file_loads(tmp_path):
    content = load_content(write(tmp_path, "enrollment.yaml", GOOD))
    (entry,) = content.entries
    assert entry.id == "enrollment.one"
    assert entry.keywords == ("词", "12356")  # a bare number in YAML is still a keyword
    assert entry.source.citation() == "《温州市教育局2024年工作要点》（温教发〔2024〕1号）一、1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("    answer: 回答\n", ""), "enrollment.one: answer"),
        (GOOD.replace("id: enrollment.one", "id: Not An Id"), "Not An Id: id"),
        (GOOD.replace("questions: [问题一, 问题二]", "questions: []"), "questions"),
        (GOOD + "    surprise: 1\n", "surprise"),
        ("topic: x\nentries: 3\n", "expected a mapping"),
        ("entries: [\n", "cannot read"),
    ],
)
def test_malformed_file_names_file_and_entry(tmp_path, text, message):
    with pytest.raises(FaqDataError) as err:
        load_content(write(tmp_path, "enrollment.yaml", text))
    assert "enrollment.yaml" in str(err.value) or "cannot read" in str(err.value)
    assert message in str(err.value)


def test_duplicate_id_across_files(tmp_path):
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD)
    with pytest.raises(FaqDataError, match="id used twice"):
        load_content(tmp_path)


def test_missing_directory():
    with pytest.raises(FaqDataError, match="not a directory"):
        load_content("/nonexistent/faq")
