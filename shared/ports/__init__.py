"""Ports: small Protocols naming the capabilities the service layer needs. Adapters implement them."""
