//! Seeds for randomized tests and runs: taken from `MSM_SEED` when set (to replay a failure),
//! otherwise fresh, and always printed.

/// The seed for the run named `what`, printed with the command that replays it.
pub fn seed(what: &str) -> u64 {
    let seed = match std::env::var("MSM_SEED") {
        Ok(s) => s.parse().expect("MSM_SEED must be a u64"),
        Err(_) => fresh(),
    };
    eprintln!("{what}: seed {seed} (replay with MSM_SEED={seed})");
    seed
}

/// A fresh seed from the clock and the process id.
pub fn fresh() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}

/// A generator seeded by [`seed`]`(what)`: the one random source of the randomized tests.
pub fn rng(what: &str) -> rand_chacha::ChaCha8Rng {
    rand::SeedableRng::seed_from_u64(seed(what))
}
