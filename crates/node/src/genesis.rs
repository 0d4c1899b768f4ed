//! Venue genesis: the chain and venue ids, the assets, the markets and the initial balances a
//! node starts from.
//!
//! A venue is one exchange instance: every market shares its `chainId` and `venueId` (they enter
//! every market's `domainSeparator`, section C), `batchSeq` is global to it (C19), and all
//! markets share one state tree. The genesis state holds only `NS_BAL` entries (canonical, C3):
//! books, nonces and fee vaults start empty. Its root, [`VenueGenesis::genesis_root`], is the
//! `prevRoot` of batch 1; together with the chain id, the venue id and each market's Rules it
//! identifies the chain a node follows.
//!
//! # File format
//!
//! A genesis file is TOML:
//!
//! ```toml
//! chain_id = 7357
//! # venue_id = "0x…"  (32 bytes) or, when omitted, keccak256("numo-venue:" ‖ name);
//! # name is ignored when venue_id is given.
//! name = "example-venue"
//!
//! [[assets]]
//! symbol = "WETH"
//! decimals = 18
//! # asset_id optional, default keccak256("numo-asset:" ‖ symbol)
//!
//! [[assets]]
//! symbol = "USDC"
//! decimals = 6
//! asset_id = "0x00000000000000000000000000000000000000000000000000000000000000c0"
//!
//! [[markets]]
//! base = "WETH"
//! quote = "USDC"
//! tick_size = "10000"              # U256: decimal (or 0x hex) string, or a TOML integer
//! lot_size = "100000000000000"
//! taker_fee_bps = 5
//! max_orders_per_batch = 128       # optional, default 128
//! max_matches_per_order = 64       # optional, default 64
//! max_balance = "1000000000000000000000000000000000000"   # optional, default 10^36
//! # market_id optional, default keccak256("numo-market:" ‖ base ‖ "/" ‖ quote)
//!
//! [[balances]]
//! owner = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"
//! asset = "WETH"
//! available = "5000000000000000000"
//!
//! [[balances]]
//! owner = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"
//! asset = "USDC"
//! available = 20000000000
//!
//! [[evm.alloc]]                    # E8: NUMO (the EVM's gas token) in wei; optional
//! address = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"
//! balance = "1000000000000000000000"
//! # nonce = 1, code = "0x…" (runtime code), storage = { "0x0" = "0x2a" } (slot = value)
//! ```
//!
//! Rules:
//! - `priceScale` is always 1e18 and `makerFeeBps` 0 (V1, C11); they cannot be set.
//! - `base`, `quote` and `asset` name a declared asset by symbol (or by its `0x` asset id).
//! - Markets keep file order in [`VenueGenesis::markets`]; the node processes them in ascending
//!   `market_id` order ([`VenueGenesis::markets_in_order`]).
//! - Every market's Rules must pass [`Rules::validate`]; symbols, asset ids, market ids, market
//!   pairs and `(owner, asset)` balances must be unique; a balance may not exceed the
//!   `max_balance` of a market trading its asset (C16). Unknown keys are refused, so a typo is
//!   an error rather than a silently ignored setting.
//! - Zero balances are allowed and store nothing (C3).
//! - `[[evm.alloc]]` addresses are unique, code is at most 24,576 bytes and storage needs code
//!   (E8); the dev genesis gives each dev account 1,000,000 NUMO.
//!
//! [`VenueGenesis::to_toml`] writes every id and default explicitly; [`VenueGenesis::from_toml`]
//! reads it back to an equal genesis.
//!
//! # Dev genesis
//!
//! [`VenueGenesis::dev`] is a built-in venue for local runs and tests, funded for the ten
//! deterministic [`dev_accounts`]:
//!
//! ```
//! use numo_node::genesis::{dev_accounts, VenueGenesis};
//!
//! let genesis = VenueGenesis::dev();
//! assert_eq!(genesis.chain_id, 7357);
//! assert_eq!(genesis.markets.len(), 2);
//! assert_eq!(dev_accounts().len(), 10);
//! assert_eq!(VenueGenesis::dev_with_accounts(10), genesis);
//! assert_eq!(VenueGenesis::dev_with_accounts(1_000).balances.len(), 3_000);
//! assert_eq!(VenueGenesis::from_toml(&genesis.to_toml()).unwrap(), genesis);
//! ```

use alloy_primitives::{hex, keccak256, Address, B256, U256};
use numo_host::FullState;
use numo_stf::keys::balance_key;
use numo_stf::limits::{DEFAULT_MAX_MATCHES_PER_ORDER, DEFAULT_MAX_ORDERS_PER_BATCH, PRICE_SCALE};
use numo_stf::rules::RulesError;
use numo_stf::signature::secret_key_address;
use numo_stf::values::{Balance, StateValue};
use numo_stf::{MarketContext, Rules};
use secp256k1::SecretKey;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// An asset the venue knows. Markets and balances refer to assets by symbol in genesis files;
/// the protocol only ever sees `asset_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetSpec {
    /// Human name, unique within the venue (e.g. `"WETH"`).
    pub symbol: String,
    /// The id used in Rules and `NS_BAL` keys.
    pub asset_id: B256,
    /// Decimals of the smallest unit, for display only: the protocol counts smallest units.
    pub decimals: u8,
}

