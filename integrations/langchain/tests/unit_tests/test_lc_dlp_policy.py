"""InterlockGuard follows the profile's per-data-pattern DLP actions (issue #13), like the LlamaIndex guards.

Under the built-in ``default`` profile a user's own contact details in a prompt are masked (the model sees the
masked text), card numbers, secrets and national ids block, and personal data in a model answer blocks —
whatever the guard's ``action``; ``action="mask"`` only adds masking of what the profile blocks.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_interlock import InterlockGuard
from lc_support import AWS_KEY, Recorder

from interlock import ThreatDetected
from interlock.scanner import LocalScanner
from tests.dlp_examples import BLOCKED_PROMPTS, CARD, ISSUE_PROMPT, MASKED_PROMPTS, RESPONSE_LEAKS


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    messages = value.to_messages() if hasattr(value, "to_messages") else value
    return " ".join(str(m.content) for m in messages)


@pytest.mark.parametrize("action", ["raise", "replace", "mask"])
@pytest.mark.parametrize(("prompt", "masked"), MASKED_PROMPTS)
def test_contact_data_in_prompt_reaches_the_model_masked(
    scanner: LocalScanner, action: str, prompt: str, masked: str
) -> None:
    model = Recorder("Done.")
    out = InterlockGuard(model.runnable, scanner=scanner, action=action).invoke([HumanMessage(prompt)])
    assert isinstance(out, AIMessage) and out.content == "Done."
    assert _text(model.seen[0]) == masked


async def test_contact_data_in_prompt_masked_async(scanner: LocalScanner) -> None:
    model = Recorder("Done.")
    await InterlockGuard(model.runnable, scanner=scanner).ainvoke(ISSUE_PROMPT)
    assert _text(model.seen[0]) == MASKED_PROMPTS[0][1]


def test_input_step_masks_with_the_chosen_strategy(scanner: LocalScanner) -> None:
    step = InterlockGuard(scanner=scanner, mask_strategy="x").input()
    assert step.invoke("My email is bob@corp.com") == "My email is XXXXXXXXXXXX"


@pytest.mark.parametrize("prompt", [*BLOCKED_PROMPTS, f"Our key is {AWS_KEY}"])
def test_cards_secrets_and_ids_in_prompt_block(scanner: LocalScanner, prompt: str) -> None:
    model = Recorder("Done.")
    with pytest.raises(ThreatDetected) as info:
        InterlockGuard(model.runnable, scanner=scanner).invoke(prompt)
    assert info.value.side == "prompt" and model.seen == []


@pytest.mark.parametrize("leak", RESPONSE_LEAKS)
def test_personal_data_in_response_blocks(scanner: LocalScanner, leak: str) -> None:
    with pytest.raises(ThreatDetected) as info:
        InterlockGuard(Recorder(leak).runnable, scanner=scanner).invoke("How do I reach Bob?")
    assert info.value.side == "response"
    stream = GenericFakeChatModel(messages=iter([AIMessage(content=leak)]))
    with pytest.raises(ThreatDetected):
        "".join(str(c.content) for c in InterlockGuard(stream, scanner=scanner).stream("How do I reach Bob?"))


def test_mask_action_still_masks_what_the_profile_blocks(scanner: LocalScanner) -> None:
    model = Recorder("Done.")
    InterlockGuard(model.runnable, scanner=scanner, action="mask").invoke(f"I am bob@corp.com, card {CARD}")
    assert _text(model.seen[0]) == "I am <EMAIL_ADDRESS>, card <CREDIT_CARD_NUMBER>"


def test_agent_middleware_masks_contact_data_in_user_message(scanner: LocalScanner) -> None:
    from langchain.agents import create_agent
    from langchain_interlock import InterlockMiddleware
    from lc_support import tool_model

    graph = create_agent(
        tool_model(AIMessage("Sorry about that, we will reach out.")),
        tools=[],
        middleware=[InterlockMiddleware(scanner, action="raise")],
    )
    messages = graph.invoke({"messages": [HumanMessage(ISSUE_PROMPT)]})["messages"]
    assert messages[0].content == MASKED_PROMPTS[0][1]
    assert messages[-1].content == "Sorry about that, we will reach out."
