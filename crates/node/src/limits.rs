//! Every bound of the node in one place, with the relations between them asserted at compile
//! time (as `numo_stf::limits` does for the transition). A bound that an operator may change
//! is a default here and a `numo node` flag.

use std::time::Duration;

// --- Blocks -------------------------------------------------------------------------------

/// Exchange block interval: 100 ms unless configured (`--block-interval-ms`).
pub const DEFAULT_BLOCK_INTERVAL_MS: u64 = 100;
/// On a consensus venue, the longest a proposer waits for messages before it proposes an empty
/// block (K8): heights, and the chain's clock, advance at least this often.
pub const HEARTBEAT_MS: u64 = 1_000;
/// On a consensus venue, how long validators wait for a round's proposal before prevoting nil.
/// Above [`HEARTBEAT_MS`], so an idle proposer's empty block arrives in time; a proposer that
/// is down costs this much once per turn.
pub const PROPOSE_TIMEOUT_MS: u64 = 1_500;
/// Most messages one block executes; the rest wait for the next block (bounds block time after
/// a restart with a long admission backlog).
pub const MAX_MESSAGES_PER_BLOCK: usize = 4_096;
/// Funding messages per block: one funding batch (F8).
pub const MAX_FUNDING_PER_BLOCK: usize = numo_funding::limits::MAX_FUNDING_PER_BATCH;
/// Signed withdrawals and transfers waiting for a block, at most (bounded memory; a full queue answers `busy`).
pub const FUNDING_QUEUE_MAX: usize = 4 * MAX_FUNDING_PER_BLOCK;
/// A tree snapshot is written with a block once this many keys (or a quarter of the state, if
/// more) were written since the last one: restarts then re-apply at most that many keys instead
/// of rehashing every leaf, at the cost of ~200 bytes per key written now and then.
pub const SNAPSHOT_DIRTY_KEYS_MIN: usize = 10_000;
/// Sampling period of `--verify sample`: one batch in this many is re-executed by the guest.
pub const VERIFY_SAMPLE_EVERY: u64 = 16;

// --- Admission ----------------------------------------------------------------------------

/// Most entries made durable by one admission-log commit; bounds the latency of a group.
pub const LOG_GROUP_MAX: usize = 8_192;

// --- HTTP ---------------------------------------------------------------------------------

/// Largest accepted HTTP request body: a message is ~400 bytes of JSON.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Most messages in one `POST /v1/messages/batch`: a market maker's requote of both sides
/// fits, and one request still holds a worker for only a few milliseconds of signature checks.
pub const SUBMIT_BATCH_MAX: usize = 256;
/// Largest friendly submission counted on in a batch request.
pub const SUBMISSION_JSON_MAX: usize = 1024;
/// Largest `POST /v1/messages/batch` body: room for [`SUBMIT_BATCH_MAX`] friendly messages of
/// up to [`SUBMISSION_JSON_MAX`] bytes each.
pub const MAX_BATCH_BODY_BYTES: usize = SUBMIT_BATCH_MAX * SUBMISSION_JSON_MAX;
/// How long `POST /v1/messages` waits for its block before answering 202 (still durable).
pub const WAIT_FOR_BLOCK_MAX: Duration = Duration::from_secs(30);
/// Largest `depth` of a book view and `limit` of a trades view.
pub const VIEW_ROWS_MAX: usize = 1_000;
/// Recent trades kept per market for `GET /v1/markets/{market}/trades`.
pub const RECENT_TRADES_MAX: usize = 1_000;
/// Newest trading batches, and newest EVM batches, a restarting node reads back to refill its
/// markets' recent trades: bounded start-up work; a market with no trade in that window starts
/// with an empty tape (its candles and the account histories are durable regardless).
pub const RECENT_TRADES_RESTORE_BATCHES: usize = 4_096;
/// Rows `GET /v1/accounts/{address}/trades` and `/orders` answer without a `limit`.
pub const ACCOUNT_HISTORY_DEFAULT: usize = 100;
/// Most rows one account-history request answers (~500 bytes of JSON each, one range scan).
pub const ACCOUNT_HISTORY_MAX: usize = 1_000;
/// Candles `GET /v1/markets/{market}/candles` answers without a `limit`: a chart's first screen.
pub const CANDLES_DEFAULT: usize = 500;
/// Most candles one request answers: a day and a bit of one-minute candles, ~150 KiB of JSON
/// (~100 bytes each) read from one redb range.
pub const CANDLES_MAX: usize = 1_500;

// --- WebSocket streams ----------------------------------------------------------------------

/// Blocks the broadcast channel keeps for connections that have not read them yet; a
/// connection further behind than this is a slow consumer.
pub const EVENT_BACKLOG_BLOCKS: usize = 1_024;
/// Default bytes of frames queued for one client before it is a slow consumer: a deep book
/// snapshot plus a few seconds of busy blocks (`--ws-queue-bytes`).
pub const DEFAULT_QUEUE_BYTES: usize = 8 * 1024 * 1024;
/// Smallest queue an operator may configure.
pub const MIN_QUEUE_BYTES: usize = 4 * 1024;
/// Default subscriptions per connection (`--ws-max-subscriptions`).
pub const DEFAULT_MAX_SUBSCRIPTIONS: usize = 64;
/// Default largest request frame: the longest valid request is a few hundred bytes.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 4 * 1024;
/// Default time a closing handshake may take, in milliseconds (`--ws-close-timeout-ms`).
pub const DEFAULT_CLOSE_TIMEOUT_MS: u64 = 5_000;
/// Deepest `book` subscription (as `GET /v1/markets/{market}/book`).
pub const BOOK_DEPTH_MAX: usize = VIEW_ROWS_MAX;
/// Depth of a `book` subscription that gives none.
pub const BOOK_DEPTH_DEFAULT: usize = 20;

