"""Platform glue: the one shared module allowed to import Pyodide-only modules (`js`, `pyodide`)."""
