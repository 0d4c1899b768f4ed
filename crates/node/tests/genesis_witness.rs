//! Venue genesis (TOML format, dev venue, dev accounts) and compact witness storage.
//!
//! Genesis: the TOML example of the `genesis` module docs parses to what it says and round
//! trips through `to_toml`; the dev genesis is valid, its accounts and root are pinned, every
//! account is funded, and its market parameters give the prices they claim (a 3,000 USDC WETH
//! BUY costs 3,000 × 10^6 USDC units plus the 5 bps fee, checked by executing it); bad files
//! fail with a clear error.
//!
//! Witness: `expand(compact(blob)) == blob` on the three spec vector blobs, on blobs built by
//! `numo_host::build_batch` from random batches on the dev venue, and on vector blobs with
//! mutated siblings; `expand` and `compact` return errors, never panic, on truncated, extended
//! or random input.

use alloy_primitives::{hex, keccak256, Address, B256, U256};
use numo_host::{build_batch, build_batch_with, BuildOptions, FullState, Signatures, WitnessForm};
use numo_node::genesis::{
    default_asset_id, default_market_id, default_venue_id, dev_accounts, DevAccount, GenesisError, VenueGenesis,
};
use numo_node::witness::{compact, expand};
use numo_stf::keys::balance_key;
use numo_stf::rules::RulesError;
use numo_stf::signature::{secret_key_address, sign_digest};
use numo_stf::values::{Balance, StateValue};
use numo_stf::{Cancel, MarketContext, Message, Place, SignedMessage};
use proptest::prelude::*;
use std::path::PathBuf;

/// Address of dev account 0, `secret = keccak256("numo-dev-account" ‖ U32 0)`.
const DEV_ACCOUNT_0: &str = "0x5b35b6f6db1ddee88e1e27b9d9d522bb16981056";
/// Root of the dev genesis state (30 NS_BAL entries, the EVM alloc and genesis head, E8).
const DEV_GENESIS_ROOT: &str = "0x913264bfdee4ce6246657ea7b61d461958ca4c2ab09766a78169a890fd6d3cd4";

// ---- genesis ---------------------------------------------------------------------------------

/// The ```toml block of the genesis module docs, so the documented example is what is tested.
fn documented_example() -> String {
    let source = include_str!("../src/genesis.rs");
    let mut lines = source.lines().skip_while(|l| l.trim() != "//! ```toml").skip(1);
    let block: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "//! ```").collect();
    assert!(!block.is_empty(), "the genesis module docs have a ```toml example");
    block.iter().map(|l| l.strip_prefix("//!").unwrap().strip_prefix(' ').unwrap_or("")).collect::<Vec<_>>().join("\n")
}