// --- EVM (issue 12, docs/PROTOCOL.md §13) ---------------------------------------------------

/// Default address of the Ethereum JSON-RPC (`numo node --evm-rpc`): 9545, so anvil's 8545 (the
/// dev L1) stays free beside a dev node.
pub const DEFAULT_EVM_RPC_ADDR: &str = "127.0.0.1:9545";
/// How far a transaction's nonce may run ahead of its sender's account nonce and still be kept
/// (queued until the gap fills); beyond it, "nonce too high". Bounds what one sender can park.
pub const EVM_NONCE_GAP_MAX: u64 = 64;
/// EVM transactions the pool holds at most (pending and queued): bounded memory; past it,
/// "txpool is full".
pub const EVM_POOL_MAX: usize = 16_384;
/// Most EVM transactions one proposal carries; the block gas limit (E5) usually binds first
/// (200,000,000 / 21,000 ≈ 9,523 transfers).
pub const EVM_MAX_TXS_PER_BLOCK: usize = 10_000;
/// Geth's replacement rule: a transaction replaces a pending one of the same sender and nonce
/// only if both its fee cap and its tip are at least this many percent higher.
pub const EVM_REPLACE_BUMP_PERCENT: u128 = 10;
/// Largest JSON-RPC request body: a maximal transaction (E3, 128 KiB) in hex is 256 KiB, plus
/// room for a batch of small calls.
pub const EVM_RPC_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Most calls in one JSON-RPC batch request.
pub const EVM_RPC_MAX_BATCH: usize = 256;
/// Widest block range one `eth_getLogs` scans.
pub const EVM_LOGS_MAX_RANGE: u64 = 10_000;
/// Most logs one `eth_getLogs` answers; a wider query is refused with the range to narrow.
pub const EVM_LOGS_MAX_RESULTS: usize = 10_000;
/// Most blocks one `eth_feeHistory` covers (geth's cap is 1,024).
pub const EVM_FEE_HISTORY_MAX_BLOCKS: u64 = 1_024;
/// The tip `eth_maxPriorityFeePerGas` suggests (and `eth_gasPrice` adds to the next base fee):
/// 1 gwei, as geth suggests on an idle chain. Priority fees go to the zero address in V1 (E5),
/// so any tip is accepted; this one makes tools' default fees pass admission comfortably.
pub const EVM_SUGGESTED_TIP_WEI: u128 = 1_000_000_000;
/// Gas an `eth_call` / `eth_estimateGas` runs with when the request gives none (the block gas
/// limit's order of magnitude, like geth's RPC gas cap).
pub const EVM_CALL_GAS_CAP: u64 = 50_000_000;

// --- Relations ------------------------------------------------------------------------------

// One log group can hold a whole block's worth of admissions.
const _: () = assert!(LOG_GROUP_MAX >= MAX_MESSAGES_PER_BLOCK);
// A single submission fits the single-message body limit, and a batch body holds more than one.
const _: () = assert!(SUBMISSION_JSON_MAX <= MAX_BODY_BYTES);
const _: () = assert!(MAX_BATCH_BODY_BYTES > MAX_BODY_BYTES);
// A trades view can be served from the recent trades the node keeps.
const _: () = assert!(VIEW_ROWS_MAX <= RECENT_TRADES_MAX);
// The default candle count is a valid count, and a day of one-minute candles (a ticker's
// window) fits one request.
const _: () = assert!(CANDLES_DEFAULT <= CANDLES_MAX);
const _: () = assert!(CANDLES_MAX >= 24 * 60);
const _: () = assert!(ACCOUNT_HISTORY_DEFAULT <= ACCOUNT_HISTORY_MAX);
// The default book depth is a valid depth, the default queue a valid queue, and the queue holds
// at least one largest request.
const _: () = assert!(BOOK_DEPTH_DEFAULT <= BOOK_DEPTH_MAX);
const _: () = assert!(DEFAULT_QUEUE_BYTES >= MIN_QUEUE_BYTES);
const _: () = assert!(MIN_QUEUE_BYTES >= DEFAULT_MAX_REQUEST_BYTES);
// An idle proposer's heartbeat block reaches the others before they give up on the round.
const _: () = assert!(HEARTBEAT_MS + 250 <= PROPOSE_TIMEOUT_MS);
// A request body holds a maximal transaction (E3) in hex several times over.
const _: () = assert!(EVM_RPC_MAX_BODY_BYTES >= 4 * 256 * 1024);
// A heartbeat block comes after at least one block interval.
const _: () = assert!(HEARTBEAT_MS >= DEFAULT_BLOCK_INTERVAL_MS);
// A submitter waits at least a few blocks before being told "admitted, still pending".
const _: () = assert!(WAIT_FOR_BLOCK_MAX.as_millis() >= 10 * DEFAULT_BLOCK_INTERVAL_MS as u128);
