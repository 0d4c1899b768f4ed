//! Every item of `shared/spec/vectors/encodings.json` except the SMT section (tested in
//! numo-smt): namespaces, keys, values, domain separator, rules, messages, signatures, batch
//! commitments, trade/fee records and roots.

use alloy_primitives::{hex, Address, B256, U256};
use numo_stf::commitments::{batch_digest, da_commitment, merkle_root};
use numo_stf::keys::{self, Namespace};
use numo_stf::records::{fee_record, Trade};
use numo_stf::rules::domain_separator;
use numo_stf::signature::{recover_signer, secret_key_address, sign_digest};
use numo_stf::values::*;
use numo_stf::{Message, Rules, Side, Signature, SignedMessage};
use serde_json::Value;
use std::path::PathBuf;

fn vectors() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/vectors/encodings.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

fn bytes(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}
fn b256(v: &Value) -> B256 {
    B256::from_slice(&bytes(v))
}
fn addr(v: &Value) -> Address {
    Address::from_slice(&bytes(v))
}
fn u256(v: &Value) -> U256 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        Value::Number(n) => U256::from(n.as_u64().unwrap()),
        _ => panic!("not a number: {v}"),
    }
}
fn int(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

fn namespace(name: &str) -> Namespace {
    *Namespace::ALL.iter().find(|ns| ns.name() == name).unwrap()
}

#[test]
fn namespaces() {
    let v = vectors();
    for (name, expected) in v["namespaces"].as_object().unwrap() {
        assert_eq!(namespace(name).id(), b256(expected), "{name}");
    }
}

#[test]
fn keys_and_materials() {
    let v = vectors();
    for item in v["keys"].as_array().unwrap() {
        let ns = namespace(item["ns"].as_str().unwrap());
        let key = match ns {
            Namespace::Bal => {
                assert_eq!(
                    keys::balance_material(&addr(&item["owner"]), &b256(&item["assetId"])).to_vec(),
                    bytes(&item["material"])
                );
                keys::balance_key(&addr(&item["owner"]), &b256(&item["assetId"]))
            }
            Namespace::Nonce => keys::nonce_key(&addr(&item["trader"]), &b256(&item["marketId"])),
            Namespace::Order => keys::order_key(&b256(&item["marketId"]), &b256(&item["orderId"])),
            Namespace::OrderNode => keys::order_node_key(&b256(&item["marketId"]), &b256(&item["orderId"])),
            Namespace::TickNode => {
                let side = Side::from_u8(int(&item["side"]) as u8).unwrap();
                let tick = int(&item["tickIndex"]) as i32;
                assert_eq!(
                    keys::tick_node_material(&b256(&item["marketId"]), side, tick).to_vec(),
                    bytes(&item["material"])
                );
                keys::tick_node_key(&b256(&item["marketId"]), side, tick)
            }
            Namespace::MarketBest => keys::market_best_key(&b256(&item["marketId"])),
            Namespace::FeeVault => keys::fee_vault_key(&b256(&item["assetId"])),
        };
        assert_eq!(key, ns.key(&bytes(&item["material"])), "{}", item["ns"]);
        assert_eq!(key, b256(&item["key"]), "{}", item["ns"]);
    }
}

fn opt_tick(v: &Value) -> Option<i32> {
    v.as_i64().map(|t| t as i32)
}

#[test]
fn values() {
    let v = vectors();
    for item in v["values"].as_array().unwrap() {
        let expected = bytes(&item["bytes"]);
        let encoded = match item["ns"].as_str().unwrap() {
            "NS_BAL" => Balance { available: u256(&item["available"]), locked: u256(&item["locked"]) }.encode(),
            "NS_NONCE" => NextNonce(int(&item["nextNonce"]) as u64).encode(),
            "NS_ORDER" => Order {
                trader: addr(&item["trader"]),
                side: Side::from_u8(int(&item["side"]) as u8).unwrap(),
                tick: int(&item["tickIndex"]) as i32,
                remaining: u256(&item["remainingQty"]),
                locked: u256(&item["locked"]),
            }
            .encode(),
            "NS_ORDERNODE" => OrderNode { prev: b256(&item["prevOrderId"]), next: b256(&item["nextOrderId"]) }.encode(),
            "NS_TICKNODE" => TickNode {
                prev: opt_tick(&item["prevTick"]),
                next: opt_tick(&item["nextTick"]),
                head: b256(&item["headOrderId"]),
                tail: b256(&item["tailOrderId"]),
                total_qty: u256(&item["totalQty"]),
            }
            .encode(),
            "NS_MARKETBEST" => MarketBest { bid: opt_tick(&item["bestBid"]), ask: opt_tick(&item["bestAsk"]) }.encode(),
            "NS_FEEVAULT" => FeeVault(u256(&item["total"])).encode(),
            other => panic!("unknown namespace {other}"),
        };
        assert_eq!(encoded, expected, "{}", item["ns"]);
    }
}

fn rules_from(v: &Value) -> Rules {
    Rules {
        base_asset: b256(&v["baseAssetId"]),
        quote_asset: b256(&v["quoteAssetId"]),
        price_scale: u256(&v["priceScale"]),
        tick_size: u256(&v["tickSize"]),
        lot_size: u256(&v["lotSize"]),
        taker_fee_bps: int(&v["takerFeeBps"]) as u32,
        maker_fee_bps: int(&v["makerFeeBps"]) as u32,
        max_orders_per_batch: int(&v["maxOrdersPerBatch"]) as u32,
        max_matches_per_order: int(&v["maxMatchesPerOrder"]) as u32,
        max_balance: u256(&v["maxBalance"]),
    }
}

#[test]
fn domain_and_rules() {
    let v = vectors();
    let d = &v["domainSeparator"];
    assert_eq!(
        domain_separator(int(&d["chainId"]) as u64, &b256(&d["venueId"]), &b256(&d["marketId"])),
        b256(&d["value"])
    );
    let rules = rules_from(&v["rules"]);
    assert_eq!(rules.encode(), bytes(&v["rules"]["serialized"]));
    assert_eq!(rules.hash(), b256(&v["rules"]["rulesHash"]));
    assert_eq!(rules.validate(), Ok(()));
}

fn message_from(v: &Value) -> Message {
    let bytes = bytes(&v["bytes"]);
    let message = Message::decode(&bytes).unwrap();
    assert_eq!(message.encode(), bytes);
    assert_eq!(message.trader(), addr(&v["trader"]));
    assert_eq!(message.nonce(), int(&v["nonce"]) as u64);
    message
}

#[test]
fn messages_signatures_and_batch() {
    let v = vectors();
    let domain = b256(&v["domainSeparator"]["value"]);
    let place = message_from(&v["messages"]["place"]);
    let cancel = message_from(&v["messages"]["cancel"]);
    let Message::Place(p) = place else { panic!("not a place") };
    assert_eq!((p.side, p.tif, p.tick, p.qty), (1, 0, 10000, u256(&v["messages"]["place"]["qtyBase"])));
    for (message, item) in [(place, &v["messages"]["place"]), (cancel, &v["messages"]["cancel"])] {
        assert_eq!(alloy_primitives::keccak256(message.encode()), b256(&item["keccakOfBytes"]));
        assert_eq!(message.hash(&domain), b256(&item["msgHash"]));
    }
    let mut signed = Vec::new();
    for (sig, message) in v["signatures"].as_array().unwrap().iter().zip([place, cancel]) {
        let secret = secp256k1::SecretKey::from_secret_bytes(b256(&sig["privateKey"]).0).unwrap();
        assert_eq!(secret_key_address(&secret), addr(&sig["address"]));
        let signature = Signature(bytes(&sig["signature"]).try_into().unwrap());
        let digest = b256(&sig["digest"]);
        assert_eq!(recover_signer(&digest, &signature), Ok(addr(&sig["address"])));
        // RFC 6979 is deterministic: our signer reproduces the vector up to the v convention.
        let ours = sign_digest(&secret, &digest);
        assert_eq!(ours.0[..64], signature.0[..64]);
        assert_eq!(ours.0[64] - 27, signature.0[64] % 27);
        signed.push(SignedMessage { message, signature });
    }
    let batch = &v["batch"];
    let hashes: Vec<B256> = signed.iter().map(|s| s.message.hash(&domain)).collect();
    assert_eq!(batch_digest(&domain, int(&batch["batchSeq"]) as u64, &hashes), b256(&batch["batchDigest"]));
    assert_eq!(da_commitment(&signed), b256(&batch["daCommitment"]));
}

#[test]
fn trades_and_fees() {
    let v = vectors();
    let market = b256(&v["domainSeparator"]["marketId"]);
    let tf = &v["tradesAndFees"];
    let mut leaves = Vec::new();
    for t in tf["trades"].as_array().unwrap() {
        let trade = Trade {
            market_id: market,
            maker_order_id: b256(&t["makerOrderId"]),
            taker_order_id: b256(&t["takerOrderId"]),
            maker: addr(&t["maker"]),
            taker: addr(&t["taker"]),
            taker_side: Side::from_u8(int(&t["sideTaker"]) as u8).unwrap(),
            maker_tick: int(&t["makerTickIndex"]) as i32,
            qty: u256(&t["qtyBase"]),
            quote_amount: u256(&t["quoteAmt"]),
            taker_fee: u256(&t["takerFeeQuote"]),
        };
        assert_eq!(trade.encode(), bytes(&t["record"]));
        assert_eq!(trade.leaf(), b256(&t["leaf"]));
        leaves.push(trade.leaf());
    }
    assert_eq!(merkle_root(&leaves[..1]), b256(&tf["tradesRoot_first1"]));
    assert_eq!(merkle_root(&leaves[..2]), b256(&tf["tradesRoot_first2"]));
    assert_eq!(merkle_root(&leaves), b256(&tf["tradesRoot_all3"]));
    let record = bytes(&tf["feeRecord"]);
    let asset = B256::from_slice(&record[..32]);
    let total = U256::from_be_slice(&record[32..]);
    assert_eq!(fee_record(&asset, &total).to_vec(), record);
    assert_eq!(merkle_root(&[alloy_primitives::keccak256(&record)]), b256(&tf["feesRoot"]));
    assert_eq!(numo_stf::records::fees_root(&Default::default()), b256(&tf["feesRoot_empty"]));
}