#[test]
fn documented_example_parses_and_round_trips() {
    let text = documented_example();
    let genesis = VenueGenesis::from_toml(&text).unwrap();

    assert_eq!(genesis.chain_id, 7357);
    assert_eq!(genesis.venue_id, default_venue_id("example-venue"));
    assert_eq!(genesis.venue_id, keccak256(b"numo-venue:example-venue"));
    assert_eq!(genesis.assets.len(), 2);
    let weth = &genesis.assets[0];
    assert_eq!((weth.symbol.as_str(), weth.decimals, weth.asset_id), ("WETH", 18, keccak256(b"numo-asset:WETH")));
    let usdc = &genesis.assets[1];
    assert_eq!((usdc.symbol.as_str(), usdc.decimals), ("USDC", 6));
    assert_eq!(usdc.asset_id, B256::with_last_byte(0xc0));

    assert_eq!(genesis.markets.len(), 1);
    let market = &genesis.markets[0];
    assert_eq!(market.symbol, "WETH/USDC");
    let ctx = &market.context;
    assert_eq!((ctx.chain_id, ctx.venue_id), (7357, genesis.venue_id));
    assert_eq!(ctx.market_id, keccak256(b"numo-market:WETH/USDC"));
    assert_eq!(ctx.market_id, default_market_id("WETH", "USDC"));
    let r = &ctx.rules;
    assert_eq!((r.base_asset, r.quote_asset), (weth.asset_id, usdc.asset_id));
    assert_eq!(r.price_scale, U256::from(10u64.pow(18)));
    assert_eq!((r.tick_size, r.lot_size), (U256::from(10_000u64), U256::from(10u64.pow(14))));
    assert_eq!((r.taker_fee_bps, r.maker_fee_bps), (5, 0));
    assert_eq!((r.max_orders_per_batch, r.max_matches_per_order), (128, 64));
    assert_eq!(r.max_balance, U256::from(10u64).pow(U256::from(36)));

    let owner: Address = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf".parse().unwrap();
    assert_eq!(genesis.balances.len(), 2);
    assert_eq!(genesis.balances[0].owner, owner);
    assert_eq!(genesis.balances[0].asset_id, weth.asset_id);
    assert_eq!(genesis.balances[0].available, U256::from(5 * 10u64.pow(18)));
    assert_eq!(genesis.balances[1].asset_id, usdc.asset_id);
    assert_eq!(genesis.balances[1].available, U256::from(20_000_000_000u64));

    // Round trip: everything explicit, read back equal, and the written text is a fixed point.
    let written = genesis.to_toml();
    let reread = VenueGenesis::from_toml(&written).unwrap();
    assert_eq!(reread, genesis);
    assert_eq!(reread.to_toml(), written);
    assert_eq!(reread.genesis_root(), genesis.genesis_root());

    // Defaults written out are the same as defaults left implicit.
    let implicit = text.replace("max_orders_per_batch = 128", "").replace("max_matches_per_order = 64", "");
    assert_eq!(VenueGenesis::from_toml(&implicit).unwrap(), genesis);
}

#[test]
fn dev_genesis_is_valid() {
    let genesis = VenueGenesis::dev();
    genesis.validate().unwrap();
    assert_eq!(genesis.chain_id, 7357);
    assert_eq!(genesis.venue_id, default_venue_id("numo-dev"));
    let symbols: Vec<(&str, u8)> = genesis.assets.iter().map(|a| (a.symbol.as_str(), a.decimals)).collect();
    assert_eq!(symbols, [("WETH", 18), ("WBTC", 8), ("USDC", 6)]);
    for asset in &genesis.assets {
        assert_eq!(asset.asset_id, default_asset_id(&asset.symbol));
    }
    let markets: Vec<&str> = genesis.markets.iter().map(|m| m.symbol.as_str()).collect();
    assert_eq!(markets, ["WETH/USDC", "WBTC/USDC"]);
    for market in &genesis.markets {
        let ctx = &market.context;
        ctx.rules.validate().unwrap();
        assert_eq!((ctx.chain_id, ctx.venue_id), (genesis.chain_id, genesis.venue_id));
        assert_eq!(ctx.rules.taker_fee_bps, 5);
        assert_eq!(genesis.market(&ctx.market_id), Some(market));
        assert_eq!(genesis.market_by_symbol(&market.symbol), Some(market));
        // Every spelling `symbol_key` accepts, as a URL path or a person types it.
        let dashed = market.symbol.replace('/', "-");
        for spelling in [dashed.to_lowercase(), dashed, market.symbol.to_lowercase()] {
            assert_eq!(genesis.market_by_symbol(&spelling), Some(market), "{spelling}");
        }
    }
    assert_eq!(genesis.market_by_symbol("WETH-WBTC"), None);
    assert_eq!(genesis.market(&B256::ZERO), None);
    let ordered: Vec<B256> = genesis.markets_in_order().iter().map(|m| m.context.market_id).collect();
    let mut sorted = ordered.clone();
    sorted.sort();
    assert_eq!(ordered, sorted);
    assert_eq!(ordered.len(), 2);
    // The dev genesis round trips through its own TOML.
    assert_eq!(VenueGenesis::from_toml(&genesis.to_toml()).unwrap(), genesis);
}

#[test]
fn dev_accounts_are_deterministic_and_distinct() {
    let accounts = dev_accounts();
    assert_eq!(accounts.len(), 10);
    for (i, account) in accounts.iter().enumerate() {
        let seed = keccak256([b"numo-dev-account".as_slice(), &(i as u32).to_be_bytes()].concat());
        assert_eq!(account.secret.to_secret_bytes(), seed.0, "account {i}: no re-hash needed for these ten");
        assert_eq!(account.address, secret_key_address(&account.secret));
    }
    let mut addresses: Vec<Address> = accounts.iter().map(|a| a.address).collect();
    addresses.sort();
    addresses.dedup();
    assert_eq!(addresses.len(), 10);
    assert_eq!(dev_accounts(), accounts);
    assert_eq!(format!("{:#x}", accounts[0].address), DEV_ACCOUNT_0);
}

