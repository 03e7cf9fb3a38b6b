"""Service layer: use cases orchestrating domain rules over ports. Async, no bindings, no SQL."""
