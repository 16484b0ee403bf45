"""The LlamaIndex guards follow the profile's per-data-pattern DLP actions (issue #13), like InterlockGuard.

Under the built-in ``default`` profile a user's own contact details in a query are masked before retrieval and
the LLM (not refused); card numbers, secrets and national ids are refused; personal data in an answer is
refused. ``mask_blocked=True`` (off by default) masks what the profile blocks instead.
"""

from __future__ import annotations

import pytest
from li_support import AWS_KEY, CORPUS, EchoLLM, build_index, default_scanner
from llama_index.core.schema import NodeWithScore, TextNode
from llama_index.postprocessor.interlock import DEFAULT_REFUSAL, InterlockNodePostprocessor, InterlockQueryEngine

from interlock import ThreatDetected
from tests.dlp_examples import BLOCKED_PROMPTS, CARD, ISSUE_PROMPT, MASKED_PROMPTS, RESPONSE_LEAKS


@pytest.fixture(scope="module")
def index():  # type: ignore[no-untyped-def]
    return build_index()


def _engine(index, llm, *, streaming: bool = False):  # type: ignore[no-untyped-def]
    from llama_index.core.vector_stores import ExactMatchFilter, MetadataFilters

    filters = MetadataFilters(filters=[ExactMatchFilter(key="source", value="refund")])
    return index.as_query_engine(llm=llm, similarity_top_k=len(CORPUS), streaming=streaming, filters=filters)


@pytest.mark.parametrize(("query", "masked"), MASKED_PROMPTS)
def test_contact_data_in_query_reaches_the_llm_masked(index, query: str, masked: str) -> None:  # type: ignore[no-untyped-def]
    llm = EchoLLM()
    response = InterlockQueryEngine(_engine(index, llm), default_scanner()).query(query)
    assert response.response != DEFAULT_REFUSAL
    assert masked in llm.prompts[0] and query not in llm.prompts[0]
    record = response.metadata["interlock"]["query"]  # type: ignore[index]
    assert record["action"] == "mask" and record["detected"] == {"prompt": ["dlp"]}


async def test_contact_data_in_query_masked_async(index) -> None:  # type: ignore[no-untyped-def]
    llm = EchoLLM()
    await InterlockQueryEngine(_engine(index, llm), default_scanner(), on_threat="raise").aquery(ISSUE_PROMPT)
    assert MASKED_PROMPTS[0][1] in llm.prompts[0]


@pytest.mark.parametrize("query", [*BLOCKED_PROMPTS, f"Our key is {AWS_KEY}"])
def test_cards_secrets_and_ids_in_query_are_refused(index, query: str) -> None:  # type: ignore[no-untyped-def]
    llm = EchoLLM()
    response = InterlockQueryEngine(_engine(index, llm), default_scanner()).query(query)
    assert response.response == DEFAULT_REFUSAL and llm.prompts == []
    with pytest.raises(ThreatDetected):
        InterlockQueryEngine(_engine(index, llm), default_scanner(), on_threat="raise").query(query)


def test_blocked_query_masked_only_when_asked(index) -> None:  # type: ignore[no-untyped-def]
    llm = EchoLLM()
    InterlockQueryEngine(_engine(index, llm), default_scanner(), mask_blocked=True).query(f"card {CARD}?")
    assert "card <CREDIT_CARD_NUMBER>?" in llm.prompts[0]


@pytest.mark.parametrize("leak", [" " + leak for leak in RESPONSE_LEAKS])
def test_personal_data_in_answer_is_refused(index, leak: str) -> None:  # type: ignore[no-untyped-def]
    response = InterlockQueryEngine(_engine(index, EchoLLM(leak=leak)), default_scanner()).query("Bob?")
    assert response.response == DEFAULT_REFUSAL
    stream = InterlockQueryEngine(
        _engine(index, EchoLLM(leak=leak, chunk=5), streaming=True), default_scanner(), window=64, overlap=32
    ).query("Bob?")
    text = "".join(stream.response_gen)  # type: ignore[union-attr]
    assert text.endswith(DEFAULT_REFUSAL) and leak.strip() not in text


def test_mask_none_never_passes_contact_data_in_the_clear(index) -> None:  # type: ignore[no-untyped-def]
    llm = EchoLLM()
    response = InterlockQueryEngine(_engine(index, llm), default_scanner(), mask=None).query(MASKED_PROMPTS[1][0])
    assert response.response == DEFAULT_REFUSAL and llm.prompts == []


@pytest.mark.parametrize("on_threat", ["drop", "raise", "mask"])
def test_postprocessor_keeps_contact_data_nodes_masked(on_threat: str) -> None:
    node = NodeWithScore(node=TextNode(text="Escalations: write to jane.doe@example.com"), score=1.0)
    pp = InterlockNodePostprocessor(scanner=default_scanner(), on_threat=on_threat)  # type: ignore[arg-type]
    (out,) = pp.postprocess_nodes([node])
    assert out.node.get_content() == "Escalations: write to <EMAIL_ADDRESS>"
    assert out.node.metadata["interlock"]["action"] == "mask"
