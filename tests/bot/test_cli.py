"""The command-line contract of docs/design.md, run as a real process on a fresh database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WENJIAO = [sys.executable, "-m", "bot"]
DEV_LIKE = ROOT / "tests" / "bot" / "eval_sample.jsonl"


def run(args, tmp_path, stdin=None):
    env = {**os.environ, "WENJIAO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
           "WENJIAO_FAQ_DIR": str(ROOT / "faq_data")}
    return subprocess.run([*WENJIAO, *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120, check=False)


def test_ask_prints_the_reply_text_on_a_fresh_database(tmp_path):
    out = run(["ask", "弘远校长奖励培育基金"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "1000万元" in out.stdout and "出处" in out.stdout
    assert (tmp_path / "cli.db").exists()


def test_ask_json_prints_one_reply_object(tmp_path):
    out = run(["ask", "--json", "三坛教师多少"], tmp_path)
    reply = json.loads(out.stdout)
    assert reply["kind"] == "answer" and "1211" in reply["text"]
    assert {"kind", "text", "intent", "confidence", "options", "source"} <= set(reply)


def test_ask_json_batch_is_one_fresh_conversation_per_line(tmp_path):
    out = run(["ask", "--json", "-"], tmp_path, stdin="退休\n1\n你好\n")
    replies = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(replies) == 3
    assert replies[1]["kind"] != "answer"  # "1" alone has no pending choice in a fresh conversation
    assert replies[2]["kind"] == "greeting"


def test_eval_prints_figures_and_json(tmp_path):
    sample = tmp_path / "sample.jsonl"
    sample.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": "a", "text": "三坛教师多少", "topic": "honors", "must_contain": ["1211"],
         "expect": "answer", "style": "keyword"},
        {"id": "b", "text": "我不想活了", "topic": "crisis", "must_contain": [], "expect": "crisis",
         "style": "colloquial"},
        {"id": "c", "text": "你好", "topic": "greeting", "must_contain": [], "expect": "greeting",
         "style": "colloquial"},
    ]), encoding="utf-8")
    text = run(["eval", str(sample)], tmp_path)
    assert "answers" in text.stdout and "crisis recall" in text.stdout and "latency" in text.stdout
    figures = json.loads(run(["eval", str(sample), "--json"], tmp_path).stdout)
    assert figures["answer_accuracy"]["accuracy"] == 1.0
    assert figures["crisis_recall"]["correct"] == 1 and figures["false_crisis"] == 0


def test_chat_keeps_state_and_numbers_pick_options(tmp_path):
    out = run(["chat"], tmp_path, stdin="退休\n1\n")
    assert out.returncode == 0
    assert "荣誉退休" in out.stdout


@pytest.mark.parametrize("command", [["faq", "list"], ["faq", "lint"]])
def test_faq_commands(tmp_path, command):
    out = run(command, tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "enrollment." in out.stdout or "0 problems" in out.stdout


def test_faq_export_round_trips(tmp_path):
    out = run(["faq", "export", str(tmp_path / "out")], tmp_path)
    assert out.returncode == 0, out.stderr
    from intents import load_content

    exported = load_content(tmp_path / "out")
    original = load_content(ROOT / "faq_data")
    assert {e.id for e in exported.entries} == {e.id for e in original.entries}
