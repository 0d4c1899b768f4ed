"""Human prices and quantities to ticks and lots on the dev WETH/USDC grid (tick 1e4, lot 1e14,
18 and 6 decimals: 3000 USDC is tick 300000)."""

from decimal import Decimal

import pytest

from numo_client import Grid, OffGridError

WETH_USDC = Grid(price_scale=10**18, tick_size=10**4, lot_size=10**14, base_decimals=18, quote_decimals=6)


def test_prices_map_to_ticks_and_back():
    assert WETH_USDC.tick_of("3000") == 300_000
    assert WETH_USDC.tick_of(Decimal("3000.01")) == 300_001
    assert WETH_USDC.tick_of(2999.99) == 299_999
    assert WETH_USDC.tick_of(3000) == 300_000
    assert WETH_USDC.price_of(300_001) == Decimal("3000.01")


def test_quantities_map_to_lots():
    assert WETH_USDC.qty_of("1.5") == 15 * 10**17
    assert WETH_USDC.qty_of("0.0001") == 10**14
    assert WETH_USDC.human_qty(15 * 10**17) == Decimal("1.5")


@pytest.mark.parametrize("price", ["3000.001", "0.005"])
def test_off_grid_prices_are_refused(price):
    with pytest.raises(OffGridError, match="tick"):
        WETH_USDC.tick_of(price)


@pytest.mark.parametrize("qty", ["0.00001", "1.00005"])
def test_off_grid_quantities_are_refused(qty):
    with pytest.raises(OffGridError, match="lot"):
        WETH_USDC.qty_of(qty)


@pytest.mark.parametrize("bad", ["-1", "0", "abc", True])
def test_non_positive_or_non_numbers_are_refused(bad):
    with pytest.raises((ValueError, TypeError)):
        WETH_USDC.qty_of(bad)
