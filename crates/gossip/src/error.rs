//! Why the transport refuses: one enum with a stable code per variant, so the node's API and
//! metrics name gossip failures without inventing strings.

use std::net::SocketAddr;

use thiserror::Error;

/// A failure of [`crate::Gossip::start`] or [`crate::Gossip::publish`].
#[derive(Debug, Error)]
pub enum GossipError {
    /// The outbound queue holds [`crate::limits::OUTBOUND_QUEUE_MAX`] messages: the swarm task
    /// is behind. `publish` never blocks; the caller retries or sheds load.
    #[error("the gossip outbound queue is full; retry shortly")]
    Backpressure,
    /// The encoded message would exceed [`crate::GossipLimits::max_message_bytes`].
    #[error("a gossip message of {len} bytes is over the {max}-byte limit")]
    Oversize {
        /// Encoded length the payload would have, header included.
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// An empty payload carries no signed message; the decoder refuses it too.
    #[error("a gossip payload must not be empty")]
    EmptyPayload,
    /// The Lamport clock reached `u64::MAX` and cannot stamp another message.
    #[error("the Lamport clock is exhausted")]
    ClockExhausted,
    /// A [`crate::GossipLimits`] field the transport cannot run with.
    #[error("invalid gossip limits: {0}")]
    InvalidLimits(&'static str),
    /// The 32-byte key is not an ed25519 secret seed libp2p accepts.
    #[error("invalid gossip identity key: {0}")]
    InvalidKey(#[source] libp2p::identity::DecodingError),
    /// The Noise handshake could not be set up with the identity key.
    #[error("cannot set up the Noise transport: {0}")]
    Noise(#[from] libp2p::noise::Error),
    /// gossipsub refused its configuration or scoring parameters.
    #[error("invalid gossipsub configuration: {0}")]
    Gossipsub(String),
    /// The listen address could not be bound (in use, not local).
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The configured address.
        addr: SocketAddr,
        /// What the TCP transport said.
        #[source]
        source: libp2p::TransportError<std::io::Error>,
    },
    /// The swarm task has stopped (shut down, or every handle dropped).
    #[error("the gossip task has stopped")]
    Stopped,
}

impl GossipError {
    /// The stable, machine-readable code of this error.
    pub const fn code(&self) -> &'static str {
        match self {
            GossipError::Backpressure => "gossip_backpressure",
            GossipError::Oversize { .. } => "gossip_oversize",
            GossipError::EmptyPayload => "gossip_empty_payload",
            GossipError::ClockExhausted => "gossip_clock_exhausted",
            GossipError::InvalidLimits(_) => "gossip_invalid_limits",
            GossipError::InvalidKey(_) => "gossip_invalid_key",
            GossipError::Noise(_) => "gossip_noise",
            GossipError::Gossipsub(_) => "gossip_config",
            GossipError::Listen { .. } => "gossip_listen",
            GossipError::Stopped => "gossip_stopped",
        }
    }
}
