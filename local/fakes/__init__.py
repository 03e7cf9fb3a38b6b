"""Local fakes of the outside services the Worker calls over HTTP (AI providers, DNS over HTTPS): real servers on
127.0.0.1, reached through the same outbound adapters production uses. CPython only; never bundled."""
