"""A client for OpenAI-compatible chat completions, streaming or not.

The wire format is OpenAI's ``POST {base_url}/chat/completions`` with
``{"model", "messages", "max_tokens", "temperature", "stream"}``; a streamed
reply is server-sent events, one ``data: {json chunk}`` line per token group
and ``data: [DONE]`` at the end. llama.cpp's llama-server, Ollama, vLLM,
OpenAI and Azure OpenAI's v1 API all speak it (docs/llm-writer.md).

Privacy: the base URL must name this machine unless remote models are
allowed explicitly (``llm_allow_remote``), and a local URL is reached without
any proxy from the environment, so that nothing leaves the machine by accident.
Every failure (unreachable, slow, an HTTP error, a malformed reply) is a
:class:`~medbrief.errors.ModelError`, which the writer turns into a fallback.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from medbrief.errors import ConfigError, ModelError
from medbrief.settings import Settings, is_local_host

Message = dict[str, str]
#: reasoning models (DeepSeek-R1, Qwen3) may think aloud before answering
_THINKING = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL)


is_local = is_local_host


def checked_base_url(url: str, allow_remote: bool) -> httpx.URL:
    """``url`` parsed, or a ConfigError when it is unusable or not allowed."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise ConfigError(f"llm_base_url is not a URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError(f"llm_base_url must be an http(s) URL with a host, not {url!r}")
    if not allow_remote and not is_local(parsed.host):
        raise ConfigError(
            f"llm_base_url names {parsed.host}, which is not this machine: the question and "
            "the source texts would be sent there. Set MEDBRIEF_LLM_ALLOW_REMOTE=true to allow "
            "a remote model server."
        )
    return parsed


class ChatClient:
    """One configured model on one OpenAI-compatible server."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout: float = 120.0,
        allow_remote: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        url = checked_base_url(base_url, allow_remote)
        self.model = model
        self.host = url.host
        self.timeout = timeout
        self._url = str(url).rstrip("/") + "/chat/completions"
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._transport = transport

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatClient:
        if not settings.llm_model:
            raise ConfigError("no language model is configured: set MEDBRIEF_LLM_MODEL")
        return cls(
            settings.llm_base_url,
            settings.llm_model,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
            allow_remote=settings.llm_allow_remote,
        )

    def chat(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        on_delta: Callable[[str], None] | None = None,
        stream: bool = True,
    ) -> str:
        """The model's reply to ``messages``; ``on_delta`` sees the text as it arrives.

        Greedy decoding (temperature 0), so a brief is as reproducible as the
        server allows. The whole reply must arrive within ``timeout`` seconds.
        """
        body: dict[str, Any] = {
            "model": self.model,
            "messages": list(messages),
            "max_tokens": max_tokens,
            "temperature": 0,
            "stream": stream,
        }
        deadline = time.monotonic() + self.timeout
        # One connection per request: a reply takes seconds, a connection
        # microseconds, and nothing is left open between briefs.
        http = httpx.Client(
            headers=self._headers,
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
            # a proxy from the environment must not carry a local model's traffic away
            trust_env=not is_local(self.host),
            transport=self._transport,
        )
        try:
            with http, http.stream("POST", self._url, json=body) as response:
                if response.status_code >= 400:
                    response.read()
                    raise ModelError(
                        f"the model server answered HTTP {response.status_code}: "
                        f"{response.text[:200]}"
                    )
                kind = response.headers.get("content-type", "")
                if stream and kind.startswith("text/event-stream"):
                    text = self._read_stream(response, deadline, on_delta)
                else:  # not asked to stream, or a server that ignores "stream"
                    text = _message_text(_json(response.read()))
                    if on_delta:
                        on_delta(text)
        except httpx.TimeoutException:
            raise ModelError(
                f"the model did not answer within {self.timeout:g} s", unavailable=True
            ) from None
        except httpx.HTTPError as exc:
            raise ModelError(f"the model server is unreachable: {exc}", unavailable=True) from None
        text = _THINKING.sub("", text).strip()
        if not text:
            raise ModelError("the model's reply was empty")
        return text

    def _read_stream(
        self,
        response: httpx.Response,
        deadline: float,
        on_delta: Callable[[str], None] | None,
    ) -> str:
        parts: list[str] = []
        for line in response.iter_lines():
            if time.monotonic() > deadline:
                raise ModelError(
                    f"the model did not finish within {self.timeout:g} s", unavailable=True
                )
            if not line.startswith("data:"):
                continue  # comments, event names, keep-alives
            data = line[5:].strip()
            if data == "[DONE]":
                break
            chunk = _json(data.encode())
            delta = _delta_text(chunk)
            if delta:
                parts.append(delta)
                if on_delta:
                    on_delta(delta)
        return "".join(parts)


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelError("the model server's reply is not JSON") from None
    if not isinstance(value, dict):
        raise ModelError("the model server's reply is not a JSON object")
    if "error" in value:
        raise ModelError(f"the model server reported an error: {str(value['error'])[:200]}")
    return value


def _choice(value: dict[str, Any]) -> dict[str, Any]:
    choices = value.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ModelError("the model server's reply has no choices")
    return choices[0]


def _message_text(value: dict[str, Any]) -> str:
    message = _choice(value).get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise ModelError("the model server's reply has no message content")
    return content


def _delta_text(chunk: dict[str, Any]) -> str:
    if not chunk.get("choices"):
        return ""  # e.g. a final usage-only chunk
    delta = _choice(chunk).get("delta") or {}
    content = delta.get("content") if isinstance(delta, dict) else None
    if content is not None and not isinstance(content, str):
        raise ModelError("the model server's stream has a malformed chunk")
    return content or ""
