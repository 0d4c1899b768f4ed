//! One WebSocket connection: a dispatcher task reads the client's requests and the block
//! events and queues the frames this client should get; a writer task hands them to the socket.
//! The queue is bounded in bytes: when a client does not read fast enough, the dispatcher stops,
//! the queue is dropped, and the writer sends a close frame (code 4000, reason
//! "slow consumer") — so a stuck client costs the node one bounded queue, never a stalled block.

use super::event::{book_levels, BlockEvent, Level};
use super::protocol::{self, diff_levels, levels_json, Request, StreamError, StreamErrorCode, Topic};
use super::StreamLimits;
use crate::node::Node;
use alloy_primitives::U256;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream::{SplitSink, StreamExt};
use futures_util::SinkExt;
use numo_stf::Side;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, oneshot};

/// Close code of a connection dropped for not reading fast enough (application range).
pub const CLOSE_SLOW_CONSUMER: u16 = 4000;
/// Close code of a connection whose client broke the protocol (a frame over the size limit, a
/// WebSocket error).
pub const CLOSE_POLICY: u16 = 1008;

/// `GET /v1/ws`: upgrades to a WebSocket and runs the session; a request that is not a
/// WebSocket upgrade gets the API's error shape (`upgrade_required`).
pub async fn handler(
    State(node): State<Arc<Node>>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            let error = json!({ "error": { "code": "upgrade_required", "message": rejection.body_text() } });
            return (rejection.status(), Json(error)).into_response();
        }
    };
    let limits = node.streams.limits();
    upgrade
        .max_message_size(limits.max_request_bytes)
        .max_frame_size(limits.max_request_bytes)
        .on_upgrade(move |socket| run(node, socket, limits))
}

/// A book subscription: its depth, the `seq` the client's copy is at, and that copy.
struct BookView {
    depth: usize,
    seq: u64,
    bids: Vec<Level>,
    asks: Vec<Level>,
}

/// What a connection is subscribed to; unregisters its interest from the hub when dropped.
struct Subscriptions {
    node: Arc<Node>,
    topics: BTreeMap<Topic, Option<BookView>>,
}

impl Drop for Subscriptions {
    fn drop(&mut self) {
        for (topic, view) in std::mem::take(&mut self.topics) {
            unwatch(&self.node, topic, view.as_ref());
        }
    }
}

fn unwatch(node: &Node, topic: Topic, view: Option<&BookView>) {
    match (topic, view) {
        (Topic::Book(market), Some(view)) => node.streams.unwatch_book(market, view.depth),
        (Topic::Account(address), _) => node.streams.unwatch_account(address),
        _ => {}
    }
}

/// Frames waiting for the writer, bounded in bytes.
struct Outbox {
    frames: mpsc::UnboundedSender<Message>,
    queued: Arc<AtomicUsize>,
    limit: usize,
    overflowed: bool,
}

impl Outbox {
    /// Queues a text frame; past the byte limit, marks the connection as a slow consumer.
    fn push(&mut self, text: Utf8Bytes) {
        if self.overflowed {
            return;
        }
        let len = text.len();
        if self.queued.fetch_add(len, Ordering::AcqRel) + len > self.limit {
            self.overflowed = true;
            return;
        }
        let _ = self.frames.send(Message::Text(text));
    }

    fn push_json(&mut self, value: &Value) {
        self.push(value.to_string().into());
    }
}

struct Session {
    subs: Subscriptions,
    outbox: Outbox,
    max_subscriptions: usize,
}

