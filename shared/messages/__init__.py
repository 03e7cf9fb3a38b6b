"""Wire formats: the queue envelope, queue names and policies, message payloads, DO RPC payloads. Versioned, strict."""