#[test]
fn dev_genesis_root_is_pinned_and_accounts_funded() {
    let genesis = VenueGenesis::dev();
    let state = genesis.initial_state();
    // 30 NS_BAL entries, 10 NS_EVMACCT (E8: 1,000,000 NUMO each), the system contract's account
    // and code (E6, E8), the EVM head and block hash 0.
    assert_eq!(state.len(), 44);
    assert_eq!(genesis.genesis_root(), state.root());
    let numo = U256::from(10u64).pow(U256::from(24u64));
    for account in dev_accounts() {
        let key = numo_evm::keys::account_key(&account.address);
        let evm = numo_evm::values::EvmAccount::decode(state.value(&key)).unwrap();
        assert_eq!(evm, numo_evm::values::EvmAccount { nonce: 0, balance: numo, code_hash: B256::ZERO });
    }
    let head = numo_evm::values::EvmHead::decode(state.value(&numo_evm::keys::head_key())).unwrap();
    assert_eq!((head.number, head.base_fee, head.gas_used), (0, 1_000_000_000, 0));
    // The head names the genesis header over the root after the alloc (E8), which is what the
    // node stores as EVM block 0.
    let block = numo_node::node::evm_genesis_block(&genesis);
    assert_eq!(block.hash, head.hash);
    assert_eq!(alloy_primitives::keccak256(&block.header_rlp), head.hash);
    assert_eq!(hex::encode_prefixed(genesis.genesis_root()), DEV_GENESIS_ROOT);

    let expected = [
        ("WETH", U256::from(1_000u64) * U256::from(10u64.pow(18))),
        ("WBTC", U256::from(100u64 * 10u64.pow(8))),
        ("USDC", U256::from(10_000_000u64 * 10u64.pow(6))),
    ];
    for account in dev_accounts() {
        for (symbol, amount) in expected {
            let asset = genesis.asset(symbol).unwrap().asset_id;
            let balance = Balance::decode(state.value(&balance_key(&account.address, &asset))).unwrap();
            assert_eq!(balance, Balance { available: amount, locked: U256::ZERO }, "{} {symbol}", account.address);
        }
    }
}

fn mul_div_up(a: U256, b: U256, d: U256) -> U256 {
    (a * b).div_ceil(d)
}

fn sign(ctx: &MarketContext, account: &DevAccount, message: Message) -> SignedMessage {
    let signature = sign_digest(&account.secret, &message.hash(&ctx.domain_separator()));
    SignedMessage { message, signature }
}

fn balance(state: &FullState, owner: &Address, asset: &B256) -> Balance {
    Balance::decode(state.value(&balance_key(owner, asset))).unwrap()
}

