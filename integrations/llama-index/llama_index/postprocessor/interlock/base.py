"""``InterlockNodePostprocessor``: scan retrieved nodes before they reach the LLM."""

from __future__ import annotations

import logging
from typing import Any, Literal

from llama_index.core.bridge.pydantic import Field, PrivateAttr
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.schema import MetadataMode, NodeWithScore, QueryBundle

from interlock.masking import Span, mask_text
from interlock.scanner import Scanner, scanner as default_scanner
from interlock.streaming import masked_spans

from ._guard import SCANNER_LOCK, Guard, Verdict

__all__ = ["InterlockNodePostprocessor"]

logger = logging.getLogger("llama_index.postprocessor.interlock")

OnThreat = Literal["drop", "mask", "raise"]


class InterlockNodePostprocessor(BaseNodePostprocessor):
    """Scans retrieved nodes for indirect prompt injection, sensitive data and other threats.

    All nodes of a query are scanned in one batched call (``scan_batch`` / ``ascan_batch``), each node as the
    ``prompt`` of its own scan. What is scanned is what the LLM will see: the node's text with its LLM-visible
    metadata (``scan_metadata=True``, the default), or its text alone. A node the profile blocks is handled by
    ``on_threat``:

    * ``"mask"`` (default): sensitive data is replaced by its masked form (so secrets never reach the prompt;
      sensitive data in the metadata hides the node's metadata from the LLM); a node with any other threat
      (injection, malicious URL, ...) is dropped.
    * ``"drop"``: the node is dropped.
    * ``"raise"``: the query fails with :class:`interlock.ThreatDetected`.

    Whatever ``on_threat`` says, a node the profile allows only masked (a DLP data pattern with the ``mask``
    action) is kept with that data masked.

    Kept nodes are copies (the retriever's nodes are never mutated) carrying
    ``metadata["interlock"] = {"action", "category", "detected", "scan_id"}``; that key is excluded from the
    metadata the LLM and the embedding model see.

    A scan that errors or times out fails closed (the query raises :class:`interlock.streaming.ScanFailed`, or
    the node is dropped when its own scan failed) unless ``fail_open=True``, which keeps the node and marks it
    with ``"fail_open": True`` and a logged warning.

    Example:
        >>> from llama_index.postprocessor.interlock import InterlockNodePostprocessor
        >>> engine = index.as_query_engine(node_postprocessors=[InterlockNodePostprocessor()])  # doctest: +SKIP
    """

    scanner: Scanner | None = Field(default=None, exclude=True, description="Scanner; None = interlock.scanner().")
    on_threat: OnThreat = Field(default="mask", description="What to do with a flagged node.")
    mask_strategy: Literal["x", "type", "hash"] = Field(default="type", description="How masked spans are shown.")
    profile: str | None = Field(default=None, description="Security profile name (None: the scanner's default).")
    profile_id: str | None = Field(default=None, description="Security profile id.")
    fail_open: bool = Field(default=False, description="Keep nodes whose scan errored or timed out (marked).")
    metadata_key: str = Field(default="interlock", description="Node metadata key for the findings.")
    scan_metadata: bool = Field(default=True, description="Scan the LLM-visible metadata along with the text.")
    scan_kwargs: dict[str, Any] = Field(default_factory=dict, description="Extra Scanner.scan keywords.")

    _default_scanner: Scanner | None = PrivateAttr(default=None)

    @property
    def _guard(self) -> Guard:
        if self.scanner is None and self._default_scanner is None:
            with SCANNER_LOCK:
                if self._default_scanner is None:
                    self._default_scanner = default_scanner()
        return Guard(
            scanner=self.scanner if self.scanner is not None else self._default_scanner,
            profile=self.profile,
            profile_id=self.profile_id,
            mask=self.mask_strategy,
            fail_open=self.fail_open,
            scan_kwargs=self.scan_kwargs,
            mask_blocked=self.on_threat == "mask",
        )

    @classmethod
    def class_name(cls) -> str:
        return "InterlockNodePostprocessor"

    def _view(self, n: NodeWithScore) -> tuple[str, int]:
        """What the LLM will see of a node, and where the node's own text starts in it."""
        text = n.node.get_content(metadata_mode=MetadataMode.NONE)
        if not self.scan_metadata:
            return text, 0
        full = n.node.get_content(metadata_mode=MetadataMode.LLM)
        offset = full.rfind(text) if text else len(full)
        return (full, offset) if offset >= 0 else (text, 0)

    def _texts(self, nodes: list[NodeWithScore]) -> tuple[list[int], list[dict[str, str]], list[int]]:
        """Positions of the nodes to scan, their scan contents, and each view's text offset."""
        index: list[int] = []
        contents: list[dict[str, str]] = []
        offsets: list[int] = []
        for i, n in enumerate(nodes):
            view, offset = self._view(n)
            if view.strip():
                index.append(i)
                contents.append({"prompt": view})
                offsets.append(offset)
        return index, contents, offsets

    def _postprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        index, contents, offsets = self._texts(nodes)
        return self._apply(nodes, index, offsets, self._guard.scan_many(contents, "prompt"))

    async def _apostprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        index, contents, offsets = self._texts(nodes)
        return self._apply(nodes, index, offsets, await self._guard.ascan_many(contents, "prompt"))

    def _apply(
        self, nodes: list[NodeWithScore], index: list[int], offsets: list[int], verdicts: list[Verdict]
    ) -> list[NodeWithScore]:
        by_pos = dict(zip(index, zip(verdicts, offsets, strict=True), strict=True))
        if self.on_threat == "raise":
            for i, (v, _) in by_pos.items():
                if v.action == "block":
                    raise v.exception(f"retrieved node {nodes[i].node.node_id}", side="context")
        out: list[NodeWithScore] = []
        for i, n in enumerate(nodes):
            found = by_pos.get(i)
            if found is None:  # empty text: nothing to scan
                out.append(n)
                continue
            v, offset = found
            if v.action == "block":
                why = v.error or (v.result.category if v.result is not None else "blocked")
                logger.info("interlock: dropped retrieved node %s (%s)", n.node.node_id, why)
                continue
            out.append(self._annotated(n, v, offset))
        return out

    def _annotated(self, n: NodeWithScore, v: Verdict, offset: int) -> NodeWithScore:
        """A copy of the node with the verdict in its metadata (and masked text when masked)."""
        key = self.metadata_key
        record = v.record()
        excluded_llm = [k for k in n.node.excluded_llm_metadata_keys if k != key]
        new_text = None
        if v.action == "mask" and v.result is not None:
            text = n.node.get_content(metadata_mode=MetadataMode.NONE)
            end = offset + len(text)
            spans: list[Span] = []
            in_metadata = False
            for start, stop, name in masked_spans(v.result, "prompt"):
                if stop > offset and start < end:
                    spans.append((max(start, offset) - offset, min(stop, end) - offset, name))
                in_metadata = in_metadata or start < offset or stop > end
            new_text = mask_text(text, spans, self.mask_strategy)
            if in_metadata:  # sensitive data in LLM-visible metadata: hide the node's metadata from the LLM
                excluded_llm = [k for k in n.node.metadata if k != key]
                record["metadata_hidden"] = True
        node = n.node.model_copy(
            update={
                "metadata": {**n.node.metadata, key: record},
                "excluded_llm_metadata_keys": [*excluded_llm, key],
                "excluded_embed_metadata_keys": [*(k for k in n.node.excluded_embed_metadata_keys if k != key), key],
            }
        )
        if new_text is not None:
            node.set_content(new_text)
        return NodeWithScore(node=node, score=n.score)
