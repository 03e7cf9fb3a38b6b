"""Adapters: the only code that touches bindings (D1, KV, Queues, Durable Objects) or the network."""
