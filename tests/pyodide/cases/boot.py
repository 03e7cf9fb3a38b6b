"""The tier itself: the real SDK is the one installed from the pinned wheel, and the mocks carry real names."""

from __future__ import annotations

import sys
from typing import Any


async def sdk_is_real() -> dict[str, Any]:
    import jengu_mocks
    import workers
    from runtime.workerd import durable_objects
    from workers import _EnvWrapper
    from workers.rpc import _BindingWrapper, _DurableObjectNamespaceWrapper

    env = _EnvWrapper(jengu_mocks.makeEnv())
    namespace, _ = durable_objects(object, env)
    wrapped = _EnvWrapper(jengu_mocks.makeEnv())
    wrapped._env.DO = namespace
    return {
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "sdk": workers.__file__,
        "db": type(env.DB) is _BindingWrapper,
        "kv": type(env.KV) is _BindingWrapper,
        "queue": type(env.SEND_QUEUE) is _BindingWrapper,
        "do": type(wrapped.DO) is _DurableObjectNamespaceWrapper,
        "email_raw": type(env.EMAIL).__name__,
    }
