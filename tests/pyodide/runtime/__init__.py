"""Inside-Pyodide support for the conformance tier: the case runner and workerd's own call path."""
