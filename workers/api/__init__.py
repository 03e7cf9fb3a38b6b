"""HTTP API: a FastAPI app served through the SDK's ASGI bridge on Workers and by the local runtime locally."""
