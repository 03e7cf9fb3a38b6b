"""Message handlers, one per message type. Each takes the decoded payload and this invocation's services."""

from __future__ import annotations

from shared.bootstrap import Services
from shared.messages.envelope import Envelope
from shared.messages.payloads import (
    ComposeRequested,
    DeadLetter,
    EnrichRequested,
    EnrichSelection,
    EnrollmentSlice,
    ImportSlice,
    InboundReceived,
    Payload,
    SendRequested,
)
from shared.service_layer.dead_letters import record_dead_letter
from shared.service_layer.inbound import parse_inbound


async def handle_inbound_received(payload: Payload, envelope: Envelope, services: Services) -> None:
    assert isinstance(payload, InboundReceived)
    from shared.service_layer.inbound_processing import InboundProcessor

    await parse_inbound(payload, inbound=services.inbound, log=services.log)
    await InboundProcessor(services).process(payload.inbound_id)


async def handle_dead_letter(payload: Payload, envelope: Envelope, services: Services) -> None:
    assert isinstance(payload, DeadLetter)
    if payload.original_type == "import.slice" and payload.original_payload is not None:
        slice_ = ImportSlice.model_validate(payload.original_payload)
        await services.import_job_service.fail_at(slice_, payload.error)
    if payload.original_type == "compose.requested" and payload.original_payload is not None:
        compose = ComposeRequested.model_validate(payload.original_payload)
        await services.compose_service.give_up(compose)
    if payload.original_type == "enrollment.slice" and payload.original_payload is not None:
        job = EnrollmentSlice.model_validate(payload.original_payload)
        await services.enrollments.fail_job(job.job_id, payload.error, services.clock.now())
    if payload.original_type == "enrich.requested" and payload.original_payload is not None:
        enrich = EnrichRequested.model_validate(payload.original_payload)
        await services.enrichment_store.mark_failed(enrich.prospect_id, services.clock.now())
    try:  # people hear about work that failed for good (the notification is best effort)
        await services.notifier.notify(
            "task_dead_lettered", payload.message_id, {"queue": payload.queue, "type": payload.original_type,
                                                        "error": payload.error[:300]},
        )  # fmt: skip
    except Exception as exc:
        services.log.warning("dead-letter notification not recorded", error=f"{type(exc).__name__}: {exc}")
    await record_dead_letter(
        payload,
        trace_id=envelope.trace_id,
        failed_tasks=services.failed_tasks,
        clock=services.clock,
        log=services.log,
    )


async def handle_import_slice(payload: Payload, envelope: Envelope, services: Services) -> None:
    assert isinstance(payload, ImportSlice)
    await services.import_job_service.run_slice(payload, trace_id=envelope.trace_id)


async def handle_compose(payload: Payload, envelope: Envelope, services: Services) -> None:
    assert isinstance(payload, ComposeRequested)
    await services.compose_service.handle(payload, trace_id=envelope.trace_id)


async def handle_send_requested(payload: Payload, envelope: Envelope, services: Services) -> None:
    assert isinstance(payload, SendRequested)
    from shared.service_layer.sending.send import SendService

    await SendService(services).handle(payload, owner=envelope.id)


async def handle_enrollment_slice(payload: Payload, envelope: Envelope, services: Services) -> None:
    assert isinstance(payload, EnrollmentSlice)
    from shared.service_layer.enrollment.jobs import run_slice

    await run_slice(payload, services, trace_id=envelope.trace_id)


async def handle_email_event(payload: Payload, envelope: Envelope, services: Services) -> None:
    """Add the event to its daily counter; idempotent per envelope id (processed_messages, same D1 batch)."""
    from shared.messages.payloads import EmailEvent

    assert isinstance(payload, EmailEvent)
    await services.email_events.count(payload, envelope.id)


async def handle_enrich(payload: Payload, envelope: Envelope, services: Services) -> None:
    """Enrich one prospect (shared/service_layer/enrichment/enrich.py); an outage raises, so the queue retries."""
    assert isinstance(payload, EnrichRequested)
    await services.enricher.run(payload.prospect_id)


async def handle_enrich_selection(payload: Payload, envelope: Envelope, services: Services) -> None:
    assert isinstance(payload, EnrichSelection)
    await services.enrich_requests.run_slice(payload, trace_id=envelope.trace_id)
