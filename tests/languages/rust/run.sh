# Rust with rusqlite from Debian (librust-rusqlite-dev), Debian's cargo and
# rustc, offline: .cargo/config.toml points crates-io at Debian's crate
# directory /usr/share/cargo/registry.  cargo reads .cargo/ from the
# directory it runs in, hence the cd.
ext=$(realpath -m "${CHATFLOW_EXT:-dist/chatflow}")
cd tests/languages/rust && RUSTC=/usr/bin/rustc /usr/bin/cargo run -q -- "$ext"