/// Why the dispatcher stopped.
enum End {
    /// The socket ended or failed: nothing more to send.
    Gone,
    /// The client sent a close frame: the WebSocket layer answers it.
    ClosedByClient,
    /// Close with this frame.
    Close(u16, &'static str),
}

async fn run(node: Arc<Node>, socket: WebSocket, limits: StreamLimits) {
    node.streams.counters.connections.fetch_add(1, Ordering::Relaxed);
    let mut events = node.streams.receiver();
    let (sink, mut incoming) = socket.split();
    let (frames_tx, frames_rx) = mpsc::unbounded_channel();
    let queued = Arc::new(AtomicUsize::new(0));
    let (close_tx, close_rx) = oneshot::channel();
    let mut writer = tokio::spawn(write_frames(sink, frames_rx, queued.clone(), close_rx, limits));
    let outbox = Outbox { frames: frames_tx, queued, limit: limits.queue_bytes, overflowed: false };
    let subs = Subscriptions { node: node.clone(), topics: BTreeMap::new() };
    let mut session = Session { subs, outbox, max_subscriptions: limits.max_subscriptions };
    let end = loop {
        tokio::select! {
            frame = incoming.next() => match frame {
                None => break End::Gone,
                Some(Ok(Message::Close(_))) => break End::ClosedByClient,
                Some(Err(_)) => break End::Close(CLOSE_POLICY, "protocol error or frame too large"),
                Some(Ok(Message::Text(text))) => session.on_request(&text),
                Some(Ok(Message::Binary(_))) => {
                    let error = StreamError::new(StreamErrorCode::BadRequest, "requests are JSON text frames");
                    session.outbox.push_json(&error.frame(None));
                }
                Some(Ok(_)) => {} // ping/pong: answered by the WebSocket layer
            },
            event = events.recv() => match event {
                Ok(event) => session.on_event(&event),
                Err(broadcast::error::RecvError::Lagged(_)) => session.outbox.overflowed = true,
                Err(broadcast::error::RecvError::Closed) => break End::Gone,
            },
            _ = &mut writer => break End::Gone,
        }
        if session.outbox.overflowed {
            node.streams.counters.slow_consumers.fetch_add(1, Ordering::Relaxed);
            break End::Close(CLOSE_SLOW_CONSUMER, "slow consumer");
        }
    };
    drop(session);
    match end {
        End::Gone => {
            drop(close_tx);
            let _ = writer.await;
        }
        End::ClosedByClient => {
            drop(close_tx);
            let _ = writer.await;
            // The WebSocket layer queued its answering close frame (RFC 6455 section 5.5.1) when
            // it read the client's; reading on until the stream ends sends it, so the client sees
            // a completed handshake rather than a reset.
            let answer = async { while let Some(Ok(_)) = incoming.next().await {} };
            let _ = tokio::time::timeout(limits.close_timeout, answer).await;
        }
        End::Close(code, reason) => {
            let _ = close_tx.send(CloseFrame { code, reason: reason.into() });
            // The closing handshake (RFC 6455 section 7.1.1): the socket stays open until the
            // client answers the close frame or hangs up, and meanwhile what it sends is read and
            // discarded. Dropping the socket earlier, with requests unread in its receive buffer,
            // makes the kernel reset the connection, and a reset destroys the close frame (and
            // the reason) before the client reads it. A client that never answers is let go
            // after the close timeout.
            let answered = async {
                while let Some(Ok(message)) = incoming.next().await {
                    if matches!(message, Message::Close(_)) {
                        break;
                    }
                }
            };
            let handshake = async { tokio::join!(&mut writer, answered) };
            if tokio::time::timeout(limits.close_timeout, handshake).await.is_err() {
                writer.abort();
            }
        }
    }
    node.streams.counters.closed.fetch_add(1, Ordering::Relaxed);
}

/// Hands queued frames to the socket until the dispatcher stops; on a close request, drops the
/// queue and sends the close frame (bounded by the close timeout; a send in progress is
/// abandoned, which is safe: its bytes are already in the socket's buffer ahead of the close).
async fn write_frames(
    mut sink: SplitSink<WebSocket, Message>,
    mut frames: mpsc::UnboundedReceiver<Message>,
    queued: Arc<AtomicUsize>,
    mut close: oneshot::Receiver<CloseFrame>,
    limits: StreamLimits,
) {
    let close_frame = loop {
        tokio::select! {
            biased;
            frame = &mut close => break frame.ok(),
            next = frames.recv() => {
                let Some(message) = next else { break None };
                let len = match &message { Message::Text(t) => t.len(), _ => 0 };
                tokio::select! {
                    sent = sink.send(message) => if sent.is_err() { return },
                    frame = &mut close => break frame.ok(),
                }
                queued.fetch_sub(len, Ordering::AcqRel);
            }
        }
    };
    drop(frames);
    if let Some(frame) = close_frame {
        let _ = tokio::time::timeout(limits.close_timeout, sink.send(Message::Close(Some(frame)))).await;
    }
}

impl Session {
    fn node(&self) -> &Arc<Node> {
        &self.subs.node
    }

    fn on_request(&mut self, text: &str) {
        let (id, request) = protocol::parse(&self.node().markets, text);
        let answer = request.and_then(|request| match request {
            Request::Subscribe { topic, depth } => self.subscribe(topic, depth, id.as_ref()),
            Request::Unsubscribe(topic) => self.unsubscribe(topic, id.as_ref()),
        });
        if let Err(error) = answer {
            self.outbox.push_json(&error.frame(id.as_ref()));
        }
    }

