"""Pure domain: models, rules and errors. Imports only the stdlib and pydantic; never does I/O."""
