"""The walls of the house, as tests (docs/architecture.md, "Boundaries").

- the provider SDK and every provider import without aiohttp (checked in a fresh interpreter);
- no import circle in ``whatsapp_async/`` or ``providers/`` (module-level imports, including
  those only made for type checking);
- providers import the core only through the provider SDK (``whatsapp_async.provider``), and
  simulators only through the SDK and ``whatsapp_async.testing``; no simulator imports its own
  adapter, no adapter imports a simulator;
- providers neither log nor read the clock; modules stay small; the packaging lists every package.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "whatsapp_async"
PROVIDERS = ROOT / "providers"
PROVIDER_PACKAGE = "whatsapp_async_providers"
BUILT_IN = ("meta", "magpipe", "pilot", "gateway")
MAX_LINES = 500


def _module_name(path: Path) -> str:
    if path.is_relative_to(PROVIDERS):
        parts = [PROVIDER_PACKAGE, *path.relative_to(PROVIDERS).with_suffix("").parts]
    else:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> Iterator[Path]:
    for base in (CORE, PROVIDERS):
        yield from sorted(base.rglob("*.py"))


def _is_simulator(path: Path) -> bool:
    return path.name.startswith(("simulator", "sim_"))


def _module_level_imports(path: Path) -> list[str]:
    """Absolute names imported at module level (``if TYPE_CHECKING:`` blocks included)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[str] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join([*base, node.module] if node.module else base)
                else:
                    target = node.module or ""
                found.append(target)
                # "from . import x" / "from .pkg import mod" may name modules too.
                found.extend(f"{target}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)

    visit(tree.body)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in _sources()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        # A package's own ancestors are initialised before it: "from . import x" is no circle.
        ancestors = {name.rsplit(".", i)[0] for i in range(1, name.count(".") + 1)}
        graph[name] = {
            t
            for t in _module_level_imports(path)
            if t in modules and t != name and t not in ancestors
        }
    return graph


def test_no_import_circles() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import circles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_provider_sdk_and_every_provider_import_without_aiohttp() -> None:
    code = (
        "import sys\n"
        "import whatsapp_async.provider, whatsapp_async.provider.cloudapi\n"
        f"for name in {list(BUILT_IN)!r}:\n"
        f"    __import__('{PROVIDER_PACKAGE}.' + name)\n"
        "import whatsapp_async\n"
        "loaded = sorted(m for m in sys.modules if m == 'aiohttp' or m.startswith('aiohttp.'))\n"
        "print(len(loaded), loaded[:5])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.startswith("0 "), f"aiohttp modules loaded by importing providers: {out}"


def test_the_client_itself_loads_aiohttp_only_when_used() -> None:
    code = (
        "import sys, whatsapp_async\n"
        "before = 'aiohttp' in sys.modules\n"
        "whatsapp_async.WhatsApp\n"
        "print(before, 'aiohttp' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.split() == ["False", "True"]


def _provider_files() -> list[Path]:
    return sorted(PROVIDERS.rglob("*.py"))


@pytest.mark.parametrize("path", _provider_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_providers_use_the_core_only_through_the_sdk(path: Path) -> None:
    allowed = {"whatsapp_async.provider", "whatsapp_async.provider.cloudapi"}
    if _is_simulator(path):
        allowed.add("whatsapp_async.testing")
    tree = ast.parse(path.read_text())
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    core = {
        name for name in imported if name == "whatsapp_async" or name.startswith("whatsapp_async.")
    }
    assert core <= allowed, f"{path.name} imports {sorted(core - allowed)}"
    old_name = {name for name in imported if name == "providers" or name.startswith("providers.")}
    assert not old_name, f"{path.name} imports the folder name instead of {PROVIDER_PACKAGE}"


@pytest.mark.parametrize("path", _provider_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_adapters_and_simulators_do_not_import_each_other(path: Path) -> None:
    names = {_module_name(path).rpartition(".")[0] + "." + n for n in ("provider",)}
    imported = set(_all_imports(path))
    if _is_simulator(path):
        assert not imported & names, f"{path.name} (a simulator) imports its provider's adapter"
    else:
        simulators = {m for m in imported if m.rpartition(".")[2].startswith(("simulator", "sim_"))}
        assert not simulators, f"{path.name} (adapter code) imports {sorted(simulators)}"


def _all_imports(path: Path) -> Iterator[str]:
    """Every imported module name, function-level imports included."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target
            yield from (f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


@pytest.mark.parametrize(
    "path",
    [p for p in _provider_files() if not _is_simulator(p)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_providers_neither_log_nor_read_the_clock(path: Path) -> None:
    tree = ast.parse(path.read_text())
    imported = set(_all_imports(path))
    assert not {"logging", "time"} & imported, f"{path.name} imports logging or time"
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("now", "utcnow", "today")
            and isinstance(node.value, ast.Name)
            and node.value.id in ("datetime", "date")
        ):
            pytest.fail(f"{path.name} reads the clock ({node.value.id}.{node.attr})")


def test_modules_stay_small() -> None:
    big = []
    for path in _sources():
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES and not _is_simulator(path):
            big.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not big, f"modules over {MAX_LINES} lines (split them by job):\n" + "\n".join(big)


def test_packaging_lists_every_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {_module_name(p) for p in _sources() if p.name == "__init__.py"}
    assert listed == on_disk, (
        f"missing: {sorted(on_disk - listed)}; stale: {sorted(listed - on_disk)}"
    )
    entry_points = config["project"]["entry-points"]
    for group in ("whatsapp_async.providers", "whatsapp_async.simulators"):
        assert set(entry_points[group]) == set(BUILT_IN)
        for target in entry_points[group].values():
            assert target.startswith(PROVIDER_PACKAGE + ".")