#[test]
fn dev_markets_price_in_smallest_units() {
    let genesis = VenueGenesis::dev();
    let e18 = U256::from(10u64.pow(18));
    let usdc = U256::from(10u64.pow(6));

    // WETH/USDC: tick 300,000 is 3,000 USDC; 1 WETH (10^18 wei) costs 3,000 × 10^6 units.
    let weth = genesis.market_by_symbol("WETH/USDC").unwrap().context;
    let price = U256::from(300_000u64) * weth.rules.tick_size;
    let one_weth = e18;
    assert_eq!(one_weth % weth.rules.lot_size, U256::ZERO);
    let notional = mul_div_up(price, one_weth, e18);
    assert_eq!(notional, U256::from(3_000u64) * usdc);
    // C14 lock: notional + fee reserve (5 bps, rounded up) + one unit per possible fill.
    let reserve = mul_div_up(notional, U256::from(weth.rules.taker_fee_bps), U256::from(10_000u64))
        + U256::from(weth.rules.max_matches_per_order);
    assert_eq!(notional + reserve, U256::from(3_001_500_064u64));
    // One tick × one lot is exactly one USDC unit.
    assert_eq!(weth.rules.tick_size * weth.rules.lot_size, e18);

    // WBTC/USDC: tick 6,000,000 is 60,000 USDC; 1 WBTC (10^8 sats) costs 60,000 × 10^6 units.
    let wbtc = genesis.market_by_symbol("WBTC/USDC").unwrap().context;
    let price = U256::from(6_000_000u64) * wbtc.rules.tick_size;
    let one_wbtc = U256::from(10u64.pow(8));
    assert_eq!(one_wbtc % wbtc.rules.lot_size, U256::ZERO);
    assert_eq!(mul_div_up(price, one_wbtc, e18), U256::from(60_000u64) * usdc);
    assert_eq!(wbtc.rules.tick_size * wbtc.rules.lot_size, e18);

    // Executed: account 1 rests a SELL of 1 WETH at 3,000, account 0 BUYs it (GTC, same tick).
    let accounts = dev_accounts();
    let (buyer, seller) = (&accounts[0], &accounts[1]);
    let mut state = genesis.initial_state();
    assert_eq!(state.root(), genesis.genesis_root());
    let place = |account: &DevAccount, side: u8, id: u8| {
        let order = Place {
            trader: account.address,
            nonce: 0,
            order_id: B256::with_last_byte(id),
            side,
            tif: 0,
            tick: 300_000,
            qty: one_weth,
        };
        sign(&weth, account, Message::Place(order))
    };
    let messages = vec![place(seller, 1, 1), place(buyer, 0, 2)];
    let built = build_batch(&mut state, &weth, 1, 0, messages).unwrap();
    assert_eq!(built.report.trades.len(), 1);
    let (base, quote) = (weth.rules.base_asset, weth.rules.quote_asset);
    let start_usdc = U256::from(10_000_000u64) * usdc;
    let start_weth = U256::from(1_000u64) * e18;
    let fee = U256::from(1_500_000u64); // 5 bps of 3,000 USDC
    let b = balance(&state, &buyer.address, &quote);
    assert_eq!(b, Balance { available: start_usdc - U256::from(3_000u64) * usdc - fee, locked: U256::ZERO });
    assert_eq!(balance(&state, &buyer.address, &base).available, start_weth + one_weth);
    assert_eq!(balance(&state, &seller.address, &quote).available, start_usdc + U256::from(3_000u64) * usdc);
    assert_eq!(
        balance(&state, &seller.address, &base),
        Balance { available: start_weth - one_weth, locked: U256::ZERO }
    );

    // A BUY that rests keeps exactly the notional locked (C17 releases the fee reserve).
    let rest = Place {
        trader: buyer.address,
        nonce: 1,
        order_id: B256::with_last_byte(3),
        side: 0,
        tif: 0,
        tick: 300_000,
        qty: one_weth,
    };
    build_batch(&mut state, &weth, 2, 100, vec![sign(&weth, buyer, Message::Place(rest))]).unwrap();
    assert_eq!(balance(&state, &buyer.address, &quote).locked, U256::from(3_000u64) * usdc);
}

fn expect_err(text: &str) -> GenesisError {
    match VenueGenesis::from_toml(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(error) => error,
    }
}

const HEAD: &str =
    "chain_id = 1\nname = \"t\"\n[[assets]]\nsymbol = \"A\"\ndecimals = 18\n[[assets]]\nsymbol = \"B\"\ndecimals = 6\n";
const MARKET_AB: &str =
    "[[markets]]\nbase = \"A\"\nquote = \"B\"\ntick_size = \"1\"\nlot_size = \"1\"\ntaker_fee_bps = 5\n";

