//! Checked arithmetic of C16: every add, sub and mul is checked, `mulDiv` rounds down or up.
//! An overflow rejects the message (C12) rather than panicking.

use super::RejectReason;
use alloy_primitives::U256;

/// `a + b`, or a rejection.
pub fn add(a: U256, b: U256) -> Result<U256, RejectReason> {
    a.checked_add(b).ok_or(RejectReason::ArithmeticOverflow)
}

/// `a − b`, or a rejection.
pub fn sub(a: U256, b: U256) -> Result<U256, RejectReason> {
    a.checked_sub(b).ok_or(RejectReason::ArithmeticOverflow)
}

/// `a × b`, or a rejection.
pub fn mul(a: U256, b: U256) -> Result<U256, RejectReason> {
    a.checked_mul(b).ok_or(RejectReason::ArithmeticOverflow)
}

/// `⌊a × b / d⌋` with the product checked in U256 (C16). `d` is a non-zero constant.
pub fn mul_div_down(a: U256, b: U256, d: U256) -> Result<U256, RejectReason> {
    debug_assert!(!d.is_zero(), "mulDiv denominators are the non-zero constants 1e18 and 10000");
    Ok(mul(a, b)? / d)
}

/// `⌈a × b / d⌉` with the product checked in U256 (C16).
pub fn mul_div_up(a: U256, b: U256, d: U256) -> Result<U256, RejectReason> {
    debug_assert!(!d.is_zero(), "mulDiv denominators are the non-zero constants 1e18 and 10000");
    let product = mul(a, b)?;
    let (quotient, remainder) = product.div_rem(d);
    if remainder.is_zero() {
        Ok(quotient)
    } else {
        add(quotient, U256::from(1u8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_directions() {
        let (a, b, d) = (U256::from(7), U256::from(3), U256::from(2));
        assert_eq!(mul_div_down(a, b, d), Ok(U256::from(10)));
        assert_eq!(mul_div_up(a, b, d), Ok(U256::from(11)));
        assert_eq!(mul_div_up(U256::from(4), U256::from(3), U256::from(2)), Ok(U256::from(6)));
    }

    #[test]
    fn overflow_rejects() {
        assert_eq!(mul_div_down(U256::MAX, U256::from(2), U256::from(2)), Err(RejectReason::ArithmeticOverflow));
        assert_eq!(sub(U256::ZERO, U256::from(1)), Err(RejectReason::ArithmeticOverflow));
    }
}
