"""Jengu's shared core: domain, service layer, ports, adapters, wire messages, config and composition root."""
