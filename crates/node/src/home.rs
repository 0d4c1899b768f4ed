//! A node's home directory (`numo node --home DIR`) and the testnet layout that
//! `numo testnet init` writes: one home per node with its keys, the shared genesis (dev
//! accounts funded, the validator set in `[consensus]`, K4) and a config with free 127.0.0.1
//! ports, plus `testnet.json` listing every node.
//!
//! ```text
//! DIR/testnet.json
//! DIR/v0/config.toml      http, data dir, block interval, consensus and mempool listen/peers
//! DIR/v0/genesis.toml     the same file in every home
//! DIR/v0/validator.key    secp256k1 secret, hex (validators only)
//! DIR/v0/p2p.key          libp2p identity secret, hex
//! DIR/v0/data/            redb + Malachite's WAL
//! ```

use crate::genesis::{GenesisConsensus, GenesisValidator, VenueGenesis};
use alloy_primitives::{hex, Address};
use numo_stf::signature::secret_key_address;
use secp256k1::{PublicKey, SecretKey};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// `config.toml` of a home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomeConfig {
    /// HTTP API listen address.
    pub http: SocketAddr,
    /// Data directory, relative to the home unless absolute.
    pub data_dir: PathBuf,
    /// Minimum milliseconds between blocks (K8).
    pub block_interval_ms: u64,
    /// `all`, `sample` or `off`.
    pub verify: String,
    /// The consensus network.
    pub consensus: NetConfig,
    /// The mempool network (K7).
    pub mempool: NetConfig,
}

/// One P2P network's addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetConfig {
    /// Listen address (TCP).
    pub listen: SocketAddr,
    /// Persistent peers.
    pub peers: Vec<SocketAddr>,
}

/// A loaded home: its config, genesis and keys.
#[derive(Debug, Clone)]
pub struct Home {
    /// The directory.
    pub dir: PathBuf,
    /// `config.toml`.
    pub config: HomeConfig,
    /// `genesis.toml`.
    pub genesis: VenueGenesis,
    /// `validator.key`, when this node votes.
    pub validator_key: Option<SecretKey>,
    /// `p2p.key`.
    pub p2p_key: [u8; 32],
}

/// Why a home cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    /// A file is missing or unreadable.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// What happened.
        error: std::io::Error,
    },
    /// A file's content is wrong.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

fn read(path: &Path) -> Result<String, HomeError> {
    std::fs::read_to_string(path).map_err(|error| HomeError::Io { path: path.display().to_string(), error })
}

fn write(path: &Path, text: &str) -> Result<(), HomeError> {
    std::fs::write(path, text).map_err(|error| HomeError::Io { path: path.display().to_string(), error })
}

fn invalid(path: &Path, reason: impl ToString) -> HomeError {
    HomeError::Invalid { path: path.display().to_string(), reason: reason.to_string() }
}

fn read_key(path: &Path) -> Result<[u8; 32], HomeError> {
    let bytes = hex::decode(read(path)?.trim()).map_err(|e| invalid(path, e))?;
    bytes.try_into().map_err(|_| invalid(path, "not 32 bytes of hex"))
}

impl Home {
    /// Reads `dir`: config, genesis, keys. A validator key that is not in the genesis set is
    /// refused (the node would never be counted).
    pub fn load(dir: &Path) -> Result<Self, HomeError> {
        let config_path = dir.join("config.toml");
        let config: HomeConfig = toml::from_str(&read(&config_path)?).map_err(|e| invalid(&config_path, e))?;
        let genesis_path = dir.join("genesis.toml");
        let genesis = VenueGenesis::from_toml(&read(&genesis_path)?).map_err(|e| invalid(&genesis_path, e))?;
        let Some(set) = &genesis.consensus else {
            return Err(invalid(&genesis_path, "a home's genesis needs a [consensus] validator set"));
        };
        let key_path = dir.join("validator.key");
        let validator_key = match key_path.exists() {
            false => None,
            true => {
                let key = SecretKey::from_secret_bytes(read_key(&key_path)?).map_err(|e| invalid(&key_path, e))?;
                let address = secret_key_address(&key);
                if !set.validators.iter().any(|v| v.address == address) {
                    return Err(invalid(&key_path, format!("{address} is not a validator of the genesis")));
                }
                Some(key)
            }
        };
        let p2p_key = read_key(&dir.join("p2p.key"))?;
        Ok(Self { dir: dir.to_path_buf(), config, genesis, validator_key, p2p_key })
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join(&self.config.data_dir)
    }
}

/// One node of `testnet.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestnetNode {
    /// Its home.
    pub home: PathBuf,
    /// Its HTTP address.
    pub http: SocketAddr,
    /// Its validator address (validators) or receipt-signing address (followers: none yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// `DIR/testnet.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Testnet {
    /// The validators.
    pub validators: Vec<TestnetNode>,
    /// The followers.
    pub followers: Vec<TestnetNode>,
}

