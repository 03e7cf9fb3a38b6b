"""The configured AI providers, in `settings.ai_providers` order, for the composition gateway.

    xai         OpenAI-compatible at XAI_BASE_URL with XAI_API_KEY
    anthropic   Messages API at ANTHROPIC_BASE_URL with ANTHROPIC_API_KEY
    openai      OpenAI-compatible at OPENAI_BASE_URL with OPENAI_API_KEY (both needed: there is no default endpoint)
    workers_ai  the `AI` binding with WORKERS_AI_MODEL

An unknown or repeated name is a configuration error (ValueError, at build time). A known provider that is not
configured here (no key, no base URL, no binding) is still returned, as an `UnavailableProvider` that fails with
UNAVAILABLE and says why, so the gateway records why it was skipped.
"""

from __future__ import annotations

from typing import Any

from shared.config import Settings
from shared.ports.ai import AiProvider, Completion, CompletionRequest, FailureKind, ProviderFailure
from shared.ports.http import HttpClient

PROVIDER_NAMES = ("xai", "anthropic", "openai", "workers_ai")
WORKERS_AI_BINDING = "AI"


class UnavailableProvider:
    """A provider listed in AI_PROVIDERS but not configured here."""

    def __init__(self, name: str, reason: str) -> None:
        self._name = name
        self.reason = reason

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"UnavailableProvider(name={self._name!r}, reason={self.reason!r})"

    async def complete(self, request: CompletionRequest, *, timeout_s: float) -> Completion:
        raise ProviderFailure(FailureKind.UNAVAILABLE, self.reason)


def build_providers(settings: Settings, env: Any, http: HttpClient) -> list[AiProvider]:
    unknown = [name for name in settings.ai_providers if name not in PROVIDER_NAMES]
    if unknown:
        raise ValueError(f"AI_PROVIDERS names unknown providers {unknown}; known: {', '.join(PROVIDER_NAMES)}")
    repeated = sorted({name for name in settings.ai_providers if settings.ai_providers.count(name) > 1})
    if repeated:
        raise ValueError(f"AI_PROVIDERS lists {repeated} more than once")
    return [_build(name, settings, env, http) for name in settings.ai_providers]


def _build(name: str, settings: Settings, env: Any, http: HttpClient) -> AiProvider:
    if name == "xai":
        if not settings.xai_api_key:
            return UnavailableProvider(name, "XAI_API_KEY is not set")
        from shared.adapters.ai.openai_compatible import OpenAiCompatibleProvider

        return OpenAiCompatibleProvider(name, settings.xai_base_url, settings.xai_api_key, settings.xai_model, http)
    if name == "anthropic":
        if not settings.anthropic_api_key:
            return UnavailableProvider(name, "ANTHROPIC_API_KEY is not set")
        from shared.adapters.ai.anthropic import AnthropicProvider

        return AnthropicProvider(
            name, settings.anthropic_base_url, settings.anthropic_api_key, settings.anthropic_model, http
        )
    if name == "openai":
        if not settings.openai_base_url:
            return UnavailableProvider(name, "OPENAI_BASE_URL is not set")
        if not settings.openai_api_key:
            return UnavailableProvider(name, "OPENAI_API_KEY is not set")
        from shared.adapters.ai.openai_compatible import OpenAiCompatibleProvider

        return OpenAiCompatibleProvider(
            name, settings.openai_base_url, settings.openai_api_key, settings.openai_model, http
        )
    binding = _binding(env, WORKERS_AI_BINDING)
    if binding is None:
        return UnavailableProvider(name, f'no Workers AI binding "{WORKERS_AI_BINDING}" (wrangler.toml [ai])')
    from shared.adapters.ai.workers_ai import WorkersAiProvider

    return WorkersAiProvider(name, binding, settings.workers_ai_model)


def _binding(env: Any, name: str) -> Any:
    try:
        return getattr(env, name, None)
    except Exception:  # an env wrapper may raise its own error for a missing name
        return None