#[test]
fn bad_genesis_files_fail_clearly() {
    // The baseline is fine.
    VenueGenesis::from_toml(&format!("{HEAD}{MARKET_AB}")).unwrap();

    let e = expect_err(&format!("{HEAD}{}", MARKET_AB.replace("quote = \"B\"", "quote = \"USDT\"")));
    assert!(matches!(&e, GenesisError::UnknownAsset { asset, .. } if asset == "USDT"), "{e}");
    assert!(e.to_string().contains("markets[0].quote: unknown asset `USDT`"), "{e}");

    let e = expect_err(&format!("{HEAD}{MARKET_AB}{MARKET_AB}"));
    assert!(matches!(&e, GenesisError::DuplicateMarket(m) if m == "A/B"), "{e}");
    assert_eq!(e.to_string(), "market `A/B` is declared twice");

    // Same pair under two explicit ids is still a duplicate; two ids for two pairs are fine.
    let with_id = |id: u8| format!("{MARKET_AB}market_id = \"0x{}\"\n", hex::encode(B256::with_last_byte(id)));
    let e = expect_err(&format!("{HEAD}{}{}", with_id(1), with_id(2)));
    assert!(matches!(e, GenesisError::DuplicateMarket(_)), "{e}");

    let e = expect_err(&format!("{HEAD}{}", MARKET_AB.replace("tick_size = \"1\"", "tick_size = \"0\"")));
    assert!(
        matches!(&e, GenesisError::InvalidRules { source: RulesError::TickSize, market } if market == "A/B"),
        "{e}"
    );
    assert_eq!(e.to_string(), "market `A/B` has invalid rules: tickSize is 0");
    let e = expect_err(&format!("{HEAD}{}", MARKET_AB.replace("lot_size = \"1\"", "lot_size = 0")));
    assert!(matches!(e, GenesisError::InvalidRules { source: RulesError::LotSize, .. }), "{e}");
    let e = expect_err(&format!("{HEAD}{}", MARKET_AB.replace("taker_fee_bps = 5", "taker_fee_bps = 10001")));
    assert!(matches!(e, GenesisError::InvalidRules { source: RulesError::TakerFee, .. }), "{e}");
    let e = expect_err(&format!("{HEAD}{MARKET_AB}max_matches_per_order = 0\n"));
    assert!(matches!(e, GenesisError::InvalidRules { source: RulesError::MaxMatchesPerOrder, .. }), "{e}");

    let e = expect_err(&format!("{HEAD}{}", MARKET_AB.replace("quote = \"B\"", "quote = \"A\"")));
    assert!(matches!(e, GenesisError::SameBaseQuote(_)), "{e}");

    let e = expect_err(&HEAD.replace("name = \"t\"", "venue_id = \"0x1234\""));
    assert!(matches!(&e, GenesisError::BadHex { field, bytes: 32, .. } if field == "venue_id"), "{e}");
    assert_eq!(e.to_string(), "venue_id: `0x1234` is not 32 bytes of hex");
    let e = expect_err(&HEAD.replace("name = \"t\"", "venue_id = \"zz\""));
    assert!(matches!(e, GenesisError::BadHex { .. }), "{e}");

    let e = expect_err(&HEAD.replace("name = \"t\"\n", ""));
    assert!(matches!(e, GenesisError::MissingVenue), "{e}");

    let e = expect_err(&format!("{HEAD}{}", MARKET_AB.replace("tick_size = \"1\"", "tick_size = \"1.5\"")));
    assert!(matches!(&e, GenesisError::BadNumber { field, .. } if field == "markets[0].tick_size"), "{e}");
    let e = expect_err(&format!("{HEAD}{}", MARKET_AB.replace("tick_size = \"1\"", "tick_size = -3")));
    assert!(matches!(e, GenesisError::BadNumber { .. }), "{e}");

    let e = expect_err(&format!("{HEAD}{MARKET_AB}tick_sise = \"1\"\n"));
    assert!(matches!(&e, GenesisError::Toml(_)) && e.to_string().contains("tick_sise"), "{e}");
    let e = expect_err("chain_id = \"one\"\nname = \"t\"\n");
    assert!(matches!(e, GenesisError::Toml(_)), "{e}");

    let e = expect_err(&format!("{HEAD}[[assets]]\nsymbol = \"A\"\ndecimals = 2\n"));
    assert!(matches!(&e, GenesisError::DuplicateAsset(s) if s == "A"), "{e}");

    let owner = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf";
    let bal = |asset: &str, amount: &str| {
        format!("[[balances]]\nowner = \"{owner}\"\nasset = \"{asset}\"\navailable = \"{amount}\"\n")
    };
    VenueGenesis::from_toml(&format!("{HEAD}{MARKET_AB}{}{}", bal("A", "7"), bal("B", "0"))).unwrap();
    let e = expect_err(&format!("{HEAD}{}", bal("C", "1")));
    assert!(matches!(&e, GenesisError::UnknownAsset { field, .. } if field == "balances[0].asset"), "{e}");
    let e = expect_err(&format!("{HEAD}{}{}", bal("A", "1"), bal("A", "2")));
    assert!(matches!(e, GenesisError::DuplicateBalance { .. }), "{e}");
    let e = expect_err(&format!("{HEAD}{MARKET_AB}max_balance = \"10\"\n{}", bal("B", "11")));
    assert!(matches!(&e, GenesisError::BalanceAboveMax { market, .. } if market == "A/B"), "{e}");
    let e = expect_err(&format!("{HEAD}{}", bal("A", "1").replace(owner, "0x12")));
    assert!(matches!(&e, GenesisError::BadHex { bytes: 20, .. }), "{e}");

    // Assets may also be named by id.
    let id = hex::encode_prefixed(default_asset_id("A"));
    VenueGenesis::from_toml(&format!("{HEAD}{}", bal(&id, "1"))).unwrap();
}

