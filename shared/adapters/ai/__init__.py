"""AI provider adapters behind `shared.ports.ai.AiProvider`: OpenAI-compatible (xAI Grok, OpenAI, Groq, Cloudflare
AI Gateway, self-hosted), Anthropic, the Workers AI binding, and `registry.build_providers` that builds them from
the settings in the configured order. Each module is imported on first use (by the registry), not by this package.
"""
