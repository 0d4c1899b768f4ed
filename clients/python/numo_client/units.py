"""Human prices and quantities on a market's grid.

A price in the spec is ``tickIndex x tickSize``: quote smallest units per base smallest unit,
scaled by ``priceScale`` (1e18). A human price "3000" (USDC per WETH) is therefore
``3000 x 10^quoteDecimals / 10^baseDecimals x priceScale`` and must be a whole number of
ticks; a human quantity "1.5" (WETH) is ``1.5 x 10^baseDecimals`` base units and must be a whole
number of lots. Anything off the grid raises :class:`OffGridError` (never rounded silently).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Union

Amount = Union[str, int, Decimal, float]


class OffGridError(ValueError):
    """A price or quantity that is not a whole number of ticks or lots."""


def _exact(value: Amount, what: str) -> Fraction:
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a number")
    if isinstance(value, float):
        value = repr(value)  # the shortest decimal that round-trips, not the binary expansion
    try:
        exact = Fraction(Decimal(value)) if not isinstance(value, int) else Fraction(value)
    except (ArithmeticError, ValueError):
        raise ValueError(f"{what} must be a decimal number, got {value!r}") from None
    if exact <= 0:
        raise ValueError(f"{what} must be positive")
    return exact


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


@dataclass(frozen=True)
class Grid:
    """A market's price and quantity grid and its assets' display decimals."""

    price_scale: int
    tick_size: int
    lot_size: int
    base_decimals: int
    quote_decimals: int

    def _price_unit(self) -> Fraction:
        # Scaled price of one human unit of price.
        return Fraction(10**self.quote_decimals * self.price_scale, 10**self.base_decimals)

    def tick_of(self, price: Amount) -> int:
        """The tick index of a human price; :class:`OffGridError` if it is not on a tick."""
        ticks = _exact(price, "price") * self._price_unit() / self.tick_size
        if ticks.denominator != 1:
            step = _decimal(self.tick_size / self._price_unit())
            raise OffGridError(f"price {price} is not a multiple of the tick ({step})")
        if ticks >= 1 << 31:
            raise OffGridError(f"price {price} is above the largest tick")
        return int(ticks)

    def price_of(self, tick: int) -> Decimal:
        """The human price of a tick."""
        return _decimal(tick * self.tick_size / self._price_unit())

    def qty_of(self, qty: Amount) -> int:
        """Base smallest units of a human quantity; :class:`OffGridError` if not whole lots."""
        units = _exact(qty, "quantity") * 10**self.base_decimals
        if units.denominator != 1 or int(units) % self.lot_size:
            step = _decimal(Fraction(self.lot_size, 10**self.base_decimals))
            raise OffGridError(f"quantity {qty} is not a multiple of the lot ({step})")
        return int(units)

    def human_qty(self, units: int) -> Decimal:
        """The human quantity of base smallest units."""
        return _decimal(Fraction(int(units), 10**self.base_decimals))