/// A market of the venue: its display symbol and the context every batch of it executes in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketSpec {
    /// `"BASE/QUOTE"` (e.g. `"WETH/USDC"`), unique within the venue.
    pub symbol: String,
    /// Chain id, venue id, market id and Rules (shared chain and venue across markets).
    pub context: MarketContext,
}

/// One initial balance: `available` of `asset_id` owned by `owner` (nothing locked at genesis).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceSpec {
    /// The account.
    pub owner: Address,
    /// The asset, one of the venue's.
    pub asset_id: B256,
    /// Smallest units available to trade.
    pub available: U256,
}

/// Everything a node needs to start a venue: ids, assets, markets and the initial state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueGenesis {
    /// Settlement chain id (part of every `domainSeparator`).
    pub chain_id: u64,
    /// Venue id (part of every `domainSeparator`).
    pub venue_id: B256,
    /// Declared assets, in file order.
    pub assets: Vec<AssetSpec>,
    /// Markets, in file order (see [`VenueGenesis::markets_in_order`] for processing order).
    pub markets: Vec<MarketSpec>,
    /// Initial balances, in file order.
    pub balances: Vec<BalanceSpec>,
    /// The L1 bridge this venue settles on, when the genesis names one (`[l1]`, written by
    /// `numo l1 deploy`; docs/BRIDGE.md). Not part of the state: the genesis root ignores it.
    pub l1: Option<GenesisL1>,
    /// The validator set of a consensus venue (`[consensus]`, K4; written by
    /// `numo testnet init`). `None`: a single operator (`numo node --dev`). Not part of the state.
    pub consensus: Option<GenesisConsensus>,
    /// The EVM's genesis (`[evm]`, E8): NUMO balances, code and storage. Every venue has an EVM;
    /// without the section its alloc is empty (the genesis head is written either way).
    pub evm: GenesisEvm,
}

/// The `[evm]` section of a genesis (E8).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenesisEvm {
    /// Accounts at genesis, in file order: NUMO balance in wei (the native gas token, 18
    /// decimals), optional nonce, code and storage.
    pub alloc: Vec<numo_evm::genesis::GenesisAccount>,
}

/// The `[consensus]` section of a genesis: the validators (K4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenesisConsensus {
    /// Validators, in file order.
    pub validators: Vec<GenesisValidator>,
}

/// One validator of the genesis set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenesisValidator {
    /// Ethereum address of its key (what signatures recover to).
    pub address: Address,
    /// Compressed secp256k1 public key.
    pub public_key: [u8; 33],
    /// Voting power.
    pub power: u64,
}

/// The `[l1]` section of a genesis: where the venue's bridge lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenesisL1 {
    /// The L1's chain id.
    pub chain_id: u64,
    /// The `NumoBridge` contract.
    pub bridge: Address,
    /// Its epoch verifier.
    pub verifier: Address,
    /// The bridge's deployment block (the listener starts there).
    pub deploy_block: u64,
    /// The ERC20 of each asset symbol.
    pub tokens: std::collections::BTreeMap<String, Address>,
}

/// Why a genesis file or value is refused. Messages name the offending field so an operator
/// can fix the file without reading code.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// The text is not TOML of the expected shape (syntax, missing or unknown key, wrong type).
    #[error("genesis is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    /// Neither `venue_id` nor `name` is given, so the venue has no id.
    #[error("genesis needs `venue_id` or `name` (venue_id defaults to keccak256(\"numo-venue:\" ‖ name))")]
    MissingVenue,
    /// A hex field is not hex of the required length.
    #[error("{field}: `{value}` is not {bytes} bytes of hex")]
    BadHex {
        /// Where in the file.
        field: String,
        /// The text found.
        value: String,
        /// Expected length in bytes.
        bytes: usize,
    },
    /// An EVM alloc's code is not hex.
    #[error("{field}: `{value}` is not hex")]
    BadCode {
        /// Where in the file.
        field: String,
        /// The text found.
        value: String,
    },
    /// A U256 field is neither a decimal nor a `0x` hex unsigned integer.
    #[error("{field}: `{value}` is not an unsigned 256-bit integer")]
    BadNumber {
        /// Where in the file.
        field: String,
        /// The text found.
        value: String,
    },
    /// Two assets share a symbol or an asset id.
    #[error("asset `{0}` is declared twice")]
    DuplicateAsset(String),
    /// A market or balance names an asset that is not declared.
    #[error("{field}: unknown asset `{asset}` (declare it under [[assets]])")]
    UnknownAsset {
        /// Where in the file.
        field: String,
        /// The symbol or id found.
        asset: String,
    },
    /// A market trades an asset against itself.
    #[error("market `{0}` has the same base and quote asset")]
    SameBaseQuote(String),
    /// Two markets share a market id or a base/quote pair.
    #[error("market `{0}` is declared twice")]
    DuplicateMarket(String),
    /// A market's Rules fail the C11 checks.
    #[error("market `{market}` has invalid rules: {source}")]
    InvalidRules {
        /// The market's symbol.
        market: String,
        /// The failed check.
        source: RulesError,
    },
    /// A market's chain id or venue id differs from the venue's.
    #[error("market `{0}` does not use the venue's chain id and venue id")]
    ForeignMarket(String),
    /// The `[evm]` alloc is refused (E8).
    #[error("evm.alloc: {0}")]
    EvmAlloc(#[from] numo_evm::genesis::GenesisError),
    /// The `[consensus]` validator set is inconsistent.
    #[error("consensus: {0}")]
    Validators(String),
    /// Two balances for the same owner and asset.
    #[error("balance of {owner} in `{asset}` is given twice")]
    DuplicateBalance {
        /// The account.
        owner: Address,
        /// The asset symbol.
        asset: String,
    },
    /// A balance above the `max_balance` of a market trading its asset (C16).
    #[error("balance of {owner} in `{asset}` exceeds max_balance of market `{market}`")]
    BalanceAboveMax {
        /// The account.
        owner: Address,
        /// The asset symbol.
        asset: String,
        /// The market whose cap is exceeded.
        market: String,
    },
}

