"""Durable Object classes: each a thin SDK shell over a pure logic module with a storage port.

The entry module imports the five classes so the runtime exports them.
"""
