"""The local runtime's configuration, read from the same files Cloudflare uses: `wrangler.toml` and `.dev.vars`.

`.dev.vars` (dotenv syntax) holds secrets and overrides `[vars]`, as it does under `wrangler dev`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotenv import dotenv_values


@dataclass(frozen=True)
class D1Config:
    binding: str
    database_name: str
    database_id: str
    migrations_dir: Path


@dataclass(frozen=True)
class LocalConfig:
    root: Path
    name: str
    main: str
    compatibility_date: str
    vars: dict[str, str]
    secrets: dict[str, str]
    d1: list[D1Config]
    kv: list[str]
    producers: dict[str, str]  # binding -> queue name
    consumers: list[dict[str, Any]]
    durable_objects: dict[str, str]  # binding -> class name
    crons: list[str]
    send_email: list[dict[str, Any]] = field(default_factory=list)
    ai: str | None = None  # the Workers AI binding's name ([ai] binding)

    @property
    def bindings_and_vars(self) -> dict[str, str]:
        return {**self.vars, **self.secrets}


def load_config(root: Path, *, dev_vars: Path | None = None) -> LocalConfig:
    root = root.resolve()
    with (root / "wrangler.toml").open("rb") as fh:
        data = tomllib.load(fh)
    vars_path = dev_vars if dev_vars is not None else root / ".dev.vars"
    secrets = {k: v for k, v in dotenv_values(vars_path).items() if v is not None} if vars_path.exists() else {}
    queues = data.get("queues", {})
    return LocalConfig(
        root=root,
        name=data["name"],
        main=data["main"],
        compatibility_date=data["compatibility_date"],
        vars={k: str(v) for k, v in data.get("vars", {}).items()},
        secrets=secrets,
        d1=[
            D1Config(
                binding=d["binding"],
                database_name=d["database_name"],
                database_id=d["database_id"],
                migrations_dir=root / d.get("migrations_dir", "migrations"),
            )
            for d in data.get("d1_databases", [])
        ],
        kv=[k["binding"] for k in data.get("kv_namespaces", [])],
        producers={p["binding"]: p["queue"] for p in queues.get("producers", [])},
        consumers=list(queues.get("consumers", [])),
        durable_objects={b["name"]: b["class_name"] for b in data.get("durable_objects", {}).get("bindings", [])},
        crons=list(data.get("triggers", {}).get("crons", [])),
        send_email=list(data.get("send_email", [])),
        ai=data.get("ai", {}).get("binding"),
    )