/// `keccak256("numo-venue:" ‖ name)`: the venue id of a genesis that gives only a `name`.
pub fn default_venue_id(name: &str) -> B256 {
    keccak256([b"numo-venue:".as_slice(), name.as_bytes()].concat())
}

/// `keccak256("numo-asset:" ‖ symbol)`: the id of an asset declared without `asset_id`.
pub fn default_asset_id(symbol: &str) -> B256 {
    keccak256([b"numo-asset:".as_slice(), symbol.as_bytes()].concat())
}

/// `keccak256("numo-market:" ‖ base ‖ "/" ‖ quote)` (symbols): the id of a market declared
/// without `market_id`.
pub fn default_market_id(base: &str, quote: &str) -> B256 {
    keccak256(format!("numo-market:{base}/{quote}").as_bytes())
}

/// The form market symbols are compared in: `-` read as `/` (a `/` cannot sit in a URL path
/// segment) and ASCII case ignored, so `weth-usdc` names `WETH/USDC`. Every lookup of a market
/// by a symbol someone typed (API paths and submissions, streams, the CLI) compares through
/// this one function, so they all accept the same spellings.
pub fn symbol_key(symbol: &str) -> String {
    symbol.replace('-', "/").to_ascii_uppercase()
}

/// Default `maxBalance` of a market (10^36 smallest units): far above any real supply in 18
/// decimals, far below U256 overflow of the C14/C15 products.
pub fn default_max_balance() -> U256 {
    U256::from(10u64).pow(U256::from(36u64))
}

