"""The examples in the docstrings: the runnable ones run, and every one is valid Python.

Every public name carries an ``Example::`` block. Those written as ``>>>`` sessions are run
here with doctest (imported by their installed names, ``whatsapp_async_providers.*`` for the
built-in providers); the others — which need a live client or a server — must still compile
(top-level ``await`` allowed), so an example cannot rot into something that is not code.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import pkgutil
import re
import textwrap
from types import ModuleType

import pytest

import whatsapp_async
import whatsapp_async_providers


def _modules() -> list[str]:
    names: list[str] = []
    for package in (whatsapp_async, whatsapp_async_providers):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
            if not info.name.endswith("__main__"):
                names.append(info.name)
    return sorted(names)


MODULES = _modules()


@pytest.mark.parametrize("name", MODULES)
def test_doctests_pass(name: str) -> None:
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(module, optionflags=flags, report=True, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"


_EXAMPLE = re.compile(r"Example::\n((?:[ \t]*\n|[ \t]+\S.*\n?)+)")


def _docstrings(module: ModuleType) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if module.__doc__:
        found.append((module.__name__, module.__doc__))
    for qualname, obj in vars(module).items():
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isclass(obj) or inspect.isfunction(obj):
            if obj.__doc__:
                found.append((f"{module.__name__}.{qualname}", obj.__doc__))
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    doc = getattr(member, "__doc__", None)
                    func = getattr(member, "__func__", member)
                    if (inspect.isfunction(func) or isinstance(member, property)) and doc:
                        found.append((f"{module.__name__}.{qualname}.{attr}", doc))
    return found


def _blocks() -> list[tuple[str, str]]:
    blocks: list[tuple[str, str]] = []
    for name in MODULES:
        module = importlib.import_module(name)
        for where, doc in _docstrings(module):
            for match in _EXAMPLE.finditer(inspect.cleandoc(doc) + "\n"):
                blocks.append((where, textwrap.dedent(match.group(1))))
    return blocks


BLOCKS = _blocks()


def test_there_are_examples_to_check() -> None:
    assert len(BLOCKS) > 300


@pytest.mark.parametrize(("where", "code"), BLOCKS, ids=[w for w, _ in BLOCKS])
def test_every_example_is_valid_python(where: str, code: str) -> None:
    if ">>>" in code:
        return  # run by doctest above
    # Examples may show a fragment of a class body or a call with "..." for what the reader
    # fills in: both are valid Python; top-level await is allowed.
    try:
        compile(code, where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError as exc:
        pytest.fail(f"the example of {where} is not valid Python: {exc}\n{code}")
