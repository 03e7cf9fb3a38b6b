"""Composition, pure domain logic: from campaign step + prospect facts to a validated plain-text draft.

templates       check_template / render: jinja2 in an immutable sandbox, strict undefined, cached compiles
context         build_context (facts only, from the records), facts_text (for prompts), input_links
variants        check_weights / choose_variant: A/B weights, chosen deterministically per enrollment and step
thread_headers  reply_subject, thread_references: follow-ups thread under the first email (RFC 5322 §3.6.4)
message_ids     message_id: "<unique@domain>", fixed before any send
prompts         STRATEGIES, build_prompt: the LLM's system and user prompts, fed only with the facts
output          parse_completion: (subject, body) from a model's JSON, fenced JSON or "Subject:" text
validation      validate_draft / clean_output: the checks every draft passes before it is accepted
spam_phrases    the phrase list validation uses (en, de, fr, es, it, nl, pt)
fallback        fallback_template: the last resort when every AI provider failed

jinja2 is imported on first use only (a cached builder), never when these modules are imported.
"""