    fn ack(&mut self, kind: &str, topic: Topic, depth: Option<usize>, id: Option<&Value>) {
        let mut ack = topic.describe();
        ack["type"] = json!(kind);
        if let Some(depth) = depth {
            ack["depth"] = json!(depth);
        }
        if let Some(id) = id {
            ack["id"] = id.clone();
        }
        self.outbox.push_json(&ack);
    }

    fn subscribe(&mut self, topic: Topic, depth: usize, id: Option<&Value>) -> Result<(), StreamError> {
        let existing = self.subs.topics.contains_key(&topic);
        if !existing && self.subs.topics.len() >= self.max_subscriptions {
            return Err(StreamError::new(
                StreamErrorCode::TooManySubscriptions,
                format!("at most {} subscriptions per connection", self.max_subscriptions),
            ));
        }
        let node = self.node().clone();
        match topic {
            Topic::Book(market) => {
                // Register the new depth before the snapshot so every later event is deep enough.
                node.streams.watch_book(market, depth);
                if let Some(Some(old)) = self.subs.topics.remove(&topic) {
                    node.streams.unwatch_book(market, old.depth);
                }
                let (seq, bids, asks) = {
                    let chain = node.chain.read().expect("chain lock");
                    let seq = node.streams.book_seq(&market);
                    (
                        seq,
                        book_levels(&chain, &market, Side::Buy, depth),
                        book_levels(&chain, &market, Side::Sell, depth),
                    )
                };
                self.ack("subscribed", topic, Some(depth), id);
                let tick_size = node.markets[&market].context.rules.tick_size;
                let snapshot = json!({
                    "type": "book_snapshot", "market": market, "seq": seq, "depth": depth,
                    "bids": levels_json(bids.iter().copied(), tick_size), "asks": levels_json(asks.iter().copied(), tick_size),
                });
                self.outbox.push_json(&snapshot);
                self.subs.topics.insert(topic, Some(BookView { depth, seq, bids, asks }));
            }
            Topic::Account(address) => {
                if !existing {
                    node.streams.watch_account(address);
                    self.subs.topics.insert(topic, None);
                }
                self.ack("subscribed", topic, None, id);
            }
            Topic::Blocks | Topic::Trades(_) => {
                self.subs.topics.insert(topic, None);
                self.ack("subscribed", topic, None, id);
            }
        }
        Ok(())
    }

    fn unsubscribe(&mut self, topic: Topic, id: Option<&Value>) -> Result<(), StreamError> {
        let view = self.subs.topics.remove(&topic).ok_or_else(|| {
            StreamError::new(StreamErrorCode::NotSubscribed, format!("no {} subscription to remove", topic.channel()))
        })?;
        unwatch(self.node(), topic, view.as_ref());
        self.ack("unsubscribed", topic, None, id);
        Ok(())
    }

    fn on_event(&mut self, event: &BlockEvent) {
        let node = self.node().clone();
        let mut frames: Vec<Utf8Bytes> = Vec::new();
        for (topic, view) in self.subs.topics.iter_mut() {
            match (topic, view) {
                (Topic::Blocks, _) => frames.push(event.block_frame()),
                (Topic::Trades(market), _) => frames.extend(event.trades_frame(market)),
                (Topic::Account(address), _) => {
                    if let Some(frame) = event.accounts.get(address) {
                        frames.push(frame.to_string().into());
                    }
                }
                (Topic::Book(market), Some(view)) => {
                    let Some(update) = event.books.get(market).filter(|u| u.seq > view.seq) else { continue };
                    let bids: Vec<Level> = update.bids.iter().take(view.depth).copied().collect();
                    let asks: Vec<Level> = update.asks.iter().take(view.depth).copied().collect();
                    let tick_size: U256 = node.markets[market].context.rules.tick_size;
                    let delta = json!({
                        "type": "book_delta", "market": market, "seq": update.seq, "prevSeq": update.prev_seq,
                        "bids": levels_json(diff_levels(&view.bids, &bids, |a, b| a > b), tick_size),
                        "asks": levels_json(diff_levels(&view.asks, &asks, |a, b| a < b), tick_size),
                    });
                    frames.push(delta.to_string().into());
                    *view = BookView { depth: view.depth, seq: update.seq, bids, asks };
                }
                (Topic::Book(_), None) => {}
            }
        }
        for frame in frames {
            self.outbox.push(frame);
        }
    }
}
