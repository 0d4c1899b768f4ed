//! Rebuilds the node when the embedded web app changes: `rust-embed` reads `web/dist` when the
//! crate compiles, and cargo tracks the files it included but not files added or removed (a
//! new bundle has new hashed names), so the whole directory is watched.

fn main() {
    println!("cargo::rerun-if-changed=../../web/dist");
}
