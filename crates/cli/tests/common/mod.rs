//! The real `numo node` binary for the CLI's integration tests: started with `--dev` on a free
//! 127.0.0.1 port, waited for until `/health` answers, and killed (SIGKILL) when dropped, so a
//! failing test leaves no process behind. Its stderr goes to a log file whose tail a start-up
//! failure prints.

// Each test binary compiles this module and uses a different part of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a node may take to answer `/health` (a debug build on a busy CI machine).
const START_DEADLINE: Duration = Duration::from_secs(30);
/// Ports tried before giving up: a free port can be taken by another test before the node binds it.
const START_ATTEMPTS: usize = 5;

/// A running `numo node --dev`.
pub(crate) struct RunningNode {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    /// Owns the node's scratch directory when the test did not give one.
    _scratch: Option<tempfile::TempDir>,
}

/// A port nobody listens on right now.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The last 30 lines of a node's log.
pub(crate) fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

impl RunningNode {
    /// Starts `numo node --dev --data-dir DATA_DIR ARGS…` with its stderr appended to `log`. Its
    /// EVM JSON-RPC listens on a port of the system's choosing unless `args` names one, so tests
    /// running side by side never collide on the default 9545.
    pub(crate) fn start(data_dir: &Path, args: &[&str], log: &Path) -> RunningNode {
        let health = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        for _ in 0..START_ATTEMPTS {
            let address = format!("127.0.0.1:{}", free_port());
            let log_file = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
            let child = Command::new(env!("CARGO_BIN_EXE_numo"))
                .args(["node", "--dev", "--http", &address, "--data-dir"])
                .arg(data_dir)
                .args(if args.contains(&"--evm-rpc") { &[][..] } else { &["--evm-rpc", "127.0.0.1:0"][..] })
                .args(args)
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log_file)
                .spawn()
                .unwrap();
            let mut node = RunningNode { child, url: format!("http://{address}"), _scratch: None };
            let deadline = Instant::now() + START_DEADLINE;
            while Instant::now() < deadline {
                if node.child.try_wait().unwrap().is_some() {
                    break;
                }
                if health.get(format!("{}/health", node.url)).send().is_ok_and(|r| r.status() == 200) {
                    return node;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let status = node.child.try_wait().unwrap();
            eprintln!("node on {address} did not come up ({status:?}); log:\n{}", log_tail(log));
            let _ = node.child.kill();
        }
        panic!("the node does not start; log:\n{}", log_tail(log));
    }

    /// Starts a node in a fresh temporary directory (data and log), removed when it is dropped.
    pub(crate) fn start_scratch(args: &[&str]) -> RunningNode {
        let scratch = tempfile::tempdir().unwrap();
        let mut node = RunningNode::start(&scratch.path().join("data"), args, &scratch.path().join("node.log"));
        node._scratch = Some(scratch);
        node
    }

    /// `kill -9` and reap: no destructor, no flush, mid-request for whoever is sending.
    pub(crate) fn kill(&mut self) {
        self.child.kill().expect("kill -9 the node");
        self.child.wait().expect("reap the node");
    }
}

impl Drop for RunningNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// splitmix64: small, seedable, good enough to pick moments and orders.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub(crate) fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    pub(crate) fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
}

/// What a `numo` command printed and returned.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl From<std::process::Output> for Run {
    fn from(output: std::process::Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

impl Run {
    /// Its stdout as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|_| panic!("not JSON: {}\n{}", self.stdout, self.stderr))
    }

    /// Asserts exit 0.
    pub(crate) fn ok(self) -> Self {
        assert_eq!(self.code, 0, "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    /// A failure with `--json`: exit 1 and `{"error": {"code"}}`.
    pub(crate) fn error_code(&self) -> String {
        assert_eq!(self.code, 1, "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self.json()["error"]["code"].as_str().unwrap().to_string()
    }
}