impl VenueGenesis {
    /// Parses and validates a genesis file (format in the module docs).
    pub fn from_toml(text: &str) -> Result<Self, GenesisError> {
        let file: GenesisFile = toml::from_str(text)?;
        let venue_id = match (&file.venue_id, &file.name) {
            (Some(id), _) => parse_b256(id, "venue_id")?,
            (None, Some(name)) => default_venue_id(name),
            (None, None) => return Err(GenesisError::MissingVenue),
        };

        let mut assets = Vec::with_capacity(file.assets.len());
        for (i, a) in file.assets.iter().enumerate() {
            let asset_id = match &a.asset_id {
                Some(id) => parse_b256(id, &format!("assets[{i}].asset_id"))?,
                None => default_asset_id(&a.symbol),
            };
            assets.push(AssetSpec { symbol: a.symbol.clone(), asset_id, decimals: a.decimals });
        }
        let l1 = match &file.l1 {
            None => None,
            Some(l1) => Some(GenesisL1 {
                chain_id: l1.chain_id,
                bridge: parse_address(&l1.bridge, "l1.bridge")?,
                verifier: parse_address(&l1.verifier, "l1.verifier")?,
                deploy_block: l1.deploy_block,
                tokens: l1
                    .tokens
                    .iter()
                    .map(|(symbol, token)| Ok((symbol.clone(), parse_address(token, &format!("l1.tokens.{symbol}"))?)))
                    .collect::<Result<_, GenesisError>>()?,
            }),
        };
        let consensus = match &file.consensus {
            None => None,
            Some(section) => {
                let mut validators = Vec::with_capacity(section.validators.len());
                for (i, v) in section.validators.iter().enumerate() {
                    let field = format!("consensus.validators[{i}]");
                    let key = parse_hex::<33>(&v.public_key, &format!("{field}.public_key"))?;
                    validators.push(GenesisValidator {
                        address: parse_address(&v.address, &format!("{field}.address"))?,
                        public_key: key,
                        power: v.power,
                    });
                }
                Some(GenesisConsensus { validators })
            }
        };
        let mut alloc = Vec::new();
        for (i, a) in file.evm.iter().flat_map(|e| e.alloc.iter()).enumerate() {
            let field = |name: &str| format!("evm.alloc[{i}].{name}");
            let code = match &a.code {
                Some(code) => hex::decode(code.trim())
                    .map_err(|_| GenesisError::BadCode { field: field("code"), value: code.clone() })?,
                None => Vec::new(),
            };
            let mut storage = std::collections::BTreeMap::new();
            for (slot, value) in &a.storage {
                let slot_field = format!("{}[{slot}]", field("storage"));
                storage.insert(parse_u256(&NumberText(slot.clone()), &slot_field)?, parse_u256(value, &slot_field)?);
            }
            alloc.push(numo_evm::genesis::GenesisAccount {
                address: parse_address(&a.address, &field("address"))?,
                balance: parse_u256(&a.balance, &field("balance"))?,
                nonce: a.nonce.unwrap_or(0),
                code,
                storage,
            });
        }
        let mut genesis = Self {
            chain_id: file.chain_id,
            venue_id,
            assets,
            markets: Vec::new(),
            balances: Vec::new(),
            l1,
            consensus,
            evm: GenesisEvm { alloc },
        };

        for (i, m) in file.markets.iter().enumerate() {
            let field = |name: &str| format!("markets[{i}].{name}");
            let base = genesis.resolve_asset(&m.base, &field("base"))?;
            let quote = genesis.resolve_asset(&m.quote, &field("quote"))?;
            let symbol = format!("{}/{}", base.symbol, quote.symbol);
            let market_id = match &m.market_id {
                Some(id) => parse_b256(id, &field("market_id"))?,
                None => default_market_id(&base.symbol, &quote.symbol),
            };
            let rules = Rules {
                base_asset: base.asset_id,
                quote_asset: quote.asset_id,
                price_scale: U256::from(PRICE_SCALE),
                tick_size: parse_u256(&m.tick_size, &field("tick_size"))?,
                lot_size: parse_u256(&m.lot_size, &field("lot_size"))?,
                taker_fee_bps: m.taker_fee_bps,
                maker_fee_bps: 0,
                max_orders_per_batch: m.max_orders_per_batch.unwrap_or(DEFAULT_MAX_ORDERS_PER_BATCH),
                max_matches_per_order: m.max_matches_per_order.unwrap_or(DEFAULT_MAX_MATCHES_PER_ORDER),
                max_balance: match &m.max_balance {
                    Some(max) => parse_u256(max, &field("max_balance"))?,
                    None => default_max_balance(),
                },
            };
            let context = MarketContext { chain_id: genesis.chain_id, venue_id, market_id, rules };
            genesis.markets.push(MarketSpec { symbol, context });
        }

        for (i, b) in file.balances.iter().enumerate() {
            let owner = parse_address(&b.owner, &format!("balances[{i}].owner"))?;
            let asset_id = genesis.resolve_asset(&b.asset, &format!("balances[{i}].asset"))?.asset_id;
            let available = parse_u256(&b.available, &format!("balances[{i}].available"))?;
            genesis.balances.push(BalanceSpec { owner, asset_id, available });
        }

        genesis.validate()?;
        Ok(genesis)
    }

