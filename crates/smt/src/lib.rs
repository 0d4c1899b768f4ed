//! placeholder until the SMT lands
