//! `numo prove` / `numo proof`: argument checks, and in a build without `--features sp1` a
//! clear exit-2 error that says how to rebuild (the SP1 paths run in scripts/sp1-ci.sh).

use std::process::{Command, Output, Stdio};

fn numo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_numo")).args(args).stdin(Stdio::null()).output().unwrap()
}

#[test]
fn proving_modes_need_an_output_file() {
    let output = numo(&["prove", "--input", "blob.bin", "--mode", "core"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--out"));
}

#[test]
fn without_the_sp1_feature_every_command_says_how_to_rebuild() {
    if numo_prover::SP1_ENABLED {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let blob = dir.path().join("blob.hex");
    std::fs::write(&blob, "0x00").unwrap();
    let blob = blob.to_str().unwrap();
    let runs: [&[&str]; 4] = [
        &["prove", "--input", blob],
        &["prove", "--input", blob, "--mode", "core", "--out", "proof.bin"],
        &["proof", "verify", "--proof", "proof.bin", "--input", blob],
        &["proof", "vk"],
    ];
    for args in runs {
        let output = numo(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("--features sp1"), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn the_node_refuses_the_sp1_prover_without_the_feature() {
    if numo_prover::SP1_ENABLED {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let output =
        numo(&["node", "--dev", "--http", "127.0.0.1:0", "--data-dir", data.to_str().unwrap(), "--prover", "sp1"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--features sp1"), "{stderr}");
}
