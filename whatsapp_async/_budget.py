"""A retry budget per client: in an outage, retries add a small fraction of the traffic.

Without one, every failing send is tried ``max_retries + 1`` times, so an outage triples the
load on a provider that is already down. The budget (in the spirit of the AWS SDKs' retry
quota and Google SRE's client-side throttling) holds ``capacity`` tokens; each retry of an
error (not of throttling, which is paced by the limiter instead) takes one, and each success
gives back ``refill`` of one. In steady state retries stay under ``refill`` of the successful
traffic; in an outage at most ``capacity`` retries go out before retries stop and errors are
raised at once, with their own message.

Example::

    budget = RetryBudget(capacity=100, refill=0.1)
    if budget.take():
        ...  # retry
    budget.succeeded()
"""

from __future__ import annotations

__all__ = ["RetryBudget"]


class RetryBudget:
    """Tokens for retries (see the module docs).

    Example::

        RetryBudget().tokens  # 100.0
    """

    __slots__ = ("capacity", "refill", "tokens")

    def __init__(self, capacity: float = 100.0, refill: float = 0.1) -> None:
        if capacity < 0 or refill < 0:
            raise ValueError("capacity and refill must be >= 0")
        self.capacity = float(capacity)
        self.refill = float(refill)
        self.tokens = float(capacity)

    def take(self) -> bool:
        """Spend a token for one retry; False (spend nothing) when the budget is empty."""
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True

    def succeeded(self) -> None:
        """A request succeeded: give back a fraction of a token."""
        if self.tokens < self.capacity:
            self.tokens = min(self.capacity, self.tokens + self.refill)

    def __repr__(self) -> str:
        return f"RetryBudget(tokens={self.tokens:.1f}/{self.capacity:g}, refill={self.refill:g})"
