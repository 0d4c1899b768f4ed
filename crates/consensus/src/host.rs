//! The app loop: answers every message Malachite 0.8.2 sends the application, turning them into
//! calls on the node's [`Application`] and keeping the proposals of undecided heights.
//!
//! One task owns all state. The only slow call off the loop is `propose` (on a blocking thread,
//! its result comes back through `built`), so the loop keeps serving proposal parts, sync
//! requests and votes-related requests while a block is being built.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use alloy_primitives::B256;
use bytes::Bytes;
use malachitebft_app_channel::app::engine::host::{HeightParams, Next, SyncedValueOutcome};
use malachitebft_app_channel::app::streaming::StreamMessage;
use malachitebft_app_channel::app::types::core::{
    CommitCertificate, ExtendedCommitCertificate, ExtendedCommitSignature, Round, Validity,
};
use malachitebft_app_channel::app::types::sync::RawDecidedValue;
use malachitebft_app_channel::app::types::{LocallyProposedValue, PeerId, ProposedValue};
use malachitebft_app_channel::{AppMsg, Channels, NetworkMsg, Reply};
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

use crate::app::Application;
use crate::certificate::{Certificate, CommitSignature};
use crate::context::{Height, NodeAddress, NumoContext, Signature, Value};
use crate::engine::SharedStatus;
use crate::keys::{recover_address, ValidatorKey};
use crate::signing::proposal_digest_of;
use crate::store::{Entry, ValueStore};
use crate::stream::{stream_id, PartStreams, SignedValue};
use crate::validators::ValidatorSet;

/// Proposals for heights above the current one, kept until their height starts.
const PENDING_MAX: usize = 16;
/// Heights served in one sync answer, whatever range a peer asks for.
const DECIDED_PER_REQUEST_MAX: u64 = 16;
/// Synced values kept for commit (only the current height's is ever needed).
const SYNCED_MAX: usize = 8;

/// A value `propose` built, on its way back to the loop.
pub(crate) struct Built {
    height: u64,
    round: Round,
    bytes: Vec<u8>,
    reply: Reply<LocallyProposedValue<NumoContext>>,
}

pub(crate) struct Host {
    pub(crate) app: Arc<dyn Application>,
    pub(crate) chain_id: u64,
    pub(crate) key: Option<ValidatorKey>,
    pub(crate) validators: ValidatorSet,
    pub(crate) params: HeightParams<NumoContext>,
    pub(crate) store_dir: std::path::PathBuf,
    pub(crate) max_value_bytes: usize,
    pub(crate) status: Arc<SharedStatus>,
    pub(crate) store: Option<ValueStore>,
    pub(crate) streams: PartStreams,
    pub(crate) pending: Vec<SignedValue>,
    pub(crate) synced: BTreeMap<(u64, B256), Bytes>,
    pub(crate) height: u64,
    pub(crate) stream_counter: u64,
    /// Height → certificate size committed at `Decided`, for `Finalized`.
    pub(crate) committed: BTreeMap<u64, usize>,
}

/// Why the loop stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HostError {
    #[error("undecided proposal store: {0}")]
    Store(#[from] std::io::Error),
    #[error("the network channel is closed")]
    NetworkClosed,
}

impl Host {
    pub(crate) async fn run(mut self, mut channels: Channels<NumoContext>) -> Result<(), HostError> {
        let (built_tx, mut built_rx) = mpsc::channel::<Built>(4);
        loop {
            tokio::select! {
                msg = channels.consensus.recv() => match msg {
                    Some(msg) => self.handle(msg, &channels, &built_tx).await?,
                    None => return Ok(()),
                },
                Some(built) = built_rx.recv() => self.on_built(built, &channels).await?,
            }
        }
    }

