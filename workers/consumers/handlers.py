"""Message handlers, one per message type. Each takes the decoded payload and this invocation's services."""

from __future__ import annotations

from shared.bootstrap import Services
from shared.messages.envelope import Envelope
from shared.messages.payloads import DeadLetter, ImportSlice, InboundReceived, Payload
from shared.service_layer.dead_letters import record_dead_letter
from shared.service_layer.inbound import parse_inbound


async def handle_inbound_received(payload: Payload, envelope: Envelope, services: Services) -> None:
    assert isinstance(payload, InboundReceived)
    await parse_inbound(payload, inbound=services.inbound, log=services.log)


async def handle_dead_letter(payload: Payload, envelope: Envelope, services: Services) -> None:
    assert isinstance(payload, DeadLetter)
    if payload.original_type == "import.slice" and payload.original_payload is not None:
        slice_ = ImportSlice.model_validate(payload.original_payload)
        await services.import_job_service.fail_at(slice_, payload.error)
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