// ---- witness ---------------------------------------------------------------------------------

const VECTORS: [&str; 3] = ["batch_1_plain_cross", "batch_2_rejects_and_cancel", "batch_3_multifill_fees_hints"];

fn vector_blob(name: &str) -> Vec<u8> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../../shared/spec/vectors/batches/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    hex::decode(json["guestInput"].as_str().unwrap()).unwrap()
}

#[test]
fn vector_blobs_round_trip_compactly() {
    let (mut total_blob, mut total_compact) = (0, 0);
    for name in VECTORS {
        let blob = vector_blob(name);
        let small = compact(&blob).unwrap();
        assert_eq!(expand(&small).unwrap(), blob, "{name}");
        assert!(small.len() * 10 < blob.len(), "{name}: {} → {}", blob.len(), small.len());
        println!("{name}: {} bytes → {} bytes, ratio {:.1}×", blob.len(), small.len(), ratio(&blob, &small));
        total_blob += blob.len();
        total_compact += small.len();
    }
    println!(
        "all vectors: {total_blob} bytes → {total_compact} bytes, ratio {:.1}×",
        total_blob as f64 / total_compact as f64
    );
}

fn ratio(blob: &[u8], small: &[u8]) -> f64 {
    blob.len() as f64 / small.len() as f64
}

#[test]
fn truncated_or_extended_input_is_an_error() {
    let blob = vector_blob(VECTORS[0]);
    let small = compact(&blob).unwrap();
    for len in 0..small.len() {
        assert!(expand(&small[..len]).is_err(), "expand accepted {len} of {} bytes", small.len());
    }
    let mut longer = small.clone();
    longer.push(0);
    assert!(expand(&longer).is_err());
    // compact refuses what the guest refuses.
    for len in [0, 1, 200, blob.len() / 2, blob.len() - 1] {
        assert!(compact(&blob[..len]).is_err());
    }
    let mut longer = blob.clone();
    longer.push(0);
    assert!(compact(&longer).is_err());
    // A compact form is not a blob, nor (with proofs) the other way round.
    assert!(compact(&small).is_err());
    assert!(expand(&blob).is_err());
}

#[test]
fn blob_without_proofs_round_trips() {
    let blob = vector_blob(VECTORS[0]);
    let input = numo_guest::GuestInput::decode(&blob).unwrap();
    let bare = numo_guest::GuestInput { proofs: Vec::new(), ..input }.encode();
    let small = compact(&bare).unwrap();
    assert_eq!(small, bare, "no proofs: nothing to compact");
    assert_eq!(expand(&small).unwrap(), bare);
}

