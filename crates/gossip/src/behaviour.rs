//! The gossipsub behaviour of the mempool swarm: its configuration, its peer scoring, and the
//! message-id function that makes de-duplication content-addressed.

use std::sync::Arc;

use libp2p::gossipsub::{
    self, ConfigBuilder, IdentTopic, MessageAuthenticity, MessageId, PeerScoreParams, PeerScoreThresholds,
    TopicScoreParams, ValidationMode,
};
use libp2p::identity::Keypair;
use libp2p::PeerId;

use crate::error::GossipError;
use crate::lamport::LamportClock;
use crate::limits::{
    GossipLimits, GOSSIP_LAZY, HEARTBEAT, LAMPORT_LEAD_MAX, MESH_N, MESH_N_HIGH, MESH_N_LOW, MESH_OUTBOUND_MIN,
    RPC_OVERHEAD_BYTES, TOPIC,
};
use crate::message::{origin_of, payload_id, DecodeError, MessageView};

/// Why a message is malformed before any state is consulted (beyond the clock's value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormError {
    /// The bytes are not a [`crate::MempoolMessage`].
    Decode(DecodeError),
    /// `origin` is not keccak256 of the signed gossipsub author (or there is no author).
    ForgedOrigin,
    /// The Lamport timestamp leads the local clock by more than [`LAMPORT_LEAD_MAX`].
    ClockLead,
}

/// The checks of form every received message passes before it is delivered: it decodes, its
/// `origin` names its signed author, and its timestamp does not lead `local_clock` too far.
pub(crate) fn check_form<'a>(
    data: &'a [u8],
    author: Option<&PeerId>,
    local_clock: u64,
) -> Result<MessageView<'a>, FormError> {
    let view = MessageView::decode(data).map_err(FormError::Decode)?;
    let Some(author) = author else { return Err(FormError::ForgedOrigin) };
    if origin_of(&author.to_bytes()) != view.origin {
        return Err(FormError::ForgedOrigin);
    }
    if view.lamport.saturating_sub(local_clock) > LAMPORT_LEAD_MAX {
        return Err(FormError::ClockLead);
    }
    Ok(view)
}

/// Prefix of the id given to a message that fails [`check_form`]: such ids are 33 bytes, a
/// payload id 32, so they can never collide.
const MALFORMED_ID_TAG: u8 = 0xff;

/// The gossipsub message id: [`payload_id`] (keccak256 of the payload) for a well-formed
/// message, so one signed message published by two nodes is one message on the network.
///
/// A message that fails the form checks gets an id of its own (`0xff ‖ keccak256(data)`)
/// instead. gossipsub remembers every id it saw, valid or not, for its duplicate window; if a
/// forged or garbled wrapper of a payload took the payload's id, a peer that sent it first
/// would make every honest copy a "duplicate" and censor the payload.
pub(crate) fn message_id(message: &gossipsub::Message, clock: &LamportClock) -> MessageId {
    match check_form(&message.data, message.source.as_ref(), clock.now()) {
        Ok(view) => MessageId::new(&payload_id(view.payload)),
        Err(_) => {
            let mut id = Vec::with_capacity(33);
            id.push(MALFORMED_ID_TAG);
            id.extend_from_slice(&payload_id(&message.data));
            MessageId::new(&id)
        }
    }
}

/// The gossipsub configuration of the mempool: small-network mesh degrees, a 100 ms heartbeat,
/// signed messages (the author makes `origin` checkable), application validation (nothing is
/// forwarded before the swarm task accepts it), flood publishing (a publisher sends to every
/// subscribed peer at once, so first delivery takes one hop) and a transmit limit just above
/// the message limit.
fn config(limits: &GossipLimits, clock: Arc<LamportClock>) -> Result<gossipsub::Config, GossipError> {
    ConfigBuilder::default()
        .heartbeat_interval(HEARTBEAT)
        .heartbeat_initial_delay(HEARTBEAT)
        .mesh_n(MESH_N)
        .mesh_n_low(MESH_N_LOW)
        .mesh_n_high(MESH_N_HIGH)
        .mesh_outbound_min(MESH_OUTBOUND_MIN)
        .gossip_lazy(GOSSIP_LAZY)
        .flood_publish(true)
        .validation_mode(ValidationMode::Strict)
        .validate_messages()
        .max_transmit_size(limits.max_message_bytes + RPC_OVERHEAD_BYTES)
        .message_id_fn(move |message| message_id(message, &clock))
        .build()
        .map_err(|err| GossipError::Gossipsub(err.to_string()))
}

/// Peer scoring that counts only what this transport judges: each message the swarm task
/// rejects (over the rate limit, oversize, malformed) is an invalid delivery (gossipsub's P4,
/// squared, halving every second). Nine quick rejections take a peer below the graylist
/// threshold (-80), so its traffic is ignored until the count decays (a second or two); honest
/// peers stay at 0. Mesh-delivery scoring (P3) is off: in a quiet mempool it would punish
/// honest peers for silence. IP colocation (P6) is off: every peer may sit on one host.
fn scoring(topic: &IdentTopic) -> (PeerScoreParams, PeerScoreThresholds) {
    let topic_params = TopicScoreParams {
        topic_weight: 1.0,
        time_in_mesh_weight: 0.0,
        first_message_deliveries_weight: 0.0,
        mesh_message_deliveries_weight: 0.0,
        mesh_failure_penalty_weight: 0.0,
        invalid_message_deliveries_weight: -1.0,
        invalid_message_deliveries_decay: 0.5,
        ..TopicScoreParams::default()
    };
    let mut params = PeerScoreParams { ip_colocation_factor_weight: 0.0, ..PeerScoreParams::default() };
    params.topics.insert(topic.hash(), topic_params);
    (params, PeerScoreThresholds::default())
}