/// A free 127.0.0.1 port (bound once and released: the OS does not hand it out again soon).
fn free_port() -> std::io::Result<SocketAddr> {
    std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()
}

/// Writes a testnet of `validators` validators and `followers` followers under `out` (which
/// must not hold one already): `dev` is the genesis to extend with the validator set (the dev
/// genesis, so the dev accounts are funded). Keys come from the OS's randomness.
pub fn init_testnet(out: &Path, dev: VenueGenesis, validators: usize, followers: usize) -> Result<Testnet, HomeError> {
    if validators == 0 {
        return Err(invalid(out, "a testnet needs at least one validator"));
    }
    if out.join("testnet.json").exists() {
        return Err(invalid(out, "already holds a testnet (testnet.json); pick another directory"));
    }
    let random_key = || loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the OS has randomness");
        if let Ok(key) = SecretKey::from_secret_bytes(bytes) {
            return key;
        }
    };
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |error| HomeError::Io { path, error }
    };
    let keys: Vec<SecretKey> = (0..validators).map(|_| random_key()).collect();
    let set = GenesisConsensus {
        validators: keys
            .iter()
            .map(|key| GenesisValidator {
                address: secret_key_address(key),
                public_key: PublicKey::from_secret_key(key).serialize(),
                power: 1,
            })
            .collect(),
    };
    let genesis = VenueGenesis { consensus: Some(set), ..dev };
    genesis.validate().map_err(|e| invalid(out, e))?;
    let genesis_toml = genesis.to_toml();
    let total = validators + followers;
    let mut ports = Vec::with_capacity(total);
    let port = || free_port().map_err(io(out));
    for _ in 0..total {
        ports.push((port()?, port()?, port()?));
    }
    let mut testnet = Testnet { validators: Vec::new(), followers: Vec::new() };
    for (index, &(http, consensus, mempool)) in ports.iter().enumerate() {
        let is_validator = index < validators;
        let name = if is_validator { format!("v{index}") } else { format!("f{}", index - validators) };
        let dir = out.join(&name);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let others = |pick: fn(&(SocketAddr, SocketAddr, SocketAddr)) -> SocketAddr| {
            ports.iter().enumerate().filter(|(i, _)| *i != index).map(|(_, p)| pick(p)).collect::<Vec<_>>()
        };
        let config = HomeConfig {
            http,
            data_dir: PathBuf::from("data"),
            block_interval_ms: crate::limits::DEFAULT_BLOCK_INTERVAL_MS,
            verify: "sample".into(),
            consensus: NetConfig { listen: consensus, peers: others(|p| p.1) },
            mempool: NetConfig { listen: mempool, peers: others(|p| p.2) },
        };
        write(&dir.join("config.toml"), &toml::to_string(&config).expect("configs serialize"))?;
        write(&dir.join("genesis.toml"), &genesis_toml)?;
        write(&dir.join("p2p.key"), &hex::encode(random_key().to_secret_bytes()))?;
        let node = TestnetNode { home: dir.clone(), http, address: None };
        if is_validator {
            let key = &keys[index];
            write(&dir.join("validator.key"), &hex::encode(key.to_secret_bytes()))?;
            testnet.validators.push(TestnetNode { address: Some(secret_key_address(key)), ..node });
        } else {
            testnet.followers.push(node);
        }
    }
    let json = serde_json::to_string_pretty(&testnet).expect("testnets serialize");
    write(&out.join("testnet.json"), &json)?;
    Ok(testnet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_testnet_round_trips_through_its_homes() {
        let out = std::env::temp_dir().join(format!("numo-testnet-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let testnet = init_testnet(&out, VenueGenesis::dev(), 4, 1).unwrap();
        assert_eq!((testnet.validators.len(), testnet.followers.len()), (4, 1));
        let v0 = Home::load(&testnet.validators[0].home).unwrap();
        let set = v0.genesis.consensus.as_ref().unwrap();
        assert_eq!(set.validators.len(), 4);
        assert_eq!(Some(secret_key_address(v0.validator_key.as_ref().unwrap())), testnet.validators[0].address);
        assert_eq!(v0.config.consensus.peers.len(), 4);
        assert!(!v0.config.consensus.peers.contains(&v0.config.consensus.listen));
        let f0 = Home::load(&testnet.followers[0].home).unwrap();
        assert!(f0.validator_key.is_none());
        assert_eq!(f0.genesis.genesis_root(), v0.genesis.genesis_root());
        // The dev accounts stay funded: the genesis root is the dev venue's.
        assert_eq!(v0.genesis.genesis_root(), VenueGenesis::dev().genesis_root());
        let again = init_testnet(&out, VenueGenesis::dev(), 4, 1).unwrap_err();
        assert!(again.to_string().contains("already holds a testnet"));
        std::fs::remove_dir_all(&out).unwrap();
    }
}