    /// Writes the genesis as TOML with every id and default explicit, so the file pins the
    /// venue even if the default derivations ever changed. `from_toml(to_toml(g)) == g` for
    /// every genesis that [`VenueGenesis::validate`] accepts.
    pub fn to_toml(&self) -> String {
        let asset_ref = |id: &B256| match self.asset_by_id(id) {
            Some(asset) => asset.symbol.clone(),
            None => hex::encode_prefixed(id),
        };
        let file = GenesisFile {
            chain_id: self.chain_id,
            venue_id: Some(hex::encode_prefixed(self.venue_id)),
            name: None,
            assets: self
                .assets
                .iter()
                .map(|a| AssetFile {
                    symbol: a.symbol.clone(),
                    decimals: a.decimals,
                    asset_id: Some(hex::encode_prefixed(a.asset_id)),
                })
                .collect(),
            markets: self
                .markets
                .iter()
                .map(|m| {
                    let r = &m.context.rules;
                    MarketFile {
                        base: asset_ref(&r.base_asset),
                        quote: asset_ref(&r.quote_asset),
                        tick_size: NumberText(r.tick_size.to_string()),
                        lot_size: NumberText(r.lot_size.to_string()),
                        taker_fee_bps: r.taker_fee_bps,
                        max_orders_per_batch: Some(r.max_orders_per_batch),
                        max_matches_per_order: Some(r.max_matches_per_order),
                        max_balance: Some(NumberText(r.max_balance.to_string())),
                        market_id: Some(hex::encode_prefixed(m.context.market_id)),
                    }
                })
                .collect(),
            balances: self
                .balances
                .iter()
                .map(|b| BalanceFile {
                    owner: hex::encode_prefixed(b.owner),
                    asset: asset_ref(&b.asset_id),
                    available: NumberText(b.available.to_string()),
                })
                .collect(),
            l1: self.l1.as_ref().map(|l1| L1File {
                chain_id: l1.chain_id,
                bridge: hex::encode_prefixed(l1.bridge),
                verifier: hex::encode_prefixed(l1.verifier),
                deploy_block: l1.deploy_block,
                tokens: l1.tokens.iter().map(|(symbol, token)| (symbol.clone(), hex::encode_prefixed(token))).collect(),
            }),
            evm: (!self.evm.alloc.is_empty()).then(|| EvmFile {
                alloc: self
                    .evm
                    .alloc
                    .iter()
                    .map(|a| AllocFile {
                        address: hex::encode_prefixed(a.address),
                        balance: NumberText(a.balance.to_string()),
                        nonce: (a.nonce != 0).then_some(a.nonce),
                        code: (!a.code.is_empty()).then(|| hex::encode_prefixed(&a.code)),
                        storage: a
                            .storage
                            .iter()
                            .map(|(slot, value)| (format!("{slot:#x}"), NumberText(format!("{value:#x}"))))
                            .collect(),
                    })
                    .collect(),
            }),
            consensus: self.consensus.as_ref().map(|c| ConsensusFile {
                validators: c
                    .validators
                    .iter()
                    .map(|v| ValidatorFile {
                        address: hex::encode_prefixed(v.address),
                        public_key: hex::encode_prefixed(v.public_key),
                        power: v.power,
                    })
                    .collect(),
            }),
        };
        toml::to_string(&file).expect("a genesis file of strings and integers always serializes")
    }

    /// The venue's funding context (F1, F6: its domain and asset table), `None` without markets.
    pub fn funding_context(&self) -> Option<numo_funding::FundingContext> {
        (!self.markets.is_empty()).then(|| {
            numo_funding::FundingContext::from_markets(
                self.chain_id,
                self.venue_id,
                self.markets.iter().map(|m| &m.context),
            )
        })
    }

    /// Checks the consistency rules of the module docs. [`VenueGenesis::from_toml`] calls it;
    /// call it on a genesis built in code before using it.
    pub fn validate(&self) -> Result<(), GenesisError> {
        if let Some(consensus) = &self.consensus {
            let mut seen = BTreeSet::new();
            if consensus.validators.is_empty() {
                return Err(GenesisError::Validators("the validator set is empty".into()));
            }
            for (i, v) in consensus.validators.iter().enumerate() {
                let key = secp256k1::PublicKey::from_byte_array_compressed(v.public_key)
                    .map_err(|e| GenesisError::Validators(format!("validators[{i}]: bad public key: {e}")))?;
                if numo_stf::signature::public_key_address(&key) != v.address {
                    return Err(GenesisError::Validators(format!("validators[{i}]: address is not the key's")));
                }
                if v.power == 0 || !seen.insert(v.address) {
                    return Err(GenesisError::Validators(format!("validators[{i}]: zero power or listed twice")));
                }
            }
        }
        if let Some(l1) = &self.l1 {
            for symbol in l1.tokens.keys() {
                if self.asset(symbol).is_none() {
                    return Err(GenesisError::UnknownAsset {
                        field: format!("l1.tokens.{symbol}"),
                        asset: symbol.clone(),
                    });
                }
            }
        }
        let mut symbols = BTreeSet::new();
        let mut ids = BTreeSet::new();
        for asset in &self.assets {
            if !symbols.insert(asset.symbol.as_str()) {
                return Err(GenesisError::DuplicateAsset(asset.symbol.clone()));
            }
            if !ids.insert(asset.asset_id) {
                return Err(GenesisError::DuplicateAsset(hex::encode_prefixed(asset.asset_id)));
            }
        }

        let mut market_ids = BTreeSet::new();
        let mut pairs = BTreeSet::new();
        for (i, market) in self.markets.iter().enumerate() {
            let ctx = &market.context;
            let rules = &ctx.rules;
            for (name, id) in [("base", &rules.base_asset), ("quote", &rules.quote_asset)] {
                if self.asset_by_id(id).is_none() {
                    let field = format!("markets[{i}].{name}");
                    return Err(GenesisError::UnknownAsset { field, asset: hex::encode_prefixed(id) });
                }
            }
            if rules.base_asset == rules.quote_asset {
                return Err(GenesisError::SameBaseQuote(market.symbol.clone()));
            }
            if ctx.chain_id != self.chain_id || ctx.venue_id != self.venue_id {
                return Err(GenesisError::ForeignMarket(market.symbol.clone()));
            }
            if !market_ids.insert(ctx.market_id) || !pairs.insert((rules.base_asset, rules.quote_asset)) {
                return Err(GenesisError::DuplicateMarket(market.symbol.clone()));
            }
            rules.validate().map_err(|source| GenesisError::InvalidRules { market: market.symbol.clone(), source })?;
        }

        numo_evm::genesis::alloc_writes(&self.evm.alloc)?;

        let mut seen = BTreeSet::new();
        for (i, balance) in self.balances.iter().enumerate() {
            let Some(asset) = self.asset_by_id(&balance.asset_id) else {
                let field = format!("balances[{i}].asset");
                return Err(GenesisError::UnknownAsset { field, asset: hex::encode_prefixed(balance.asset_id) });
            };
            if !seen.insert((balance.owner, balance.asset_id)) {
                return Err(GenesisError::DuplicateBalance { owner: balance.owner, asset: asset.symbol.clone() });
            }
            let capped = self.markets.iter().find(|m| {
                let r = &m.context.rules;
                (r.base_asset == balance.asset_id || r.quote_asset == balance.asset_id)
                    && balance.available > r.max_balance
            });
            if let Some(market) = capped {
                return Err(GenesisError::BalanceAboveMax {
                    owner: balance.owner,
                    asset: asset.symbol.clone(),
                    market: market.symbol.clone(),
                });
            }
        }
        Ok(())
    }