/// The mempool topic.
pub(crate) fn topic() -> IdentTopic {
    IdentTopic::new(TOPIC)
}

/// The behaviour, subscribed to the mempool topic.
pub(crate) fn build(
    keypair: &Keypair,
    limits: &GossipLimits,
    clock: Arc<LamportClock>,
) -> Result<gossipsub::Behaviour, GossipError> {
    let config = config(limits, clock)?;
    let mut behaviour = gossipsub::Behaviour::new(MessageAuthenticity::Signed(keypair.clone()), config)
        .map_err(|err| GossipError::Gossipsub(err.to_string()))?;
    let topic = topic();
    let (params, thresholds) = scoring(&topic);
    behaviour.with_peer_score(params, thresholds).map_err(GossipError::Gossipsub)?;
    behaviour.subscribe(&topic).map_err(|err| GossipError::Gossipsub(err.to_string()))?;
    Ok(behaviour)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::MempoolMessage;

    fn author() -> (PeerId, [u8; 32]) {
        let keypair = Keypair::ed25519_from_bytes([7u8; 32]).unwrap();
        let peer = keypair.public().to_peer_id();
        (peer, origin_of(&peer.to_bytes()))
    }

    fn gossip_message(data: Vec<u8>, source: Option<PeerId>) -> gossipsub::Message {
        gossipsub::Message { source, data, sequence_number: Some(1), topic: topic().hash() }
    }

    #[test]
    fn the_id_is_the_payload_hash_whatever_the_stamp_and_author() {
        let clock = LamportClock::new(0);
        let (peer, origin) = author();
        let (other, other_origin) = {
            let keypair = Keypair::ed25519_from_bytes([8u8; 32]).unwrap();
            let peer = keypair.public().to_peer_id();
            (peer, origin_of(&peer.to_bytes()))
        };
        let a = MempoolMessage { lamport: 1, origin, payload: b"order".to_vec() };
        let b = MempoolMessage { lamport: 9, origin: other_origin, payload: b"order".to_vec() };
        let id_a = message_id(&gossip_message(a.encode(), Some(peer)), &clock);
        let id_b = message_id(&gossip_message(b.encode(), Some(other)), &clock);
        assert_eq!(id_a, id_b);
        assert_eq!(id_a.0, payload_id(b"order").to_vec());
    }

    #[test]
    fn a_malformed_wrapper_never_takes_the_payload_id() {
        let clock = LamportClock::new(0);
        let (peer, origin) = author();
        let good = MempoolMessage { lamport: 1, origin, payload: b"order".to_vec() };
        let good_id = message_id(&gossip_message(good.encode(), Some(peer)), &clock);
        let forged = MempoolMessage { origin: [0; 32], ..good.clone() };
        let far_ahead = MempoolMessage { lamport: LAMPORT_LEAD_MAX + 1, ..good.clone() };
        let cases = [
            gossip_message(forged.encode(), Some(peer)),
            gossip_message(good.encode(), None),
            gossip_message(far_ahead.encode(), Some(peer)),
            gossip_message(b"order".to_vec(), Some(peer)),
        ];
        for message in cases {
            let id = message_id(&message, &clock);
            assert_ne!(id, good_id);
            assert_eq!(id.0.len(), 33);
            assert_eq!(id.0[0], MALFORMED_ID_TAG);
        }
    }

    #[test]
    fn form_checks_name_what_is_wrong() {
        let (peer, origin) = author();
        let good = MempoolMessage { lamport: 5, origin, payload: vec![1] };
        assert!(check_form(&good.encode(), Some(&peer), 0).is_ok());
        let forged = MempoolMessage { origin: [1; 32], ..good.clone() }.encode();
        assert_eq!(check_form(&forged, Some(&peer), 0), Err(FormError::ForgedOrigin));
        assert_eq!(check_form(&good.encode(), None, 0), Err(FormError::ForgedOrigin));
        let ahead = MempoolMessage { lamport: 100 + LAMPORT_LEAD_MAX + 1, ..good.clone() }.encode();
        assert_eq!(check_form(&ahead, Some(&peer), 100), Err(FormError::ClockLead));
        assert!(check_form(&ahead, Some(&peer), 101).is_ok(), "the lead is relative to the local clock");
        assert_eq!(check_form(&[2], Some(&peer), 0), Err(FormError::Decode(DecodeError::TooShort { len: 1 })));
    }

    #[test]
    fn the_configuration_and_scoring_are_accepted_by_gossipsub() {
        let keypair = Keypair::ed25519_from_bytes([7u8; 32]).unwrap();
        let behaviour = build(&keypair, &GossipLimits::default(), Arc::new(LamportClock::default()));
        assert!(behaviour.is_ok(), "{:?}", behaviour.err());
        let (params, thresholds) = scoring(&topic());
        assert!(params.validate().is_ok() && thresholds.validate().is_ok());
    }
}
