//! Compact witness storage (placeholder, being written).
