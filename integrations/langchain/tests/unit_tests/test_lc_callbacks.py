"""InterlockCallbackHandler: blocks by raising from LangChain callbacks."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.embeddings.fake import DeterministicFakeEmbedding
from langchain_core.language_models.fake import FakeListLLM
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from langchain_core.vectorstores import InMemoryVectorStore
from langchain_interlock import InterlockCallbackHandler
from lc_support import AWS_KEY, BENIGN, CARD, INJECTION, CountingScanner, FailingScanner, tool_model

from interlock import ThreatDetected
from interlock.scanner import LocalScanner
from interlock.streaming import ScanFailed

PROMPT = ChatPromptTemplate.from_messages([("system", "Be helpful."), ("human", "{question}")])


@tool
def fetch(url: str) -> str:
    """Fetch a page."""
    return f"Page says: {INJECTION}" if "evil" in url else "Page says: hello"


def test_benign_chain_passes_and_scans(scanner: LocalScanner) -> None:
    counting = CountingScanner(scanner)
    handler = InterlockCallbackHandler(counting, app_user="bob")
    chain = PROMPT | FakeListChatModel(responses=["Paris."]) | StrOutputParser()
    assert chain.invoke({"question": BENIGN}, config={"callbacks": [handler]}) == "Paris."
    assert [next(iter(c)) for c, _ in counting.calls] == ["prompt", "response"]
    content, kwargs = counting.calls[0]
    assert content["prompt"] == "Be helpful.\n\n" + BENIGN
    assert kwargs["metadata"]["app_user"] == "bob" and kwargs["tr_id"]


def test_prompt_injection_raises(scanner: LocalScanner) -> None:
    chain = PROMPT | FakeListChatModel(responses=["x"])
    with pytest.raises(ThreatDetected) as exc:
        chain.invoke({"question": INJECTION}, config={"callbacks": [InterlockCallbackHandler(scanner)]})
    assert exc.value.side == "prompt"


def test_llm_prompt_and_response(scanner: LocalScanner) -> None:
    handler = InterlockCallbackHandler(scanner)
    with pytest.raises(ThreatDetected) as exc:
        FakeListLLM(responses=[f"key {AWS_KEY}"]).invoke(BENIGN, config={"callbacks": [handler]})
    assert exc.value.side == "response"
    with pytest.raises(ThreatDetected):
        FakeListLLM(responses=["x"]).invoke(f"card {CARD}", config={"callbacks": [handler]})


async def test_async_chat_response(scanner: LocalScanner) -> None:
    model = FakeListChatModel(responses=[f"The card is {CARD}"])
    with pytest.raises(ThreatDetected):
        await model.ainvoke(BENIGN, config={"callbacks": [InterlockCallbackHandler(scanner)]})


def test_tool_events(scanner: LocalScanner) -> None:
    counting = CountingScanner(scanner)
    handler = InterlockCallbackHandler(counting, server_name="web")
    assert fetch.invoke({"url": "https://example.com"}, config={"callbacks": [handler]}) == "Page says: hello"
    events = [c["tool_event"] for c, _ in counting.calls]
    assert events[0]["metadata"] == {
        "ecosystem": "langchain",
        "method": "tools/call",
        "server_name": "web",
        "tool_invoked": "fetch",
    }
    assert "example.com" in events[0]["input"] and events[1]["output"] == "Page says: hello"
    with pytest.raises(ThreatDetected) as exc:
        fetch.invoke({"url": "https://evil.example"}, config={"callbacks": [handler]})
    assert exc.value.side == "tool_event"


def test_tool_input_with_secret(scanner: LocalScanner) -> None:
    with pytest.raises(ThreatDetected):
        fetch.invoke(
            {"url": f"https://x.example/?card={CARD}"}, config={"callbacks": [InterlockCallbackHandler(scanner)]}
        )


def test_retriever_poisoned_document(scanner: LocalScanner) -> None:
    store = InMemoryVectorStore(DeterministicFakeEmbedding(size=8))
    store.add_documents([Document("Paris is in France."), Document(f"Assistant: {INJECTION}")])
    retriever = store.as_retriever(search_kwargs={"k": 2})
    with pytest.raises(ThreatDetected) as exc:
        retriever.invoke("France", config={"callbacks": [InterlockCallbackHandler(scanner)]})
    assert exc.value.side == "prompt"
    clean = InMemoryVectorStore(DeterministicFakeEmbedding(size=8))
    clean.add_documents([Document("Paris is in France.")])
    docs = clean.as_retriever().invoke("France", config={"callbacks": [InterlockCallbackHandler(scanner)]})
    assert docs[0].page_content == "Paris is in France."


def test_agent_tool_output_blocked(scanner: LocalScanner) -> None:
    from langchain.agents import create_agent

    call = AIMessage(content="", tool_calls=[{"name": "fetch", "args": {"url": "https://evil.example"}, "id": "1"}])
    graph = create_agent(tool_model(call, AIMessage("done")), tools=[fetch])
    with pytest.raises(ThreatDetected):
        graph.invoke({"messages": [("user", BENIGN)]}, config={"callbacks": [InterlockCallbackHandler(scanner)]})


def test_switches_and_fail_modes(scanner: LocalScanner) -> None:
    handler = InterlockCallbackHandler(scanner, scan_prompts=False)
    assert FakeListChatModel(responses=["ok"]).invoke(INJECTION, config={"callbacks": [handler]}).content == "ok"
    with pytest.raises(ScanFailed):
        FakeListChatModel(responses=["ok"]).invoke(
            BENIGN, config={"callbacks": [InterlockCallbackHandler(FailingScanner())]}
        )
    opened = InterlockCallbackHandler(FailingScanner(), fail_open=True)
    assert FakeListChatModel(responses=["ok"]).invoke(BENIGN, config={"callbacks": [opened]}).content == "ok"


def _manager_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "langchain_core.callbacks.manager"]


def test_blocking_is_quiet(scanner: LocalScanner, caplog: pytest.LogCaptureFixture) -> None:
    """A block raises without LangChain's "Error in InterlockCallbackHandler... ThreatDetected" warning first."""
    handler = InterlockCallbackHandler(scanner)
    caplog.set_level("WARNING")
    with pytest.raises(ThreatDetected):
        (PROMPT | FakeListChatModel(responses=["x"])).invoke({"question": INJECTION}, config={"callbacks": [handler]})
    with pytest.raises(ThreatDetected):
        FakeListChatModel(responses=[f"Your card is {CARD}"]).invoke(BENIGN, config={"callbacks": [handler]})
    assert _manager_warnings(caplog) == []
    assert not [r for r in caplog.records if "ThreatDetected" in r.getMessage()]


async def test_async_blocking_is_quiet(scanner: LocalScanner, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING")
    with pytest.raises(ThreatDetected):
        await FakeListChatModel(responses=[f"The card is {CARD}"]).ainvoke(
            BENIGN, config={"callbacks": [InterlockCallbackHandler(scanner)]}
        )
    assert _manager_warnings(caplog) == []


def test_other_handler_errors_are_still_logged(scanner: LocalScanner, caplog: pytest.LogCaptureFixture) -> None:
    """Only the handler's own blocks are silenced: a real error in the handler still gets LangChain's warning."""

    class Broken(InterlockCallbackHandler):
        def on_llm_end(self, response, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("bug")

    caplog.set_level("WARNING")
    with pytest.raises(RuntimeError):
        FakeListChatModel(responses=["fine"]).invoke(BENIGN, config={"callbacks": [Broken(scanner)]})
    assert _manager_warnings(caplog) == ["Error in Broken.on_llm_end callback: RuntimeError('bug')"]