    /// The built-in dev venue: chain 7357 (E2: not 31337, the dev L1's), venue
    /// `keccak256("numo-venue:numo-dev")`, assets WETH (18 decimals), WBTC (8) and USDC (6),
    /// markets WETH/USDC and WBTC/USDC, and each of the ten [`dev_accounts`] funded with 1,000
    /// WETH, 100 WBTC and 10,000,000 USDC.
    ///
    /// # Market parameters
    ///
    /// V1 prices are fixed point: `price = tickIndex × tickSize` is the quote amount, in smallest
    /// quote units scaled by 1e18, per *one smallest base unit*, and a fill costs
    /// `quoteAmt = price × qty / 1e18` (C13, C15). A human price `P` (quote per whole base)
    /// therefore is `price = P × 10^quoteDecimals × 1e18 / 10^baseDecimals`.
    ///
    /// Both markets quote in cents (a tick is 0.01 USDC per whole base asset) and trade lots of
    /// 0.0001 base asset, and are chosen so that `tickSize × lotSize = 1e18`: then
    /// `quoteAmt = tickIndex × (qty / lotSize)` exactly, in USDC smallest units, with no rounding.
    /// Quantities are in smallest base units (wei, satoshi) and must be multiples of `lotSize`.
    ///
    /// | market | tickSize | lotSize | price of tick `t` | 1 tick × 1 lot costs |
    /// |---|---|---|---|---|
    /// | WETH/USDC | `10^4` (= 0.01 × 10^6 × 10^18 / 10^18) | `10^14` (0.0001 WETH) | `t / 100` USDC | 1 unit = 10^-6 USDC |
    /// | WBTC/USDC | `10^14` (= 0.01 × 10^6 × 10^18 / 10^8) | `10^4` (0.0001 WBTC) | `t / 100` USDC | 1 unit = 10^-6 USDC |
    ///
    /// So WETH at 3,000 USDC is tick 300,000 and 1 WETH (`10^18` = 10,000 lots) costs
    /// `300,000 × 10,000 = 3 × 10^9` units = 3,000 USDC; WBTC at 60,000 USDC is tick 6,000,000.
    /// Ticks reach `i32::MAX / 100` ≈ 21 million USDC. The taker fee is 5 bps, so that BUY locks
    /// `3 × 10^9 + 1.5 × 10^6 + 64` units (C14: notional, fee reserve, one unit of round-up per
    /// possible fill). Batches hold up to 128 messages, orders match up to 64 makers, and
    /// balances are capped at 10^36 units.
    pub fn dev() -> Self {
        Self::dev_with_accounts(DEV_ACCOUNT_COUNT)
    }

