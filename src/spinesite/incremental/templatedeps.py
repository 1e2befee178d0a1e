"""Template dependency analysis: which templates a page template uses (through extends,
include and import) and which site-wide globals reaching other pages it reads, so that editing
one template re-renders only the pages it makes (:mod:`.plan`), and a template reading
``by_kind.conditions`` depends only on the conditions."""

from __future__ import annotations

from dataclasses import dataclass, field

import jinja2
from jinja2 import meta

from spinesite.content import contenttypes


@dataclass
class TemplateUse:
    """See :func:`analyse_templates`."""

    users: dict[str, set[str]] = field(default_factory=dict)  # global -> templates reading it
    closures: dict[str, dict[str, str] | None] = field(default_factory=dict)  # template -> {used: source} or None
    kinds: dict[str, frozenset[str] | None] = field(default_factory=dict)  # by_kind reader -> types it reads (None: any)


def by_kind_reads(ast: jinja2.nodes.Template) -> frozenset[str] | None:
    """The content types a template reads through ``by_kind``: ``by_kind.conditions``,
    ``by_kind["causes"]`` and ``by_kind.get("stretches")`` name one; any other use of
    ``by_kind`` (a computed key, passing it on, ``{% set x = by_kind %}``) may read any (None)."""
    nodes = jinja2.nodes
    found: set[str] = set()
    kinds = contenttypes.folders()

    def kind_of(parents: list[jinja2.nodes.Node]) -> str | None:
        parent = parents[-1] if parents else None
        if isinstance(parent, nodes.Getattr) and parent.attr in kinds:  # not .items(), .values()...
            return parent.attr
        if isinstance(parent, nodes.Getitem) and isinstance(parent.arg, nodes.Const) and parent.arg.value in kinds:
            return str(parent.arg.value)
        if isinstance(parent, nodes.Getattr) and parent.attr == "get" and len(parents) > 1:  # by_kind.get("x", ...)
            call = parents[-2]
            if isinstance(call, nodes.Call) and call.node is parent and call.args and isinstance(call.args[0], nodes.Const):
                return str(call.args[0].value) if call.args[0].value in kinds else None
        return None

    def visit(node: jinja2.nodes.Node, parents: list[jinja2.nodes.Node]) -> bool:
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Name) and child.name == "by_kind":
                kind = kind_of([*parents, node])
                if kind is None:
                    return False
                found.add(kind)
            elif not visit(child, [*parents, node]):
                return False
        return True

    return frozenset(found) if visit(ast, []) else None


def analyse_templates(
    env: jinja2.Environment, names: list[str], variables: tuple[str, ...] = ("by_kind", "levels", "build_date")
) -> TemplateUse:
    """What each of ``names`` depends on, through what it extends, includes or imports:
    which globals that reach other pages it reads (``by_kind``: every page; ``levels``:
    the conditions; ``build_date``: the day of the build), and the source of every template it uses. A template we cannot
    analyse (a syntax error, a computed ``{% include %}``) is assumed to use everything."""
    plain = jinja2.Environment(loader=env.loader)  # no globals: they would hide from find_undeclared_variables
    plain.filters.update(env.filters)
    plain.tests.update(env.tests)
    sources: dict[str, str | None] = {}  # name -> source (None: unknown)
    direct: dict[str, tuple[set[str], set[str] | None]] = {}  # name -> (globals read, templates referenced)
    kinds: dict[str, frozenset[str] | None] = {}  # name -> content types read through by_kind (None: any)

    def scan(name: str) -> None:
        if name in direct or plain.loader is None:
            return
        direct[name] = (set(variables), None)  # until known (also ends a template including itself)
        try:
            source = plain.loader.get_source(plain, name)[0]
            sources[name] = source
            ast = plain.parse(source)
        except jinja2.TemplateError:
            return
        refs = list(meta.find_referenced_templates(ast))
        known = None if any(t is None for t in refs) else {t for t in refs if t}
        direct[name] = (set(variables) & meta.find_undeclared_variables(ast), known)
        kinds[name] = by_kind_reads(ast)
        for t in known or ():
            scan(t)

    def closure(name: str) -> set[str] | None:
        seen, todo = set(), [name]
        while todo:
            t = todo.pop()
            if t in seen:
                continue
            seen.add(t)
            refs = direct.get(t, (set(), None))[1]
            if refs is None:
                return None
            todo.extend(refs)
        return seen

    for name in names:
        scan(name)
    use = TemplateUse()
    for name in names:
        used = closure(name)
        reads = set(variables) if used is None else set().union(*(direct[t][0] for t in used))
        for var in variables:
            if var in reads:
                use.users.setdefault(var, set()).add(name)
        use.closures[name] = None if used is None else {t: sources.get(t) or "" for t in sorted(used)}
        if "by_kind" in reads:
            read = [kinds.get(t) for t in used] if used is not None else [None]
            use.kinds[name] = None if None in read else frozenset().union(*(k for k in read if k is not None))
    return use
