"""Conformance cases: each async function runs inside real Pyodide with the real SDK and returns JSON data."""