    /// [`VenueGenesis::dev`] funding the first `accounts` [`dev_account`]s instead of ten, each
    /// like the ten: load tests need many (account, market) pairs, because one pair's messages
    /// wait for each other (nonce order). `dev_with_accounts(DEV_ACCOUNT_COUNT)` is `dev()`, so
    /// the default dev chain and its genesis root do not change.
    pub fn dev_with_accounts(accounts: u32) -> Self {
        let venue_id = default_venue_id(DEV_VENUE_NAME);
        let asset =
            |symbol: &str, decimals| AssetSpec { symbol: symbol.into(), asset_id: default_asset_id(symbol), decimals };
        let assets = vec![asset("WETH", 18), asset("WBTC", 8), asset("USDC", 6)];
        let usdc = assets[2].asset_id;
        let market = |base: &AssetSpec, tick_size: u64, lot_size: u64| MarketSpec {
            symbol: format!("{}/USDC", base.symbol),
            context: MarketContext {
                chain_id: DEV_CHAIN_ID,
                venue_id,
                market_id: default_market_id(&base.symbol, "USDC"),
                rules: Rules {
                    base_asset: base.asset_id,
                    quote_asset: usdc,
                    price_scale: U256::from(PRICE_SCALE),
                    tick_size: U256::from(tick_size),
                    lot_size: U256::from(lot_size),
                    taker_fee_bps: 5,
                    maker_fee_bps: 0,
                    max_orders_per_batch: DEFAULT_MAX_ORDERS_PER_BATCH,
                    max_matches_per_order: DEFAULT_MAX_MATCHES_PER_ORDER,
                    max_balance: default_max_balance(),
                },
            },
        };
        let markets =
            vec![market(&assets[0], 10_000, 100_000_000_000_000), market(&assets[1], 100_000_000_000_000, 10_000)];
        // 1,000 WETH, 100 WBTC, 10,000,000 USDC in smallest units.
        let funding = [(1_000u64, 18u8), (100, 8), (10_000_000, 6)];
        let mut balances = Vec::new();
        for account in (0..accounts).map(dev_account) {
            for (asset, (whole, decimals)) in assets.iter().zip(funding) {
                let available = U256::from(whole) * U256::from(10u64).pow(U256::from(decimals));
                balances.push(BalanceSpec { owner: account.address, asset_id: asset.asset_id, available });
            }
        }
        // 1,000,000 NUMO (E8, the EVM's gas token: 18 decimals) per dev account.
        let alloc = (0..accounts)
            .map(dev_account)
            .map(|account| numo_evm::genesis::GenesisAccount {
                address: account.address,
                balance: U256::from(DEV_NUMO_WHOLE) * U256::from(10u64).pow(U256::from(18u64)),
                ..Default::default()
            })
            .collect();
        Self {
            chain_id: DEV_CHAIN_ID,
            venue_id,
            assets,
            markets,
            balances,
            l1: None,
            consensus: None,
            evm: GenesisEvm { alloc },
        }
    }

    /// The market with this id.
    pub fn market(&self, market_id: &B256) -> Option<&MarketSpec> {
        self.markets.iter().find(|m| m.context.market_id == *market_id)
    }

    /// The market with this symbol (`"WETH/USDC"`, or any spelling [`symbol_key`] accepts).
    pub fn market_by_symbol(&self, symbol: &str) -> Option<&MarketSpec> {
        let wanted = symbol_key(symbol);
        self.markets.iter().find(|m| symbol_key(&m.symbol) == wanted)
    }

    /// Markets sorted by ascending `market_id`: the order in which a node processes the markets
    /// of a block, independent of file order.
    pub fn markets_in_order(&self) -> Vec<&MarketSpec> {
        let mut markets: Vec<&MarketSpec> = self.markets.iter().collect();
        markets.sort_by_key(|m| m.context.market_id);
        markets
    }

    /// The asset with this symbol.
    pub fn asset(&self, symbol: &str) -> Option<&AssetSpec> {
        self.assets.iter().find(|a| a.symbol == symbol)
    }

    /// The asset with this id.
    pub fn asset_by_id(&self, asset_id: &B256) -> Option<&AssetSpec> {
        self.assets.iter().find(|a| a.asset_id == *asset_id)
    }

    /// The initial state: one `NS_BAL` entry `available ‖ locked = 0` per non-zero balance
    /// (zero balances are absent, C3) and the EVM alloc (E4), then the EVM genesis head written
    /// over the root of those (E8).
    pub fn initial_state(&self) -> FullState {
        self.initial_state_and_evm_header().0
    }

    /// [`VenueGenesis::initial_state`] and the EVM genesis header (block 0, E8/E9) it commits.
    pub fn initial_state_and_evm_header(&self) -> (FullState, alloy_consensus::Header) {
        let mut state = FullState::from_entries(self.balances.iter().filter_map(|b| {
            let value = Balance { available: b.available, locked: U256::ZERO }.encode_canonical()?;
            Some((balance_key(&b.owner, &b.asset_id), value))
        }));
        let alloc = numo_evm::genesis::alloc_writes(&self.evm.alloc).expect("a validated genesis has a valid alloc");
        state.apply(alloc);
        let (header, head) = numo_evm::genesis::genesis_head_writes(state.root(), GENESIS_TIMESTAMP_MS);
        state.apply(head);
        (state, header)
    }

    /// Root of [`VenueGenesis::initial_state`]: the `prevRoot` of batch 1 (C19), and so part of
    /// the chain identity along with the chain id, venue id and Rules.
    pub fn genesis_root(&self) -> B256 {
        self.initial_state().root()
    }

    fn resolve_asset(&self, name: &str, field: &str) -> Result<&AssetSpec, GenesisError> {
        let by_id = || parse_b256(name, field).ok().and_then(|id| self.asset_by_id(&id));
        self.asset(name)
            .or_else(|| if name.starts_with("0x") { by_id() } else { None })
            .ok_or_else(|| GenesisError::UnknownAsset { field: field.into(), asset: name.into() })
    }
}

