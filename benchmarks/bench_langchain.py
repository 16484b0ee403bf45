"""LangChain guard benchmark: per-call overhead and streaming time-to-first-token.

1. Overhead: ``InterlockGuard`` around a fake chat model vs the bare model, with a trivial scanner that returns a
   prepared benign result (so scan time is ~0 and what remains is the adapter: its own traced run, text
   extraction, policy). Reported per call (two scans: prompt and response).
2. Streaming: time to the first streamed chunk with the real local engine (default profile), guard vs bare model,
   for an instantly-streaming fake model (so the difference is what the guard adds) and a paced one (a token
   every ``--token-ms``).

Run: ``.venv/bin/python benchmarks/bench_langchain.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import random
import statistics
import time
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableGenerator, RunnableLambda
from langchain_interlock import InterlockGuard

from interlock.scanner import LocalScanner, Scanner, ScanResult

QUESTION = "What is the capital of France, and what is it famous for?"


class InstantScanner(Scanner):
    """Returns one prepared benign result: isolates the adapter's own cost."""

    def __init__(self, real: Scanner) -> None:
        self._prompt = real.scan({"prompt": QUESTION})
        self._response = real.scan({"response": "Paris."})

    def scan(self, content: Any, **kwargs: Any) -> ScanResult:
        return self._response if isinstance(content, dict) and "response" in content else self._prompt

    async def ascan(self, content: Any, **kwargs: Any) -> ScanResult:
        return self.scan(content, **kwargs)

    def scan_request(self, request: Any) -> ScanResult:
        return self._prompt

    async def ascan_request(self, request: Any) -> ScanResult:
        return self._prompt


def _identity(value: Any) -> Any:
    return value


def per_call_us(variants: dict[str, Any], n: int, rounds: int) -> dict[str, float]:
    """Per-call CPU time of each variant in microseconds: the best of ``rounds`` rounds of ``n`` calls.

    Variants are interleaved round by round and timed with ``time.process_time`` (CPU time of this process), so
    other load on a shared machine inflates the numbers as little as possible; the best round is reported.
    """
    best = {name: float("inf") for name in variants}
    for fn in variants.values():
        fn()
    for _ in range(rounds):
        for name, fn in variants.items():
            gc.collect()
            t0 = time.process_time()
            for _ in range(n):
                fn()
            best[name] = min(best[name], (time.process_time() - t0) / n * 1e6)
    return best


def answer_text(rng: random.Random, words: int) -> str:
    vocab = ["Paris", "is", "the", "capital", "of", "France", "famous", "for", "art", "food", "the", "Seine"]
    return " ".join(rng.choice(vocab) for _ in range(words)) + "."


def paced(text: str, token_ms: float) -> RunnableGenerator[Any, Any]:
    def gen(_: Iterator[Any]) -> Iterator[AIMessageChunk]:
        for word in text.split(" "):
            if token_ms:
                time.sleep(token_ms / 1000)
            yield AIMessageChunk(content=word + " ")

    return RunnableGenerator(gen)


