"""``InterlockQueryEngine``: scan the query before retrieval and the answer (with its sources) after synthesis."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.response.schema import (
    RESPONSE_TYPE,
    AsyncStreamingResponse,
    PydanticResponse,
    Response,
    StreamingResponse,
)
from llama_index.core.callbacks import CallbackManager
from llama_index.core.prompts.mixin import PromptMixinType
from llama_index.core.schema import NodeWithScore, QueryBundle
from typing_extensions import Unpack

from interlock.scanner import Scanner

from ._guard import Verdict
from ._streams import EngineGuard, GuardOptions

__all__ = ["InterlockQueryEngine"]


class InterlockQueryEngine(BaseQueryEngine):
    """Wraps any query engine with Interlock scans of the query and the answer.

    * The query is scanned (as ``prompt``) before retrieval: a block refuses or raises; what the profile masks
      (or, with ``mask_blocked``, blocked sensitive data alone) is masked (``mask``) before the query reaches
      retrieval and the LLM.
    * The answer is scanned with ``prompt`` = query, ``response`` = answer and ``context`` = the retrieved
      source texts, so response-side detectors (incl. grounding, when the profile enables it) see the sources.
    * ``StreamingResponse`` / ``AsyncStreamingResponse`` answers are scanned over a sliding window while they
      stream (:class:`interlock.streaming.StreamScanner`); a threat stops the stream (with the refusal, or by
      raising), sensitive data is masked in flight, and ``buffered=True`` releases nothing before it is scanned.

    The findings are in ``response.metadata["interlock"] = {"query": {...}, "response": {...}}`` (for a stream,
    ``"response"`` is filled in when the stream ends).

    Args:
        query_engine: the engine to guard.
        scanner: any :class:`interlock.Scanner`; ``None`` means :func:`interlock.scanner` (created on first use).
        callback_manager: defaults to the wrapped engine's.
        **options: :class:`GuardOptions` — ``on_threat`` (``"refuse"`` | ``"raise"``), ``mask`` (``"type"``,
            ``"x"``, ``"hash"`` or ``None`` to block sensitive data too), ``mask_blocked``, ``refusal``, ``scan_input``,
            ``scan_output``, ``buffered``, ``window``, ``overlap``, ``profile``, ``profile_id``, ``fail_open``,
            ``scan_kwargs``.

    Example:
        >>> guarded = InterlockQueryEngine(index.as_query_engine(), on_threat="raise")  # doctest: +SKIP
        >>> guarded.query("What is our refund policy?")  # doctest: +SKIP
    """

    def __init__(
        self,
        query_engine: BaseQueryEngine,
        scanner: Scanner | None = None,
        *,
        callback_manager: CallbackManager | None = None,
        **options: Unpack[GuardOptions],
    ) -> None:
        super().__init__(callback_manager=callback_manager or query_engine.callback_manager)
        self._engine = query_engine
        self.policy = EngineGuard(scanner, **options)

    @property
    def query_engine(self) -> BaseQueryEngine:
        """The wrapped engine."""
        return self._engine

    def _get_prompt_modules(self) -> PromptMixinType:
        return {"query_engine": self._engine}

    def retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self._engine.retrieve(query_bundle)

    # -- query ----------------------------------------------------------------------------------------------

    def _query(self, query_bundle: QueryBundle) -> RESPONSE_TYPE:
        verdict = self.policy.guard.scan(_prompt(query_bundle), "prompt") if self.policy.scan_input else None
        refusal, query_bundle = self._admit(query_bundle, verdict, is_async=False)
        if refusal is not None:
            return refusal
        response = self._engine.query(query_bundle)
        done, content = self._answer(query_bundle, response, verdict)
        if content is None:
            return done
        return self._finish(response, verdict, self.policy.guard.scan(content, "response"))

    async def _aquery(self, query_bundle: QueryBundle) -> RESPONSE_TYPE:
        verdict = await self.policy.guard.ascan(_prompt(query_bundle), "prompt") if self.policy.scan_input else None
        refusal, query_bundle = self._admit(query_bundle, verdict, is_async=True)
        if refusal is not None:
            return refusal
        response = await self._engine.aquery(query_bundle)
        done, content = self._answer(query_bundle, response, verdict)
        if content is None:
            return done
        return self._finish(response, verdict, await self.policy.guard.ascan(content, "response"))

    def _admit(
        self, bundle: QueryBundle, verdict: Verdict | None, *, is_async: bool
    ) -> tuple[RESPONSE_TYPE | None, QueryBundle]:
        """A refusal for a blocked query (raises in ``raise`` mode), else the bundle to run (masked if needed).

        When the wrapped engine streams, the refusal is streamed too, so callers can consume it the same way.
        """
        if verdict is None:
            return None, bundle
        if verdict.action != "block":
            return None, _masked_query(bundle, verdict)
        refusal = self._refusal(verdict, "query")
        if not self.streaming:
            return refusal, bundle
        text = refusal.response or ""
        if is_async:
            return AsyncStreamingResponse(response_gen=_aonce(text), metadata=refusal.metadata), bundle
        return StreamingResponse(response_gen=_once(text), metadata=refusal.metadata), bundle

    @property
    def streaming(self) -> bool:
        """Whether the wrapped engine streams its answers (read from its response synthesizer)."""
        synthesizer = getattr(self._engine, "_response_synthesizer", None)
        return bool(getattr(synthesizer, "_streaming", False))

    def _answer(
        self, bundle: QueryBundle, response: RESPONSE_TYPE, verdict: Verdict | None
    ) -> tuple[RESPONSE_TYPE, dict[str, str] | None]:
        """The response when it needs no answer scan (streams are wrapped here), else the content to scan."""
        if not self.policy.scan_output:
            return _annotate(response, verdict, None), None
        if isinstance(response, (StreamingResponse, AsyncStreamingResponse)):
            return self._stream(bundle.query_str, response, verdict), None
        text = _text_of(response)
        if not text:
            return _annotate(response, verdict, None), None
        return response, self.policy.answer_content(bundle.query_str, text, response.source_nodes)

    # -- helpers --------------------------------------------------------------------------------------------

    def _refusal(self, verdict: Verdict, what: str, query: Verdict | None = None) -> Response:
        text = self.policy.refuse_or_raise(verdict, what)
        records = {"query": verdict.record()} if what == "query" else {"response": verdict.record()}
        if query is not None:
            records["query"] = query.record()
        return Response(response=text, source_nodes=[], metadata={"interlock": records})

    def _finish(self, response: RESPONSE_TYPE, query: Verdict | None, answer: Verdict) -> RESPONSE_TYPE:
        """Apply the answer's verdict to a non-streaming response (streams never reach here)."""
        if answer.action == "block":
            return self._refusal(answer, "answer", query)
        if answer.action == "mask" and answer.masked_text is not None:
            if isinstance(response, PydanticResponse):
                assert response.response is not None  # noqa: S101 - _text_of returned text
                try:
                    response.response = type(response.response).model_validate_json(answer.masked_text)
                except ValueError:  # masking broke the structure: nothing safe to return
                    return self._refusal(answer, "answer", query)
            elif isinstance(response, Response):
                response.response = answer.masked_text
        return _annotate(response, query, answer)

    def _stream(
        self, query: str, response: StreamingResponse | AsyncStreamingResponse, verdict: Verdict | None
    ) -> RESPONSE_TYPE:
        content = {"prompt": query}
        context = self.policy.answer_content(query, "", response.source_nodes).get("context")
        if context is not None:
            content["context"] = context
        record: dict[str, Any] = {"action": "pending"}
        metadata = dict(response.metadata or {})
        metadata["interlock"] = {"response": record, **({"query": verdict.record()} if verdict else {})}
        if isinstance(response, StreamingResponse):
            tokens = response.response_gen if response.response_gen is not None else iter([response.response_txt or ""])
            gen = self.policy.guard_tokens(iter(tokens), content, record)
            return StreamingResponse(response_gen=gen, source_nodes=response.source_nodes, metadata=metadata)
        agen = self.policy.aguard_tokens(response.async_response_gen(), content, record)
        return AsyncStreamingResponse(response_gen=agen, source_nodes=response.source_nodes, metadata=metadata)


def _once(text: str) -> Generator[str, None, None]:
    yield text


async def _aonce(text: str) -> AsyncGenerator[str, None]:
    yield text


def _prompt(bundle: QueryBundle) -> dict[str, str]:
    return {"prompt": bundle.query_str}


def _text_of(response: RESPONSE_TYPE) -> str:
    if isinstance(response, PydanticResponse):
        return response.response.model_dump_json() if response.response is not None else ""
    return getattr(response, "response", None) or ""


def _masked_query(bundle: QueryBundle, verdict: Verdict) -> QueryBundle:
    """The bundle with the masked query (custom embedding strings could hold the secret, so they are dropped)."""
    if verdict.action != "mask" or verdict.masked_text is None:
        return bundle
    return QueryBundle(query_str=verdict.masked_text, image_path=bundle.image_path)


def _annotate(response: RESPONSE_TYPE, query: Verdict | None, answer: Verdict | None) -> RESPONSE_TYPE:
    records: dict[str, Any] = {}
    if query is not None:
        records["query"] = query.record()
    if answer is not None:
        records["response"] = answer.record()
    if records:
        if response.metadata is None:
            response.metadata = {}
        response.metadata["interlock"] = records
    return response
