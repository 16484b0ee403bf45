"""AIRS scan request models (section 5 of the API description)."""

from __future__ import annotations

import uuid

from pydantic import ConfigDict, Field, field_validator, model_validator

from interlock.models._base import Int, Str, WireModel

__all__ = [
    "AgentMeta",
    "AiProfile",
    "AsyncScanObject",
    "Metadata",
    "ScanContent",
    "ScanRequest",
    "ToolEvent",
    "ToolEventMetadata",
    "MAX_PROFILE_NAME",
]

MAX_PROFILE_NAME = 100


class AiProfile(WireModel):
    """Which AI security profile to apply: by UUID or by name."""

    profile_id: Str | None = None
    profile_name: Str | None = None

    @field_validator("profile_id")
    @classmethod
    def _uuid(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                uuid.UUID(value)
            except ValueError:
                raise ValueError("profile_id must be a UUID") from None
        return value

    @field_validator("profile_name")
    @classmethod
    def _name_length(cls, value: str | None) -> str | None:
        if value is not None and not (0 < len(value) <= MAX_PROFILE_NAME):
            raise ValueError(f"profile_name must be 1-{MAX_PROFILE_NAME} characters")
        return value


class AgentMeta(WireModel):
    """Describes the calling agent."""

    agent_id: Str | None = None
    agent_version: Str | None = None
    agent_arn: Str | None = None


class Metadata(WireModel):
    """Descriptive context for logging and analytics."""

    app_name: Str | None = None
    app_user: Str | None = None
    ai_model: Str | None = None
    user_ip: Str | None = None
    agent_meta: AgentMeta | None = None


class ToolEventMetadata(WireModel):
    """Identifies an agent/MCP tool invocation (``additionalProperties: false`` in the spec)."""

    model_config = ConfigDict(extra="forbid")

    ecosystem: Str
    method: Str
    server_name: Str
    tool_invoked: Str | None = None


class ToolEvent(WireModel):
    """An agent/MCP tool event: raw JSON text sent to the tool and returned by it.

    The contract wants input or output; LiteLLM sends an MCP tool call without arguments as ``metadata`` alone,
    which is accepted too (the engine then scans the server and tool names).
    """

    metadata: ToolEventMetadata | None = None
    input: Str | None = None
    output: Str | None = None

    @model_validator(mode="after")
    def _needs_something(self) -> ToolEvent:
        if not self.input and not self.output and self.metadata is None:
            raise ValueError("tool_event needs input, output or metadata")
        return self


class ScanContent(WireModel):
    """One element of ``contents``: the texts to scan."""

    prompt: Str | None = None
    response: Str | None = None
    code_prompt: Str | None = None
    code_response: Str | None = None
    context: Str | None = None
    tool_event: ToolEvent | None = None

    @model_validator(mode="after")
    def _needs_content(self) -> ScanContent:
        for name in ("prompt", "response"):
            if getattr(self, name) == "":
                raise ValueError(f"{name} must not be empty")
        if not any((self.prompt, self.response, self.code_prompt, self.code_response, self.tool_event)):
            raise ValueError("content needs at least one of prompt, response, code_prompt, code_response, tool_event")
        return self


class ScanRequest(WireModel):
    """Body of ``POST /v1/scan/sync/request`` and ``scan_req`` of an async item.

    ``ai_profile`` may be omitted, as real clients do when the key has a linked profile (LiteLLM's guardrail
    without ``profile_name``): the written contract requires it, the service then uses the key's profile.
    Interlock uses the profile the key is bound to, else ``default`` (``docs/server.md``).
    """

    tr_id: Str | None = None
    session_id: Str | None = None
    transaction_id: Str | None = None
    ai_profile: AiProfile | None = None
    metadata: Metadata | None = None
    contents: list[ScanContent] = Field(min_length=1)

    @field_validator("ai_profile")
    @classmethod
    def _profile_given(cls, value: AiProfile | None) -> AiProfile | None:
        if value is not None and value.profile_id is None and value.profile_name is None:
            raise ValueError("ai_profile needs profile_id or profile_name")
        return value


class AsyncScanObject(WireModel):
    """One item of the async request array."""

    req_id: Int = Field(ge=0, le=2**32 - 1)
    scan_req: ScanRequest