    async fn handle(
        &mut self,
        msg: AppMsg<NumoContext>,
        channels: &Channels<NumoContext>,
        built_tx: &mpsc::Sender<Built>,
    ) -> Result<(), HostError> {
        match msg {
            AppMsg::ConsensusReady { reply } => self.on_ready(reply)?,
            AppMsg::StartedRound { height, round, proposer, role: _, reply_value } => {
                self.on_started_round(height.0, round, proposer, reply_value)?
            }
            AppMsg::GetValue { height, round, timeout, reply } => {
                if let Some(entry) = self.store()?.own(height.0, round).cloned() {
                    // Restarted in a round we already proposed in: the same value, never another.
                    let _ = reply.send(locally_proposed(&entry.value));
                    self.publish(&entry.value, channels).await?;
                } else {
                    self.spawn_propose(height.0, round, timeout, reply, built_tx.clone());
                }
            }
            AppMsg::ReceivedProposalPart { from, published_by, part, reply } => {
                let value = self.on_part(published_by.unwrap_or(from), part)?;
                let _ = reply.send(value);
            }
            AppMsg::ExtendVote { reply, .. } => {
                let _ = reply.send(None);
            }
            AppMsg::VerifyVoteExtensions { extensions, reply, .. } => {
                let verdicts = extensions.into_iter().map(|(address, _)| (address, Ok(()))).collect();
                let _ = reply.send(verdicts);
            }
            AppMsg::RestreamProposal { height, value_id, .. } => {
                if let Some(entry) = self.store()?.by_id(height.0, value_id).cloned() {
                    self.publish(&entry.value, channels).await?;
                }
            }
            AppMsg::GetHistoryMinHeight { reply } => {
                let _ = reply.send(Height(self.app.history_min_height()));
            }
            AppMsg::Decided { certificate, reply, .. } => {
                self.on_decided(&certificate);
                let _ = reply.send(());
            }
            AppMsg::Finalized { certificate, reply, .. } => {
                let next = self.on_finalized(&certificate)?;
                let _ = reply.send(next);
            }
            AppMsg::GetDecidedValues { range, reply } => {
                let _ = reply.send(self.decided_values(range.start().0, range.end().0));
            }
            AppMsg::ProcessSyncedValue { height, round, proposer, value_bytes, reply } => {
                let outcome = self.on_synced_value(height.0, round, proposer, value_bytes);
                let _ = reply.send(outcome);
            }
        }
        Ok(())
    }

    fn store(&mut self) -> Result<&mut ValueStore, HostError> {
        if self.store.is_none() {
            self.store = Some(ValueStore::open(&self.store_dir, self.height)?);
        }
        Ok(self.store.as_mut().expect("opened above"))
    }

    fn on_ready(&mut self, reply: Reply<(Height, HeightParams<NumoContext>)>) -> Result<(), HostError> {
        self.height = self.app.start_height().max(1);
        self.store = Some(ValueStore::open(&self.store_dir, self.height)?);
        info!(height = self.height, "consensus ready");
        let _ = reply.send((Height(self.height), self.params.clone()));
        Ok(())
    }

