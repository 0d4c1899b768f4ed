//! Book sides and time-in-force: the two small enums matching turns on (C8, section C).

/// Book side of an order (C8): 0 = BUY (bid book), 1 = SELL (ask book).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[repr(u8)]
pub enum Side {
    /// Bid: buys base with quote; its ticks are ordered high to low. The zero value (C3).
    #[default]
    Buy = 0,
    /// Ask: sells base for quote; its ticks are ordered low to high.
    Sell = 1,
}

impl Side {
    /// Decodes the wire byte; `None` for a value a Place is rejected for (C12).
    pub const fn from_u8(value: u8) -> Option<Side> {
        match value {
            0 => Some(Side::Buy),
            1 => Some(Side::Sell),
            _ => None,
        }
    }

    /// The book a taker on this side matches against.
    pub const fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }

    /// Whether `a` is a strictly better price than `b` on this side (C8: higher bid, lower ask).
    pub const fn is_better(self, a: i32, b: i32) -> bool {
        match self {
            Side::Buy => a > b,
            Side::Sell => a < b,
        }
    }

    /// Whether a taker of this side at `limit` crosses a resting tick `best` of the other side
    /// (C15: a BUY crosses while `bestAsk ≤ tickIndex`, a SELL while `bestBid ≥ tickIndex`).
    pub const fn crosses(self, limit: i32, best: i32) -> bool {
        match self {
            Side::Buy => best <= limit,
            Side::Sell => best >= limit,
        }
    }
}

/// Time in force of a Place (section D): 0 = GTC, 1 = IOC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum TimeInForce {
    /// Good till cancelled: the remainder rests (C17).
    Gtc = 0,
    /// Immediate or cancel: the remainder is cancelled (C17).
    Ioc = 1,
}

impl TimeInForce {
    /// Decodes the wire value; `None` for a value a Place is rejected for (C12).
    pub const fn from_u32(value: u32) -> Option<TimeInForce> {
        match value {
            0 => Some(TimeInForce::Gtc),
            1 => Some(TimeInForce::Ioc),
            _ => None,
        }
    }
}
