"""BudgetSummary: what is left of a campaign budget, as an amount and a share. No app context needed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.campaigns.progress import BudgetSummary


@pytest.mark.parametrize(
    ("budget", "spent", "remaining"),
    [("10000.00", "2500.50", "7499.50"), ("10000.00", "0.00", "10000.00"), ("100.00", "130.25", "-30.25"),
     ("0.00", "0.00", "0.00")],
)
def test_remaining_is_budget_minus_spent_exactly(budget: str, spent: str, remaining: str) -> None:
    summary = BudgetSummary(Decimal(budget), Decimal(spent))
    assert summary.remaining == Decimal(remaining)
    assert isinstance(summary.remaining, Decimal)


@pytest.mark.parametrize(
    ("budget", "spent", "percent"),
    [("10000.00", "2500.00", 25.0), ("10000.00", "0.00", 0.0), ("300.00", "100.00", 100 / 3),
     ("100.00", "130.25", 130.25)],
)
def test_percent_is_the_share_spent(budget: str, spent: str, percent: float) -> None:
    result = BudgetSummary(Decimal(budget), Decimal(spent)).percent
    assert isinstance(result, float)
    assert result == pytest.approx(percent)


@pytest.mark.parametrize("spent", ["0", "0.00", "250.00"])
def test_percent_is_none_without_a_budget(spent: str) -> None:
    assert BudgetSummary(Decimal("0.00"), Decimal(spent)).percent is None


@pytest.mark.parametrize(
    ("budget", "spent", "over"),
    [("100.00", "99.99", False), ("100.00", "100.00", False), ("100.00", "100.01", True), ("0.00", "0.01", True),
     ("0.00", "0.00", False)],
)
def test_over_only_when_spent_exceeds_the_budget(budget: str, spent: str, over: bool) -> None:
    assert BudgetSummary(Decimal(budget), Decimal(spent)).over is over


def test_budget_summary_is_a_frozen_value() -> None:
    summary = BudgetSummary(Decimal("10"), Decimal("4"))
    assert summary == BudgetSummary(Decimal("10.0"), Decimal("4.00"))
    with pytest.raises(AttributeError):
        summary.spent = Decimal("5")  # type: ignore[misc]
