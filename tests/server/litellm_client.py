"""Drive LiteLLM's built-in ``panw_prisma_airs`` guardrail, unmodified, against a server; print what it decided.

Usage: python litellm_client.py < spec.json, spec = {endpoint, api_key}; read once LiteLLM is imported, so the
caller can start this process while its server boots (``SSL_CERT_FILE`` names the throwaway CA). The guardrail's
hooks are called in this process as the LiteLLM proxy calls them (pre-call on the prompt, post-call on the model
response, ``apply_guardrail`` for an MCP tool call); the guardrail makes its own HTTP calls with LiteLLM's client.

Nothing may leave the machine: every DNS lookup or connection to a host that is not loopback is refused and
reported under ``outbound`` (LiteLLM would otherwise fetch its model cost map at import; the environment asks it
for the bundled copy with ``LITELLM_LOCAL_MODEL_COST_MAP``; its tiktoken encodings are bundled too).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import socket
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from server_fakes import BENIGN_PROMPT, DLP_RESPONSE, INJECTION  # noqa: E402

OUTBOUND: list[str] = []
_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect


def _loopback(host: object) -> bool:
    if host in ("localhost", None):
        return True
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not _loopback(host):
        OUTBOUND.append(f"dns {host}")
        raise socket.gaierror(socket.EAI_NONAME, "outbound lookups are refused in this test")
    return _getaddrinfo(host, *args, **kwargs)


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if isinstance(address, tuple) and not _loopback(address[0]):
        OUTBOUND.append(f"connect {address[0]}")
        raise ConnectionRefusedError("outbound connections are refused in this test")
    return _connect(self, address)


socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]
socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

from fastapi import HTTPException  # noqa: E402
from litellm import ModelResponse  # noqa: E402
from litellm.caching import DualCache  # noqa: E402
from litellm.proxy._types import UserAPIKeyAuth  # noqa: E402
from litellm.proxy.guardrails.guardrail_hooks.panw_prisma_airs import PanwPrismaAirsHandler  # noqa: E402

MCP_SERVER = "files"


def _blocked(exc: HTTPException) -> dict[str, Any]:
    err = exc.detail["error"] if isinstance(exc.detail, dict) else {}
    return {
        "outcome": "blocked",
        "http_status": exc.status_code,
        "code": err.get("code"),
        "category": err.get("category"),
        "scan_id": err.get("scan_id"),
        "profile_name": err.get("profile_name"),
    }


async def _prompt(handler: PanwPrismaAirsHandler, text: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "model": "mock-model",
        "messages": [{"role": "user", "content": text}],
        "litellm_call_id": str(uuid.uuid4()),
        "metadata": {},
    }
    try:
        await handler.async_pre_call_hook(UserAPIKeyAuth(), DualCache(), data, "completion")
    except HTTPException as exc:
        return _blocked(exc)
    return {"outcome": "allowed", "prompt": data["messages"][-1]["content"]}


async def _response(handler: PanwPrismaAirsHandler, text: str) -> dict[str, Any]:
    data: dict[str, Any] = {"model": "mock-model", "litellm_call_id": str(uuid.uuid4()), "metadata": {}}
    response = ModelResponse(choices=[{"message": {"role": "assistant", "content": text}}], model="mock-model")
    try:
        out = await handler.async_post_call_success_hook(data, UserAPIKeyAuth(), response)
    except HTTPException as exc:
        return _blocked(exc)
    assert isinstance(out, ModelResponse)
    return {"outcome": "allowed", "response": out.choices[0].message.content}  # type: ignore[union-attr]


async def _mcp_call(handler: PanwPrismaAirsHandler, tool: str) -> dict[str, Any]:
    """An MCP tool call without arguments: LiteLLM sends a tool_event with only metadata."""
    request_data: dict[str, Any] = {"mcp_tool_name": tool, "mcp_server_name": MCP_SERVER}
    try:
        await handler.apply_guardrail({"texts": []}, request_data, "request")
    except HTTPException as exc:
        return _blocked(exc)
    return {"outcome": "allowed"}


async def run(endpoint: str, key: str) -> dict[str, Any]:
    def guard(**kwargs: Any) -> PanwPrismaAirsHandler:
        return PanwPrismaAirsHandler(guardrail_name="airs", api_key=key, api_base=endpoint, **kwargs)

    no_profile, default, masking = guard(), guard(profile_name="default"), guard(mask_response_content=True)
    return {
        "no_profile_benign": await _prompt(no_profile, BENIGN_PROMPT),
        "no_profile_injection": await _prompt(no_profile, INJECTION),
        "named_profile_injection": await _prompt(default, INJECTION),
        "response_blocked": await _response(default, DLP_RESPONSE),
        "response_masked": await _response(masking, DLP_RESPONSE),
        "mcp_no_arguments_benign": await _mcp_call(no_profile, "list_files"),
        "mcp_no_arguments_injection": await _mcp_call(no_profile, INJECTION),
        "unknown_profile": await _prompt(guard(profile_name="no-such-profile"), BENIGN_PROMPT),
    }


def main() -> None:
    spec = json.loads(sys.stdin.read())
    out = asyncio.run(run(spec["endpoint"], spec["api_key"]))
    out["outbound"] = OUTBOUND
    print(json.dumps(out))


if __name__ == "__main__":
    main()
