"""End-to-end smoke test: the API answers a core question with a citation."""


async def test_api_answers_core_question_with_citation(client):
    resp = await client.post("/api/ask", json={"text": "三坛教师评了多少名"})
    assert resp.status == 200
    body = await resp.json()
    assert body["kind"] == "answer"
    assert "1211" in body["text"]
    assert "温教发〔2024〕1号" in body["source"]