    fn on_started_round(
        &mut self,
        height: u64,
        round: Round,
        proposer: NodeAddress,
        reply: Reply<Vec<ProposedValue<NumoContext>>>,
    ) -> Result<(), HostError> {
        let round_number = round.as_u32().unwrap_or(0);
        self.status.height.store(height, Ordering::Relaxed);
        self.status.round.store(round_number, Ordering::Relaxed);
        self.app.on_round(height, round_number, proposer.0);
        if height != self.height {
            self.height = height;
            self.store()?.prune_below(height)?;
            self.committed = self.committed.split_off(&height.saturating_sub(1));
        }
        // Proposals that arrived before their height started are judged now.
        let (ready, later): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.pending).into_iter().partition(|v| v.height <= height);
        self.pending = later;
        for value in ready.into_iter().filter(|v| v.height == height) {
            self.judge(value)?;
        }
        let values = self.store()?.in_round(height, round).map(proposed_value).collect();
        let _ = reply.send(values);
        Ok(())
    }

    fn spawn_propose(
        &mut self,
        height: u64,
        round: Round,
        timeout: std::time::Duration,
        reply: Reply<LocallyProposedValue<NumoContext>>,
        built_tx: mpsc::Sender<Built>,
    ) {
        if self.key.is_none() {
            warn!(height, %round, "asked to propose without a validator key");
            return;
        }
        // A quarter of the budget is left for signing and streaming the value.
        let deadline = Instant::now() + timeout * 3 / 4;
        let app = self.app.clone();
        let round_number = round.as_u32().unwrap_or(0);
        tokio::spawn(async move {
            let built = tokio::task::spawn_blocking(move || app.propose(height, round_number, deadline)).await;
            match built {
                Ok(bytes) => {
                    let _ = built_tx.send(Built { height, round, bytes, reply }).await;
                }
                Err(error) => warn!(height, %error, "propose failed"),
            }
        });
    }

    async fn on_built(&mut self, built: Built, channels: &Channels<NumoContext>) -> Result<(), HostError> {
        let Some(key) = &self.key else { return Ok(()) };
        if built.bytes.len() > self.max_value_bytes {
            warn!(
                height = built.height,
                len = built.bytes.len(),
                "proposed value above max_value_bytes; not proposing"
            );
            return Ok(());
        }
        let bytes = Bytes::from(built.bytes);
        let id = crate::digest::value_id(&bytes);
        let digest = proposal_digest_of(self.chain_id, built.height, built.round, Round::Nil, id)
            .expect("GetValue rounds are defined");
        let value = SignedValue {
            height: built.height,
            round: built.round,
            pol_round: Round::Nil,
            proposer: key.address(),
            id,
            bytes,
            signature: Signature(key.sign_digest(digest)),
        };
        // On disk before consensus signs a proposal for it: a restart re-proposes this value.
        self.store()?.insert(Entry { value: value.clone(), valid: true, own: true })?;
        let _ = built.reply.send(locally_proposed(&value));
        self.publish(&value, channels).await
    }

    async fn publish(&mut self, value: &SignedValue, channels: &Channels<NumoContext>) -> Result<(), HostError> {
        self.stream_counter += 1;
        let id = stream_id(value.height, value.round, self.stream_counter);
        for message in value.messages(&id) {
            channels
                .network
                .send(NetworkMsg::PublishProposalPart(message))
                .await
                .map_err(|_| HostError::NetworkClosed)?;
        }
        Ok(())
    }

    fn on_part(
        &mut self,
        publisher: PeerId,
        part: StreamMessage<crate::context::ProposalPart>,
    ) -> Result<Option<ProposedValue<NumoContext>>, HostError> {
        let value = match self.streams.insert(publisher, part) {
            Ok(Some(value)) => value,
            Ok(None) => return Ok(None),
            Err(error) => {
                debug!(%publisher, %error, "dropped a proposal stream");
                return Ok(None);
            }
        };
        if let Err(reason) = self.check_signed(&value) {
            warn!(height = value.height, %reason, "refused a proposal stream");
            return Ok(None);
        }
        if value.height < self.height {
            return Ok(None);
        }
        if value.height > self.height {
            if self.pending.len() >= PENDING_MAX {
                self.pending.remove(0);
            }
            self.pending.push(value);
            return Ok(None);
        }
        self.judge(value).map(Some)
    }

    /// The stream is from the round's proposer and signed by it.
    fn check_signed(&self, value: &SignedValue) -> Result<(), String> {
        let round = value.round.as_u32().ok_or("undefined round")?;
        let expected = self.validators.proposer(value.height, round).address;
        if value.proposer != expected {
            return Err(format!("{} is not the proposer of round {round} ({expected})", value.proposer));
        }
        let digest = proposal_digest_of(self.chain_id, value.height, value.round, value.pol_round, value.id)
            .ok_or("undefined round")?;
        match recover_address(digest, &value.signature.0) {
            Ok(signer) if signer == value.proposer => Ok(()),
            Ok(signer) => Err(format!("signed by {signer}, not the proposer {}", value.proposer)),
            Err(error) => Err(error.to_string()),
        }
    }

    /// Asks the node whether a proposal of the current height is acceptable and keeps it.
    fn judge(&mut self, value: SignedValue) -> Result<ProposedValue<NumoContext>, HostError> {
        if let Some(entry) = self.store()?.find(value.height, value.round, value.id) {
            return Ok(proposed_value(entry));
        }
        let verdict = self.app.validate(value.height, value.proposer, &value.bytes);
        if let Err(reason) = &verdict {
            info!(height = value.height, round = %value.round, proposer = %value.proposer, %reason, "proposal refused");
        }
        let entry = Entry { value, valid: verdict.is_ok(), own: false };
        let proposed = proposed_value(&entry);
        self.store()?.insert(entry)?;
        Ok(proposed)
    }

    fn value_bytes(&mut self, height: u64, id: B256) -> Option<Bytes> {
        if let Some(bytes) = self.synced.get(&(height, id)) {
            return Some(bytes.clone());
        }
        self.store().ok()?.by_id(height, id).map(|e| e.value.bytes.clone())
    }

    fn on_decided(&mut self, certificate: &CommitCertificate<NumoContext>) {
        let height = certificate.height.0;
        let public = to_public(certificate);
        let Some(bytes) = self.value_bytes(height, certificate.value_id) else {
            warn!(height, value = %certificate.value_id, "decided a value whose bytes this node does not hold");
            return;
        };
        match self.app.commit(&bytes, &public) {
            Ok(()) => {
                self.committed.insert(height, public.signatures.len());
            }
            Err(reason) => warn!(height, %reason, "commit failed"),
        }
    }

    fn on_finalized(&mut self, certificate: &CommitCertificate<NumoContext>) -> Result<Next<NumoContext>, HostError> {
        let height = certificate.height.0;
        if !self.committed.contains_key(&height) {
            // Bytes may have arrived since `Decided` (or it never came): try once more.
            self.on_decided(certificate);
        }
        let Some(&signatures) = self.committed.get(&height) else {
            warn!(height, "restarting the height: its value is not committed");
            return Ok(Next::Restart(Height(height), self.params.clone()));
        };
        if certificate.commit_signatures.len() > signatures {
            self.app.update_certificate(&to_public(certificate));
        }
        self.synced.retain(|(h, _), _| *h > height);
        Ok(Next::Start(Height(height + 1), self.params.clone()))
    }

    fn decided_values(&self, start: u64, end: u64) -> Vec<RawDecidedValue<NumoContext>> {
        let end = end.min(start.saturating_add(DECIDED_PER_REQUEST_MAX - 1));
        let mut values = Vec::new();
        let mut total = 0usize;
        for height in start..=end {
            let Some((bytes, certificate)) = self.app.decided(height) else { break };
            total += bytes.len();
            if total > self.max_value_bytes && !values.is_empty() {
                break;
            }
            values.push(RawDecidedValue::new(Bytes::from(bytes), to_malachite(&certificate)));
        }
        values
    }

    fn on_synced_value(
        &mut self,
        height: u64,
        round: Round,
        proposer: NodeAddress,
        bytes: Bytes,
    ) -> SyncedValueOutcome<NumoContext> {
        if bytes.len() > self.max_value_bytes {
            return SyncedValueOutcome::PeerFault;
        }
        let id = crate::digest::value_id(&bytes);
        let verdict = self.app.validate_synced(height, proposer.0, &bytes);
        if let Err(reason) = &verdict {
            warn!(height, %reason, "synced value refused");
        }
        if self.synced.len() >= SYNCED_MAX {
            self.synced.pop_first();
        }
        self.synced.insert((height, id), bytes);
        SyncedValueOutcome::Verdict(ProposedValue {
            height: Height(height),
            round,
            valid_round: Round::Nil,
            proposer,
            value: Value(id),
            validity: Validity::from_bool(verdict.is_ok()),
        })
    }
}