/// One generated action on the dev WETH/USDC market; nonces are assigned when signing.
#[derive(Debug, Clone)]
enum Action {
    Place { trader: usize, side: u8, tif: u32, tick: i32, lots: u64, order: u8 },
    Cancel { trader: usize, order: u8 },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => (0..3usize, 0u8..2, 0u32..2, 299_995i32..300_006, 1u64..50, 1u8..16)
            .prop_map(|(trader, side, tif, tick, lots, order)| Action::Place { trader, side, tif, tick, lots, order }),
        1 => (0..3usize, 1u8..16).prop_map(|(trader, order)| Action::Cancel { trader, order }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Blobs of random batches (1–3 consecutive batches of 1–8 messages on the dev venue).
    #[test]
    fn built_blobs_round_trip(batches in prop::collection::vec(prop::collection::vec(action(), 1..8), 1..4)) {
        let genesis = VenueGenesis::dev();
        let ctx = genesis.market_by_symbol("WETH/USDC").unwrap().context;
        let accounts = dev_accounts();
        let mut state = genesis.initial_state();
        let mut direct_state = genesis.initial_state();
        let mut nonces = [0u64; 3];
        for (seq, batch) in batches.iter().enumerate() {
            let messages: Vec<SignedMessage> = batch
                .iter()
                .map(|action| {
                    let (trader, message) = match *action {
                        Action::Place { trader, side, tif, tick, lots, order } => (trader, Message::Place(Place {
                            trader: accounts[trader].address,
                            nonce: nonces[trader],
                            order_id: B256::with_last_byte(order),
                            side,
                            tif,
                            tick,
                            qty: ctx.rules.lot_size * U256::from(lots),
                        })),
                        Action::Cancel { trader, order } => (trader, Message::Cancel(Cancel {
                            trader: accounts[trader].address,
                            nonce: nonces[trader],
                            order_id: B256::with_last_byte(order),
                        })),
                    };
                    nonces[trader] += 1;
                    sign(&ctx, &accounts[trader], message)
                })
                .collect();
            // The node's builder writes the compact form straight from the tree: the same bytes.
            let options = BuildOptions { signatures: Signatures::AlreadyVerified, witness: WitnessForm::Compact };
            let direct =
                build_batch_with(&mut direct_state, &ctx, seq as u64 + 1, 100 * seq as u64, messages.clone(), options)
                    .unwrap();
            let built = build_batch(&mut state, &ctx, seq as u64 + 1, 100 * seq as u64, messages).unwrap();
            let small = compact(&built.blob).unwrap();
            prop_assert!(small.len() < built.blob.len());
            prop_assert_eq!(&direct.blob, &small);
            prop_assert_eq!(expand(&small).unwrap(), built.blob);
            prop_assert_eq!(direct_state.root(), state.root());
        }
    }

    /// Vector blobs with siblings overwritten by random words or by their default (either way
    /// the bitmap must follow).
    #[test]
    fn mutated_vector_blobs_round_trip(
        which in 0..3usize,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0..256usize, prop::option::of(any::<[u8; 32]>())), 1..24),
    ) {
        let mut blob = vector_blob(VECTORS[which]);
        let offsets = sibling_offsets(&blob);
        for (proof, sibling, word) in edits {
            let at = offsets[proof.index(offsets.len())] + 32 * sibling;
            let word = word.unwrap_or(numo_smt::default_hash(sibling).0);
            blob[at..at + 32].copy_from_slice(&word);
        }
        let small = compact(&blob).unwrap();
        prop_assert_eq!(expand(&small).unwrap(), blob);
    }

    /// Random bytes: errors, never panics.
    #[test]
    fn garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        prop_assert!(compact(&bytes).is_err());
        let _ = expand(&bytes);
    }

    /// Corrupted compact forms: an error or some blob, never a panic; when a blob comes out,
    /// the guest decoder accepts it.
    #[test]
    fn corrupted_compact_never_panics(which in 0..3usize, flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let mut small = compact(&vector_blob(VECTORS[which])).unwrap();
        for (at, byte) in flips {
            let at = at.index(small.len());
            small[at] ^= byte.max(1);
        }
        if let Ok(blob) = expand(&small) {
            prop_assert!(numo_guest::GuestInput::decode(&blob).is_ok());
        }
    }
}

/// Byte offset of the first sibling of each proof of a blob.
fn sibling_offsets(blob: &[u8]) -> Vec<usize> {
    let input = numo_guest::GuestInput::decode(blob).unwrap();
    let base = blob.as_ptr() as usize;
    input.proofs.iter().map(|p| p.siblings.as_ptr() as usize - base).collect()
}