def ttft_ms(runnable: Any, repeats: int, until: int = 1) -> tuple[float, float]:
    """Median wall time until ``until`` characters have streamed, and to the end of the stream, in ms."""
    first, total = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        t_first = None
        seen = 0
        for chunk in runnable.stream(QUESTION):
            seen += len(chunk.content if hasattr(chunk, "content") else chunk)
            if t_first is None and seen >= until:
                t_first = time.perf_counter()
        t_end = time.perf_counter()
        first.append(((t_first or t_end) - t0) * 1000)
        total.append((t_end - t0) * 1000)
    return statistics.median(first), statistics.median(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (smoke run)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--token-ms", type=float, default=5.0, help="delay per token of the paced fake model")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    n, repeats = (200, 3) if args.quick else (2000, 7)
    s_repeats = 3 if args.quick else 15

    real = LocalScanner()
    instant = InstantScanner(real)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"# LangChain guard benchmark ({platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, seed {args.seed}, load average at start {load:.1f})\n"
    )

    # 1. overhead, scan time excluded
    prompt = ChatPromptTemplate.from_messages([("system", "Be brief."), ("human", "{q}")])
    model = FakeListChatModel(responses=["Paris is the capital of France."])
    wrapped_guard = InterlockGuard(model, scanner=instant)
    steps = InterlockGuard(scanner=instant)
    bare_chain = prompt | model | StrOutputParser()
    noop_chain = prompt | RunnableLambda(_identity) | model | RunnableLambda(_identity) | StrOutputParser()
    piped_chain = prompt | steps.input() | model | steps.output() | StrOutputParser()
    q = {"q": QUESTION}
    t = per_call_us(
        {
            "bare": lambda: model.invoke(QUESTION),
            "wrapped": lambda: wrapped_guard.invoke(QUESTION),
            "chain_bare": lambda: bare_chain.invoke(q),
            "chain_noop": lambda: noop_chain.invoke(q),
            "chain_piped": lambda: piped_chain.invoke(q),
        },
        n,
        repeats,
    )
    ta = per_call_us(
        {
            "bare": lambda: asyncio.run(model.ainvoke(QUESTION)),
            "wrapped": lambda: asyncio.run(wrapped_guard.ainvoke(QUESTION)),
        },
        max(20, n // 10),
        repeats,
    )
    print("## Overhead per call (trivial scanner: scan time excluded; CPU µs, best round)\n")
    print("| setup | without guard µs | with guard µs | overhead µs |")
    print("|---|---:|---:|---:|")
    rows = [
        ("`InterlockGuard(chat_model).invoke` vs `chat_model.invoke`", t["bare"], t["wrapped"]),
        (
            "`prompt | guard.input() | model | guard.output() | parser` vs `prompt | model | parser`",
            t["chain_bare"],
            t["chain_piped"],
        ),
        ("the same pipe vs two no-op `RunnableLambda` steps in the same places", t["chain_noop"], t["chain_piped"]),
        ("`ainvoke` (each call inside its own `asyncio.run`)", ta["bare"], ta["wrapped"]),
    ]
    for label, without, with_guard in rows:
        print(f"| {label} | {without:.0f} | {with_guard:.0f} | {with_guard - without:.0f} |")
    one = real.scan({"prompt": QUESTION})
    scan_us = per_call_us({"scan": lambda: real.scan({"prompt": QUESTION})}, 50 if args.quick else 200, repeats)["scan"]
    print(
        f"\nFor scale: one real local scan of the question (default profile) takes {scan_us:.0f} µs "
        f"(verdict {one.action}).\n"
    )

    # 2. streaming time to first token with the real engine
    text = answer_text(rng, 300)
    print(f"## Streaming time to first token (real local engine, default profile; answer {len(text)} chars)\n")
    print("The guard releases text once `window - overlap` characters have been scanned, so its first chunk comes")
    print("after the model has produced that much text; *added* is the guard's first chunk minus the time the bare")
    print("model takes to stream the same number of characters (i.e. the scan and adapter cost on the way).\n")
    print(
        "| model | mode | window/overlap | first chunk ms | bare model at same length ms | added ms | whole stream ms |"
    )
    print("|---|---|---|---:|---:|---:|---:|")
    for token_ms in (0.0, args.token_ms):
        label = "instant" if not token_ms else f"{token_ms:g} ms/token"
        if token_ms:
            source: Any = paced(text, token_ms)
        else:
            source = GenericFakeChatModel(messages=iter([AIMessage(text)] * 10_000))
        f, t = ttft_ms(source, s_repeats)
        print(f"| {label} | unguarded | – | {f:.1f} | – | – | {t:.1f} |")
        for window, overlap, buffered in ((512, 128, False), (160, 48, False), (512, 128, True)):
            g = InterlockGuard(source, scanner=real, window=window, overlap=overlap, buffered=buffered)
            f, t = ttft_ms(g, s_repeats)
            ref, _ = ttft_ms(source, s_repeats, until=len(text) if buffered else window - overlap)
            mode = "buffered" if buffered else "incremental"
            print(f"| {label} | {mode} | {window}/{overlap} | {f:.1f} | {ref:.1f} | {f - ref:.1f} | {t:.1f} |")
    real.close()


if __name__ == "__main__":
    main()