/// The genesis time (Unix ms) a venue genesis starts from: the chain's clock starts at the first
/// block's proposal (N3), so the EVM genesis header's timestamp is 0 (E8).
pub const GENESIS_TIMESTAMP_MS: u64 = 0;
/// NUMO (the EVM's gas token, E8) each dev account holds at genesis, in whole NUMO.
pub const DEV_NUMO_WHOLE: u64 = 1_000_000;
/// Chain id of the dev genesis and of its EVM (E2): 7357, not 31337 (anvil's, the dev L1), so no
/// transaction signed for one chain is valid on the other.
pub const DEV_CHAIN_ID: u64 = 7357;
/// Venue name of the dev genesis; its id is [`default_venue_id`] of it.
pub const DEV_VENUE_NAME: &str = "numo-dev";
/// Number of [`dev_accounts`].
pub const DEV_ACCOUNT_COUNT: u32 = 10;

/// A well-known account for local runs and tests. Its key is public: never fund it anywhere real.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevAccount {
    /// `secret_key_address(secret)`.
    pub address: Address,
    /// The signing key.
    pub secret: SecretKey,
}

/// The ten dev accounts, in a fixed order, funded by [`VenueGenesis::dev`].
///
/// Account `i` (0..10) has secret `keccak256("numo-dev-account" ‖ U32 i)` (`i` big-endian, C1),
/// so any tool can re-derive them. Should a hash not be a valid secp256k1 secret key (zero or
/// ≥ the group order, probability ≈ 2^-128) it is hashed again until it is.
pub fn dev_accounts() -> Vec<DevAccount> {
    (0..DEV_ACCOUNT_COUNT).map(dev_account).collect()
}

/// Dev account `index` (see [`dev_accounts`]; defined for every `u32`, funded for 0..10).
pub fn dev_account(index: u32) -> DevAccount {
    let mut seed = keccak256([b"numo-dev-account".as_slice(), &index.to_be_bytes()].concat());
    let secret = loop {
        match SecretKey::from_secret_bytes(seed.0) {
            Ok(secret) => break secret,
            Err(_) => seed = keccak256(seed),
        }
    };
    DevAccount { address: secret_key_address(&secret), secret }
}

// ---- file shapes -------------------------------------------------------------------------

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GenesisFile {
    chain_id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    venue_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default)]
    assets: Vec<AssetFile>,
    #[serde(default)]
    markets: Vec<MarketFile>,
    #[serde(default)]
    balances: Vec<BalanceFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    l1: Option<L1File>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    evm: Option<EvmFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consensus: Option<ConsensusFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvmFile {
    #[serde(default)]
    alloc: Vec<AllocFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllocFile {
    address: String,
    balance: NumberText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nonce: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    storage: std::collections::BTreeMap<String, NumberText>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsensusFile {
    validators: Vec<ValidatorFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidatorFile {
    address: String,
    public_key: String,
    power: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct L1File {
    chain_id: u64,
    bridge: String,
    verifier: String,
    deploy_block: u64,
    #[serde(default)]
    tokens: std::collections::BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssetFile {
    symbol: String,
    decimals: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    asset_id: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarketFile {
    base: String,
    quote: String,
    tick_size: NumberText,
    lot_size: NumberText,
    taker_fee_bps: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_orders_per_batch: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_matches_per_order: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_balance: Option<NumberText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    market_id: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BalanceFile {
    owner: String,
    asset: String,
    available: NumberText,
}

/// A U256 as written in the file: a string (decimal or `0x` hex), or a TOML integer for
/// values that fit. Kept as text so a bad value is reported with its field name.
#[derive(Serialize)]
#[serde(transparent)]
struct NumberText(String);

impl<'de> Deserialize<'de> for NumberText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = NumberText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an unsigned integer or a decimal / 0x-hex string")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<NumberText, E> {
                Ok(NumberText(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<NumberText, E> {
                // Negative values are kept as text and refused with the field name.
                Ok(NumberText(v.to_string()))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<NumberText, E> {
                Ok(NumberText(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

fn parse_u256(text: &NumberText, field: &str) -> Result<U256, GenesisError> {
    let value = text.0.trim();
    let bad = || GenesisError::BadNumber { field: field.into(), value: text.0.clone() };
    if value.is_empty() || value.starts_with(['+', '-']) {
        return Err(bad());
    }
    value.parse().map_err(|_| bad())
}

fn parse_hex<const N: usize>(text: &str, field: &str) -> Result<[u8; N], GenesisError> {
    let bad = || GenesisError::BadHex { field: field.into(), value: text.into(), bytes: N };
    let bytes = hex::decode(text.trim()).map_err(|_| bad())?;
    bytes.try_into().map_err(|_| bad())
}

fn parse_b256(text: &str, field: &str) -> Result<B256, GenesisError> {
    parse_hex::<32>(text, field).map(B256::from)
}

fn parse_address(text: &str, field: &str) -> Result<Address, GenesisError> {
    parse_hex::<20>(text, field).map(Address::from)
}
