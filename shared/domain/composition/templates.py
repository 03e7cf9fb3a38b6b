"""Sandboxed jinja2 templates for subjects, bodies and prompts: `check_template` at save time, `render` at compose.

The environment is jinja2's `ImmutableSandboxedEnvironment` (no `_`-attributes, no mutating `list.append` /
`dict.update`, unsafe `str.format` refused) with `StrictUndefined` and no autoescape (the output is plain text), and
only `range` as a global (`lipsum`, `cycler`, `joiner`, `namespace` and `dict` are removed: they are the classic
footholds for escapes and have no use in an email). On top of jinja2's runtime checks, every parsed template is
scanned before use: any attribute or item whose name starts with `_` (`{{ ''.__class__ }}`, `{{ x['__init__'] }}`,
`{{ x|attr('__globals__') }}`) is a "security" problem at once, so an escape attempt is refused when the step is
saved rather than when the first email is composed. `*` and `**` are bounded so `{{ 'x' * 10**9 }}` cannot exhaust
memory.

Missing facts: StrictUndefined makes an unknown name or attribute an error ("undefined"), and so is an expression
that renders None (`finalize`), so a template never prints "None" or an empty hole silently. Facts the records lack
are "" in the context (context.py), so `{{ prospect.first_name or "there" }}` and `{% if prospect.city %}` work.

Compiled templates are cached by source (LRU, 256); jinja2 is imported by the first compile, never at import time.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.nodes import Template as TemplateNode

MAX_TEMPLATE_CHARS = 20_000
MAX_OUTPUT_CHARS = 100_000
_MAX_SEQUENCE = 20_000  # the longest string / list `*` may build
_MAX_EXPONENT = 64

Kind = Literal["syntax", "undefined", "security", "too_long", "runtime"]


class TemplateProblem(ValueError):
    """Why a template cannot be used. `kind`: syntax (with its 1-based line), undefined (a variable or attribute the
    context does not have, or a None value printed), security (a sandbox escape attempt), too_long (source over
    20,000 characters or output over 100,000), runtime (anything else a template raised while rendering: 1/0...)."""

    def __init__(self, kind: Kind, message: str, *, line: int | None = None) -> None:
        super().__init__(message if line is None else f"{message} (line {line})")
        self.kind: Kind = kind
        self.message = message
        self.line = line


class _NoneRendered(Exception):
    """An expression rendered None: raised by `finalize`, reported as "undefined"."""


def _finalize(value: Any) -> Any:
    if value is None:
        raise _NoneRendered
    return value


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**":
                if isinstance(right, int | float) and abs(right) > _MAX_EXPONENT:
                    raise SecurityError(f"exponent {right} is over {_MAX_EXPONENT}")
                return left**right
            for sequence, count in ((left, right), (right, left)):
                sized = isinstance(sequence, str | list | tuple) and isinstance(count, int)
                if sized and len(sequence) * count > _MAX_SEQUENCE:
                    raise SecurityError(f"`*` would build {len(sequence) * count} items")
            return left * right

    env = Sandbox(undefined=StrictUndefined, autoescape=False, finalize=_finalize, keep_trailing_newline=False)
    env.globals = {"range": env.globals["range"]}
    return env


def _scan(tree: TemplateNode, what: str) -> None:
    """Refuse `_`-prefixed attributes / items / `attr` filter names (the sandbox would refuse them at render)."""
    from jinja2 import nodes

    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        name: object = None
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name = node.arg.value
        elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
            arg = node.args[0]
            name = arg.value if isinstance(arg, nodes.Const) else "_dynamic"
        if isinstance(name, str) and name.startswith("_"):
            message = f"the {what} accesses {name!r}, which templates may not"
            raise TemplateProblem("security", message, line=node.lineno)


def _parse(source: str, what: str) -> TemplateNode:
    from jinja2 import TemplateSyntaxError

    if len(source) > MAX_TEMPLATE_CHARS:
        message = f"the {what} is {len(source)} characters; at most {MAX_TEMPLATE_CHARS}"
        raise TemplateProblem("too_long", message)
    try:
        tree = _environment().parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem("syntax", f"the {what} has a syntax error: {exc.message}", line=exc.lineno) from None
    _scan(tree, what)
    return tree


def check_template(
    source: str,
    *,
    allowed: Collection[str],
    field: str,
    fields: Mapping[str, Collection[str]] | None = None,
) -> None:
    """Raise TemplateProblem unless `source` parses, stays inside the sandbox and only uses variables in `allowed`.
    With `fields` ({"prospect": {"first_name", ...}}), attributes of those variables are checked too, so a typo
    such as `{{ prospect.frist_name }}` is refused when the step is saved (context.TEMPLATE_FIELDS)."""
    from jinja2 import meta, nodes

    tree = _parse(source, f"{field} template")
    names = set(meta.find_undeclared_variables(tree))
    names |= {n.name for n in tree.find_all(nodes.Name) if n.name == "self" and n.ctx == "load"}
    unknown = sorted(names - set(allowed) - {"range"})
    if unknown:
        line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == unknown[0]), None)
        known = ", ".join(sorted(allowed))
        message = f"the {field} uses {unknown[0]!r}, which is not defined (known: {known})"
        raise TemplateProblem("undefined", message, line=line)
    for node in tree.find_all(nodes.Getattr):
        root = node.node
        if fields and isinstance(root, nodes.Name) and root.name in fields and node.attr not in fields[root.name]:
            known = ", ".join(sorted(fields[root.name]))
            message = f"the {field} uses {root.name}.{node.attr}, which is not defined (known: {known})"
            raise TemplateProblem("undefined", message, line=node.lineno)


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    tree = _parse(source, "template")
    template: Template = _environment().from_string(tree)
    return template


def _template_line(exc: BaseException) -> int | None:
    """The template line a runtime error came from (jinja2 rewrites tracebacks to point at "<template>")."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render(source: str, context: Mapping[str, Any]) -> str:
    """`source` rendered with `context` in the sandbox; TemplateProblem for anything that goes wrong."""
    from jinja2.exceptions import SecurityError, TemplateError, UndefinedError

    template = _compiled(source)
    try:
        text = template.render(context)
    except SecurityError as exc:
        raise TemplateProblem("security", str(exc), line=_template_line(exc)) from None
    except UndefinedError as exc:
        raise TemplateProblem("undefined", str(exc), line=_template_line(exc)) from None
    except _NoneRendered as exc:
        line = _template_line(exc)
        message = "an expression has no value (None): guard the missing fact with `or` or an `if`"
        raise TemplateProblem("undefined", message, line=line) from None
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError, RecursionError) as exc:
        raise TemplateProblem("runtime", f"{type(exc).__name__}: {exc}", line=_template_line(exc)) from None
    if len(text) > MAX_OUTPUT_CHARS:
        raise TemplateProblem("too_long", f"the rendered text is {len(text)} characters; at most {MAX_OUTPUT_CHARS}")
    return text
