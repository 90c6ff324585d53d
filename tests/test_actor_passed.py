"""The window and ``khit`` never fall back to the system actor: every call they make to a
service function that takes an ``actor`` passes one (``actor=…``, or in its position).

Read from the source (AST), so a call site added later is checked without running it."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import khit_desktop

PACKAGE = Path(khit_desktop.__file__).resolve().parent
SERVICES = PACKAGE / "services"

# Call sites known to miss the actor, each with why; the test fails if one is fixed (strict)
# so that the entry is removed. Keys: "path relative to the package:line function".
KNOWN_MISSING: dict[str, str] = {}


@dataclass(frozen=True)
class Signature:
    position: int | None  # index of `actor` among the positional parameters (None: keyword-only)


def _service_signatures() -> dict[tuple[str, str], Signature]:
    """(module, function) → where its `actor` parameter is, for every service taking one."""
    found: dict[tuple[str, str], Signature] = {}
    for path in sorted(SERVICES.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            positional = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
            keyword = [a.arg for a in node.args.kwonlyargs]
            if "actor" in positional:
                found[(path.stem, node.name)] = Signature(positional.index("actor"))
            elif "actor" in keyword:
                found[(path.stem, node.name)] = Signature(None)
    return found


def _services_module(module: str | None, level: int, here: Path) -> str | None:
    """'services' when an import names the services package, relative or absolute."""
    if level == 0:
        return "services" if module == "khit_desktop.services" else None
    base = here.parent
    for _ in range(level - 1):
        base = base.parent
    target = base.joinpath(*(module or "").split(".")) if module else base
    return "services" if target == SERVICES else None


def _service_of_import(module: str | None, level: int, here: Path) -> str | None:
    """The service module an import ``from X import f`` names (``X`` = services.<m>)."""
    if level == 0:
        prefix = "khit_desktop.services."
        return module[len(prefix) :] if module and module.startswith(prefix) else None
    if not module:
        return None
    *parents, last = module.split(".")
    package = _services_module(".".join(parents) or None, level, here) if parents else None
    if parents and package == "services":
        return last
    return None


def _bindings(tree: ast.AST, here: Path) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Names bound to service modules, and names bound to service functions, anywhere in the
    file (imports inside functions included: the CLI imports lazily)."""
    modules: dict[str, str] = {}
    functions: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if _services_module(node.module, node.level, here) == "services":
                for alias in node.names:
                    modules[alias.asname or alias.name] = alias.name
                continue
            service = _service_of_import(node.module, node.level, here)
            if service is not None:
                for alias in node.names:
                    functions[alias.asname or alias.name] = (service, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("khit_desktop.services.") and alias.asname:
                    modules[alias.asname] = alias.name.rsplit(".", 1)[-1]
    return modules, functions


def _call_sites() -> list[tuple[str, str, bool]]:
    """(site, service function, passes an actor) for every call of a service taking one."""
    signatures = _service_signatures()
    sources = [*sorted((PACKAGE / "ui").rglob("*.py")), *sorted(PACKAGE.glob("cli*.py"))]
    sites: list[tuple[str, str, bool]] = []
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules, functions = _bindings(tree, path)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            target: tuple[str, str] | None = None
            if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                module = modules.get(node.func.value.id)
                if module is not None:
                    target = (module, node.func.attr)
            elif isinstance(node.func, ast.Name):
                target = functions.get(node.func.id)
            if target is None or target not in signatures:
                continue
            position = signatures[target].position
            passed = any(k.arg == "actor" for k in node.keywords) or (
                position is not None
                and len(node.args) > position
                and not any(isinstance(a, ast.Starred) for a in node.args[: position + 1])
            )
            site = f"{path.relative_to(PACKAGE).as_posix()}:{node.lineno} {'.'.join(target)}"
            sites.append((site, ".".join(target), passed))
    return sites


SITES = _call_sites()


def test_the_check_sees_the_call_sites() -> None:
    """Guards the checker itself: it must find the calls the CLI is known to make."""
    found = {function for _, function, _ in SITES}
    assert {"rounds.create_round", "receipts.add_receipt", "accounts.create_user"} <= found
    assert any(site.startswith("ui/") for site, _, _ in SITES)


@pytest.mark.parametrize(
    "site",
    [
        pytest.param(
            site,
            marks=pytest.mark.xfail(reason=KNOWN_MISSING[site], strict=True)
            if site in KNOWN_MISSING
            else (),
        )
        for site, _, _ in SITES
    ],
)
def test_call_passes_the_actor(site: str) -> None:
    passed = {s: p for s, _, p in SITES}[site]
    assert passed, f"{site}: pass actor=… (the logged-in user), not the system actor"