fn locally_proposed(value: &SignedValue) -> LocallyProposedValue<NumoContext> {
    LocallyProposedValue::new(Height(value.height), value.round, Value(value.id))
}

fn proposed_value(entry: &Entry) -> ProposedValue<NumoContext> {
    ProposedValue {
        height: Height(entry.value.height),
        round: entry.value.round,
        valid_round: entry.value.pol_round,
        proposer: NodeAddress(entry.value.proposer),
        value: Value(entry.value.id),
        validity: Validity::from_bool(entry.valid),
    }
}

/// Malachite's certificate as numo's.
pub(crate) fn to_public(certificate: &CommitCertificate<NumoContext>) -> Certificate {
    Certificate {
        height: certificate.height.0,
        round: certificate.round.as_u32().unwrap_or(0),
        value_id: certificate.value_id,
        signatures: certificate
            .commit_signatures
            .iter()
            .map(|s| CommitSignature { validator: s.address.0, signature: s.signature.0 })
            .collect(),
    }
}

/// numo's certificate as Malachite's (for sync responses; numo never extends votes).
pub(crate) fn to_malachite(certificate: &Certificate) -> ExtendedCommitCertificate<NumoContext> {
    ExtendedCommitCertificate {
        height: Height(certificate.height),
        round: Round::new(certificate.round),
        value_id: certificate.value_id,
        commit_signatures: certificate
            .signatures
            .iter()
            .map(|s| ExtendedCommitSignature {
                address: NodeAddress(s.validator),
                signature: Signature(s.signature),
                extension: None,
            })
            .collect(),
    }
}
