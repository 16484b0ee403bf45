"""InterlockGuard on real LangChain objects with offline fake models."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.embeddings.fake import DeterministicFakeEmbedding
from langchain_core.language_models.fake import FakeListLLM
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompt_values import ChatPromptValue
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_core.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough
from langchain_core.tracers.context import collect_runs
from langchain_core.vectorstores import InMemoryVectorStore
from langchain_interlock import InterlockGuard
from lc_support import (
    AWS_KEY,
    AWS_TOKEN,
    BENIGN,
    CARD,
    CARD_TOKEN,
    INJECTION,
    CountingScanner,
    FailingScanner,
    Recorder,
)

from interlock import ThreatDetected
from interlock.scanner import LocalScanner
from interlock.streaming import ScanFailed


def chat(*answers: str) -> FakeListChatModel:
    return FakeListChatModel(responses=list(answers))


def streaming(answer: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=answer)]))


PROMPT = ChatPromptTemplate.from_messages([("system", "You are a helpful assistant."), ("human", "{question}")])


# -- benign ---------------------------------------------------------------------------------------------------------


def test_benign_conversation_passes_unchanged(scanner: LocalScanner) -> None:
    guard = InterlockGuard(scanner=scanner)
    chain = PROMPT | guard.input() | chat("Paris is the capital of France.") | guard.output() | StrOutputParser()
    assert chain.invoke({"question": BENIGN}) == "Paris is the capital of France."
    wrapped = InterlockGuard(chat("Paris."), scanner=scanner)
    out = wrapped.invoke([SystemMessage("Be brief."), HumanMessage(BENIGN)])
    assert isinstance(out, AIMessage) and out.content == "Paris." and "interlock" not in out.response_metadata


def test_requires_runnable_or_step(scanner: LocalScanner) -> None:
    with pytest.raises(ValueError, match="no runnable"):
        InterlockGuard(scanner=scanner).invoke("hi")
    with pytest.raises(ValueError):
        InterlockGuard(scanner=scanner, window=10, overlap=10)


# -- raise ----------------------------------------------------------------------------------------------------------


def test_injection_blocked_before_model(scanner: LocalScanner) -> None:
    model = Recorder()
    guard = InterlockGuard(model.runnable, scanner=scanner)
    with pytest.raises(ThreatDetected) as exc:
        guard.invoke(INJECTION)
    assert exc.value.side == "prompt" and exc.value.response is not None
    assert exc.value.response.prompt_detected is not None and exc.value.response.prompt_detected.injection
    assert model.seen == []


def test_dlp_in_response_blocked(scanner: LocalScanner) -> None:
    chain = PROMPT | InterlockGuard(chat(f"Sure, the card is {CARD}."), scanner=scanner) | StrOutputParser()
    with pytest.raises(ThreatDetected) as exc:
        chain.invoke({"question": "What card do you have on file?"})
    assert exc.value.side == "response" and CARD not in str(exc.value)
    assert exc.value.response is not None and exc.value.response.response_detected is not None
    assert exc.value.response.response_detected.dlp


def test_dlp_in_prompt_blocked_in_pipe(scanner: LocalScanner) -> None:
    model = Recorder()
    guard = InterlockGuard(scanner=scanner)
    chain = PROMPT | guard.input() | model.runnable
    with pytest.raises(ThreatDetected) as exc:
        chain.invoke({"question": f"my AWS key is {AWS_KEY}"})
    assert exc.value.side == "prompt" and model.seen == []


# -- replace --------------------------------------------------------------------------------------------------------


def test_replace_keeps_output_types(scanner: LocalScanner) -> None:
    model = Recorder()
    guard = InterlockGuard(model.runnable, scanner=scanner, action="replace", safe_message="No.")
    out = InterlockGuard(chat("x"), scanner=scanner, action="replace", safe_message="No.").invoke(INJECTION)
    assert isinstance(out, AIMessage) and out.content == "No."
    assert out.response_metadata["interlock"]["action"] == "replaced"
    assert guard.invoke(INJECTION) == "No." and model.seen == []  # not a chat model: a string
    llm = InterlockGuard(FakeListLLM(responses=[f"card {CARD}"]), scanner=scanner, action="replace", safe_message="No.")
    assert llm.invoke(BENIGN) == "No."
    string_chain = InterlockGuard(
        chat(f"key {AWS_KEY}") | StrOutputParser(), scanner=scanner, action="replace", safe_message="No."
    )
    assert string_chain.invoke(BENIGN) == "No."


def test_replace_in_output_step(scanner: LocalScanner) -> None:
    guard = InterlockGuard(scanner=scanner, action="replace", safe_message="No.")
    chain = PROMPT | guard.input() | chat(f"card {CARD}") | guard.output()
    out = chain.invoke({"question": BENIGN})
    assert isinstance(out, AIMessage) and out.content == "No."
    assert out.response_metadata["interlock"]["side"] == "response"


# -- replace in a pipe input step ------------------------------------------------------------------------------------


class ChatRecorder(GenericFakeChatModel):
    """A real fake chat model (invoke/stream) that records the messages it was called with."""

    seen: list[list[Any]] = []

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> Any:
        self.seen.append(list(messages))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


def recorder(answer: str = "model answer", n: int = 8) -> ChatRecorder:
    return ChatRecorder(messages=iter([AIMessage(content=answer) for _ in range(n)]), seen=[])


def _assert_refused(out: Any, message: str = "No.") -> None:
    assert isinstance(out, AIMessage) and out.content == message
    marker = out.response_metadata["interlock"]
    assert marker["action"] == "replaced" and marker["side"] == "prompt" and marker["category"] == "malicious"


def _seen_text(model: ChatRecorder) -> str:
    return " ".join(str(m.content) for call in model.seen for m in call)


def test_replace_input_step_refuses_without_exception(scanner: LocalScanner) -> None:
    guard = InterlockGuard(scanner=scanner, action="replace", safe_message="No.")
    model = recorder()
    chain = PROMPT | guard.input() | model | guard.output()
    _assert_refused(chain.invoke({"question": INJECTION}))
    assert "Ignore all previous" not in _seen_text(model)  # the model only ever got the refusal
    assert [[type(m).__name__ for m in call] for call in model.seen] == [["HumanMessage"]]
    assert chain.invoke({"question": BENIGN}).content == "model answer"  # the next run is unaffected
    assert "capital of France" in _seen_text(model)


def test_replace_input_step_batch_is_per_item(scanner: LocalScanner) -> None:
    guard = InterlockGuard(scanner=scanner, action="replace", safe_message="No.")
    model = recorder()
    chain = PROMPT | guard.input() | model | guard.output() | StrOutputParser()
    out = chain.batch([{"question": BENIGN}, {"question": INJECTION}, {"question": f"my key {AWS_KEY}"}])
    assert out == ["model answer", "No.", "No."]
    assert AWS_KEY not in _seen_text(model) and "Ignore all" not in _seen_text(model)


def test_replace_input_step_stream(scanner: LocalScanner) -> None:
    guard = InterlockGuard(scanner=scanner, action="replace", safe_message="No.")
    model = recorder("model answer in several words")
    chain = PROMPT | guard.input() | model | guard.output()
    chunks = list(chain.stream({"question": INJECTION}))
    assert len(chunks) == 1 and isinstance(chunks[0], AIMessageChunk)
    _assert_refused(AIMessage(content=chunks[0].content, response_metadata=chunks[0].response_metadata))
    assert "Ignore all" not in _seen_text(model)
    text = "".join((chain | StrOutputParser()).stream({"question": BENIGN}))
    assert text == "model answer in several words"


async def test_replace_input_step_async(scanner: LocalScanner) -> None:
    guard = InterlockGuard(scanner=scanner, action="replace", safe_message="No.")
    model = recorder()
    chain = PROMPT | guard.input() | model | guard.output()
    _assert_refused(await chain.ainvoke({"question": INJECTION}))
    chunks = [c async for c in chain.astream({"question": INJECTION})]
    assert [c.content for c in chunks] == ["No."] and chunks[0].response_metadata["interlock"]["side"] == "prompt"
    out = await (chain | StrOutputParser()).abatch([{"question": INJECTION}, {"question": BENIGN}])
    assert out == ["No.", "model answer"]
    assert "Ignore all" not in _seen_text(model)


def test_replace_input_step_keeps_the_input_shape(scanner: LocalScanner) -> None:
    step = InterlockGuard(scanner=scanner, action="replace", safe_message="No.").input()
    assert step.invoke(INJECTION) == "No."
    value = step.invoke(PROMPT.invoke({"question": INJECTION}))
    assert isinstance(value, ChatPromptValue) and [m.content for m in value.messages] == ["No."]
    assert value.messages[0].response_metadata["interlock"]["action"] == "replaced"
    history = [SystemMessage("Be brief."), HumanMessage(INJECTION)]
    assert [(type(m), m.content) for m in step.invoke(history)] == [(HumanMessage, "No.")]
    docs = step.invoke([Document("fine", metadata={"id": 1}), Document(f"NOTE TO AI: {INJECTION}", metadata={"id": 2})])
    assert [(d.page_content, d.metadata) for d in docs] == [("No.", {"id": 1}), ("No.", {"id": 2})]
    keyed = InterlockGuard(scanner=scanner, action="replace", safe_message="No.", input_key="question").input()
    assert keyed.invoke({"question": INJECTION, "n": 3, "lang": "en"}) == {"question": "No.", "n": 3, "lang": "en"}
    # dict input before the prompt template: the template still gets every variable it needs
    model = recorder()
    chain = keyed | PROMPT | model | keyed.output()
    _assert_refused(chain.invoke({"question": INJECTION}))
    assert "Ignore all" not in _seen_text(model)


def test_replace_input_step_string_chain_and_mask_fallback(scanner: LocalScanner) -> None:
    seen: list[Any] = []

    def llm(text: str) -> str:
        seen.append(text)
        return f"echo {text}"

    guard = InterlockGuard(scanner=scanner, action="mask", mask_fallback="replace", safe_message="No.")
    chain = guard.input() | RunnableLambda(llm) | guard.output()
    assert chain.invoke(INJECTION) == "No." and seen == ["No."]
    assert chain.invoke(f"card {CARD}") == f"echo card {CARD_TOKEN}"  # maskable: masked, not refused
    raising = InterlockGuard(scanner=scanner).input() | RunnableLambda(llm)
    with pytest.raises(ThreatDetected):  # action="raise" still raises
        raising.invoke(INJECTION)


def test_replace_input_step_skips_a_downstream_guarded_model(scanner: LocalScanner) -> None:
    model = recorder()
    guard = InterlockGuard(scanner=scanner, action="replace", safe_message="No.")
    chain = PROMPT | guard.input() | InterlockGuard(model, scanner=scanner)
    _assert_refused(chain.invoke({"question": INJECTION}))
    assert model.seen == []  # the guarded model is not called at all


# -- mask -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("strategy", "token"), [("type", "<CREDIT_CARD_NUMBER>"), ("x", "X" * len(CARD)), ("hash", "<CREDIT_CARD_NUMBER:")]
)
def test_mask_prompt_model_never_sees_secret(scanner: LocalScanner, strategy: Any, token: str) -> None:
    model = Recorder("Noted.")
    guard = InterlockGuard(scanner=scanner, action="mask", mask_strategy=strategy)
    chain = PROMPT | guard.input() | model.runnable
    chain.invoke({"question": f"charge my card {CARD} please"})
    (seen,) = model.seen
    assert isinstance(seen, ChatPromptValue)
    assert CARD not in seen.to_string() and token in seen.to_string()
    assert seen.messages[0].content == "You are a helpful assistant."


def test_mask_response_user_never_sees_secret(scanner: LocalScanner) -> None:
    guard = InterlockGuard(chat(f"Your key is {AWS_KEY}."), scanner=scanner, action="mask")
    out = guard.invoke(BENIGN)
    assert out.content == "Your key is " + AWS_TOKEN + "."
    assert out.response_metadata["interlock"]["action"] == "masked"


def test_mask_tool_call_arguments(scanner: LocalScanner) -> None:
    msg = AIMessage(content="", tool_calls=[{"name": "pay", "args": {"card": CARD, "amount": 5}, "id": "c1"}])
    guard = InterlockGuard(RunnableLambda(lambda _: msg), scanner=scanner, action="mask")
    out = guard.invoke(BENIGN)
    assert out.tool_calls[0]["args"] == {"card": "<CREDIT_CARD_NUMBER>", "amount": 5}


def test_mask_falls_back_for_injection(scanner: LocalScanner) -> None:
    with pytest.raises(ThreatDetected):
        InterlockGuard(chat("x"), scanner=scanner, action="mask").invoke(INJECTION)
    guard = InterlockGuard(chat("x"), scanner=scanner, action="mask", mask_fallback="replace", safe_message="No.")
    assert guard.invoke(INJECTION).content == "No."


# -- streaming ------------------------------------------------------------------------------------------------------


def test_stream_benign_is_incremental(scanner: LocalScanner) -> None:
    answer = " ".join(f"word{i}" for i in range(200))
    guard = InterlockGuard(streaming(answer), scanner=scanner, window=120, overlap=40)
    chunks = list(guard.stream(BENIGN))
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert "".join(str(c.content) for c in chunks) == answer
    assert len([c for c in chunks if c.content]) > 3


async def test_astream_benign_and_mask(scanner: LocalScanner) -> None:
    answer = "Here it is: " + AWS_KEY + " and more words " * 30
    guard = InterlockGuard(streaming(answer), scanner=scanner, action="mask", window=100, overlap=40)
    chunks = [c async for c in guard.astream(BENIGN)]
    text = "".join(str(c.content) for c in chunks)
    assert AWS_KEY not in text and text == answer.replace(AWS_KEY, AWS_TOKEN)
    assert chunks[-1].response_metadata["interlock"]["action"] == "masked"


def test_stream_mid_stream_threat_stops(scanner: LocalScanner) -> None:
    answer = "safe words " * 40 + f"the card is {CARD} " + "tail " * 40
    guard = InterlockGuard(streaming(answer), scanner=scanner, window=100, overlap=40)
    got: list[str] = []
    with pytest.raises(ThreatDetected) as exc:
        for chunk in guard.stream(BENIGN):
            got.append(str(chunk.content))
    assert exc.value.side == "response"
    assert got and "4111" not in "".join(got) and "tail" not in "".join(got)


async def test_astream_replace_mid_stream(scanner: LocalScanner) -> None:
    answer = "safe words " * 40 + f"the card is {CARD} " + "tail " * 40
    guard = InterlockGuard(streaming(answer), scanner=scanner, action="replace", safe_message="[removed]")
    chunks = [c async for c in guard.astream(BENIGN)]
    assert chunks[-1].content == "[removed]" and "4111" not in "".join(str(c.content) for c in chunks)


@pytest.mark.parametrize("action", ["raise", "replace"])
def test_buffered_stream_never_releases_unscanned(scanner: LocalScanner, action: Any) -> None:
    answer = "safe words " * 60 + f"the card is {CARD}"
    guard = InterlockGuard(streaming(answer), scanner=scanner, buffered=True, action=action, safe_message="No.")
    got: list[Any] = []
    try:
        for chunk in guard.stream(BENIGN):
            got.append(chunk)
    except ThreatDetected:
        assert action == "raise"
    assert [c.content for c in got] == ([] if action == "raise" else ["No."])
    ok = list(InterlockGuard(streaming("fine " * 50), scanner=scanner, buffered=True).stream(BENIGN))
    assert len(ok) == 1 and ok[0].content == "fine " * 50


def test_stream_through_pipe_with_parser(scanner: LocalScanner) -> None:
    guard = InterlockGuard(scanner=scanner, action="mask", window=60, overlap=30)
    chain = PROMPT | guard.input() | streaming(f"card {CARD} and " + "x " * 40) | guard.output() | StrOutputParser()
    out = list(chain.stream({"question": BENIGN}))
    assert all(isinstance(c, str) for c in out)
    assert "".join(out) == "card <CREDIT_CARD_NUMBER> and " + "x " * 40


def test_stream_input_injection_blocked(scanner: LocalScanner) -> None:
    with pytest.raises(ThreatDetected):
        list(InterlockGuard(streaming("hi"), scanner=scanner).stream(INJECTION))
    out = list(InterlockGuard(streaming("hi"), scanner=scanner, action="replace", safe_message="No.").stream(INJECTION))
    assert [c.content for c in out] == ["No."]


def test_stream_tool_call_chunks_scanned(scanner: LocalScanner) -> None:
    chunks = [
        AIMessageChunk(
            content="", tool_call_chunks=[{"name": "pay", "args": '{"card": "4111 ', "id": "c1", "index": 0}]
        ),
        AIMessageChunk(
            content="", tool_call_chunks=[{"name": None, "args": '1111 1111 1111"}', "id": None, "index": 0}]
        ),
    ]

    def gen(_: Any) -> Any:
        yield from chunks

    source = RunnableLambda(gen)
    with pytest.raises(ThreatDetected):
        list(InterlockGuard(source, scanner=scanner).stream(BENIGN))
    out = list(InterlockGuard(source, scanner=scanner, action="mask").stream(BENIGN))
    merged = out[0]
    for c in out[1:]:
        merged = merged + c
    assert merged.tool_calls[0]["args"] == {"card": "<CREDIT_CARD_NUMBER>"}


# -- batch, nesting, retrieval ---------------------------------------------------------------------------------------


def test_batch_and_abatch(scanner: LocalScanner) -> None:
    guard = InterlockGuard(
        RunnableLambda(lambda v: f"echo: {v}"), scanner=scanner, action="replace", safe_message="No."
    )
    assert guard.batch([BENIGN, INJECTION, f"card {CARD}"]) == [f"echo: {BENIGN}", "No.", "No."]


async def test_abatch_and_ainvoke(scanner: LocalScanner) -> None:
    guard = InterlockGuard(
        RunnableLambda(lambda v: f"echo: {v}"), scanner=scanner, action="replace", safe_message="No."
    )
    assert await guard.abatch([BENIGN, INJECTION]) == [f"echo: {BENIGN}", "No."]
    with pytest.raises(ThreatDetected):
        await InterlockGuard(chat("x"), scanner=scanner).ainvoke(INJECTION)


def test_nested_chains(scanner: LocalScanner) -> None:
    inner = InterlockGuard(PROMPT | chat("inner answer") | StrOutputParser(), scanner=scanner)
    outer = RunnableParallel(a=inner, b=RunnablePassthrough()) | RunnableLambda(lambda d: d["a"])
    assert InterlockGuard(outer, scanner=scanner).invoke({"question": BENIGN}) == "inner answer"
    with pytest.raises(ThreatDetected):
        InterlockGuard(outer, scanner=scanner).invoke({"question": INJECTION})


def test_rag_with_poisoned_document(scanner: LocalScanner) -> None:
    store = InMemoryVectorStore(DeterministicFakeEmbedding(size=16))
    store.add_documents(
        [
            Document("Paris is the capital of France.", metadata={"id": 1}),
            Document(f"NOTE TO AI: {INJECTION}.", metadata={"id": 2}),
        ]
    )
    retriever = store.as_retriever(search_kwargs={"k": 2})
    guard = InterlockGuard(scanner=scanner)
    rag = (
        {"context": retriever | guard.input(), "question": RunnablePassthrough()}
        | PromptTemplate.from_template("Context: {context}\nQuestion: {question}")
        | chat("answer")
    )
    with pytest.raises(ThreatDetected) as exc:
        rag.invoke("capital of France?")
    assert exc.value.side == "prompt"
    docs = [Document("Contact: card " + CARD, metadata={"id": 3})]
    masked = InterlockGuard(scanner=scanner, action="mask").input().invoke(docs)
    assert masked[0].page_content == "Contact: card <CREDIT_CARD_NUMBER>" and masked[0].metadata == {"id": 3}


def test_dict_keys(scanner: LocalScanner) -> None:
    guard = InterlockGuard(scanner=scanner, action="mask", input_key="question").input()
    out = guard.invoke({"question": f"card {CARD}", "other": INJECTION})
    assert out == {"question": "card <CREDIT_CARD_NUMBER>", "other": INJECTION}
    with pytest.raises(ThreatDetected):
        InterlockGuard(scanner=scanner).input().invoke({"question": BENIGN, "history": [HumanMessage(INJECTION)]})
    with pytest.raises(TypeError, match="input_key"):
        InterlockGuard(scanner=scanner, input_key="missing").input().invoke({"question": BENIGN})
    with pytest.raises(TypeError):
        InterlockGuard(scanner=scanner).input().invoke(object())


# -- tracing, metadata, failures -------------------------------------------------------------------------------------


def test_own_run_with_tr_id_and_metadata(scanner: LocalScanner) -> None:
    counting = CountingScanner(scanner)
    model = chat("Paris.")
    guard = InterlockGuard(model, scanner=counting, app_user="alice", ai_model="fake-model", profile="default")
    with collect_runs() as cb:
        guard.invoke(BENIGN)
    root = cb.traced_runs[0]
    assert root.name == "InterlockGuard"
    assert [r.name for r in root.child_runs] == ["FakeListChatModel"]
    assert len(counting.calls) == 2
    for _content, kwargs in counting.calls:
        assert kwargs["tr_id"] == str(root.id)
        assert kwargs["metadata"] == {"app_name": "langchain", "app_user": "alice", "ai_model": "fake-model"}
        assert kwargs["profile"] == "default"
    assert [next(iter(c)) for c, _ in counting.calls] == ["prompt", "response"]
    with collect_runs() as cb:
        (PROMPT | guard.input()).invoke({"question": BENIGN})
    assert cb.traced_runs[0].child_runs[-1].name == "InterlockGuard.input"


def test_fail_closed_by_default() -> None:
    with pytest.raises(ScanFailed) as exc:
        InterlockGuard(chat("x"), scanner=FailingScanner()).invoke(BENIGN)
    assert isinstance(exc.value, ThreatDetected) and exc.value.__cause__ is not None
    out = InterlockGuard(chat("x"), scanner=FailingScanner(), action="replace", safe_message="No.").invoke(BENIGN)
    assert out.content == "No."
    with pytest.raises(ScanFailed):
        list(InterlockGuard(streaming("a b c"), scanner=FailingScanner()).stream(BENIGN))


def test_fail_open_is_marked(caplog: pytest.LogCaptureFixture) -> None:
    out = InterlockGuard(chat("fine"), scanner=FailingScanner(), fail_open=True).invoke(BENIGN)
    assert out.content == "fine" and out.response_metadata["interlock"]["failed_open"] is True
    assert "fail_open" in caplog.text
    chunks = list(InterlockGuard(streaming("a b c"), scanner=FailingScanner(), fail_open=True).stream(BENIGN))
    assert "".join(str(c.content) for c in chunks) == "a b c"
    assert chunks[-1].response_metadata["interlock"]["failed_open"] is True


def test_other_threat_families_with_content_safety_profile(scanner: LocalScanner) -> None:
    toxic = "You are a worthless idiot and I will kill you"
    guard = InterlockGuard(chat("ok"), scanner=scanner, profile="content-safety")
    with pytest.raises(ThreatDetected) as exc:
        guard.invoke(toxic)
    assert exc.value.response is not None and exc.value.response.prompt_detected is not None
    assert exc.value.response.prompt_detected.toxic_content
    masking = InterlockGuard(chat("ok"), scanner=scanner, profile="content-safety", action="mask")
    with pytest.raises(ThreatDetected):  # toxic content cannot be masked: falls back to raise
        masking.invoke(toxic)
    assert guard.invoke(BENIGN).content == "ok"


def test_default_scanner_is_shared_and_real() -> None:
    a, b = InterlockGuard(chat("ok")), InterlockGuard(chat("ok"))
    assert a.scanner is b.scanner
    with pytest.raises(ThreatDetected):
        a.invoke(INJECTION)


async def test_astream_pipe_and_events(scanner: LocalScanner) -> None:
    guard = InterlockGuard(scanner=scanner, action="mask", window=60, overlap=30)
    chain = PROMPT | guard.input() | streaming(f"card {CARD} and " + "y " * 40) | guard.output() | StrOutputParser()
    out = [c async for c in chain.astream({"question": BENIGN})]
    assert "".join(out) == f"card {CARD_TOKEN} and " + "y " * 40 and len([c for c in out if c]) > 1
    chain = PROMPT | guard.input() | streaming("fine " * 30) | guard.output() | StrOutputParser()
    names = {e["name"] async for e in chain.astream_events({"question": BENIGN}, version="v2")}
    assert {"InterlockGuard.input", "InterlockGuard.output"} <= names


def test_mask_content_blocks_keeps_structure(scanner: LocalScanner) -> None:
    image = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    msg = HumanMessage(content=[{"type": "text", "text": f"card {CARD}"}, image, "and more"], id="h1")
    (out,) = InterlockGuard(scanner=scanner, action="mask").input().invoke([msg])
    assert out.id == "h1" and out.content == [{"type": "text", "text": f"card {CARD_TOKEN}"}, image, "and more"]
