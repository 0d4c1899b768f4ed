//! Venue genesis (placeholder, being written).
