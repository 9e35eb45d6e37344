"""Developer sessions: tests, lint, typecheck, demo, bench."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (real HTTP against the simulators on 127.0.0.1)."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over both import packages."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session
def demo(session: nox.Session) -> None:
    """Run the demo on the built-in sandbox (no credentials, loopback only)."""
    session.install("-e", ".[cli]")
    session.run("whatsapp-async", "demo", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: fan-out throughput, per-message cost and memory (benchmarks/README.md)."""
    session.install("-e", ".[bench]")
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session
def tiers(session: nox.Session) -> None:
    """Benchmarks at the operating point: 200 ms latency, tiers unknown to the client."""
    session.install("-e", ".[bench]")
    session.run("python", "-m", "benchmarks.tiers", *session.posargs)
