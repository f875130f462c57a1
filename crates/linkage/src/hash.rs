//! A small, fast, deterministic hasher for hash maps and blocking keys.
//!
//! The standard SipHash is built for untrusted keys and is slow on the short strings
//! and integers this crate hashes millions of times; its random seed would also make
//! blocking keys differ between runs. FNV-1a with a final avalanche is enough here: the
//! keys are names and numbers, and a collision costs a wasted comparison, not a wrong
//! answer (symbols are compared by value).

use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a, 64 bits, with a final avalanche.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Fnv {
    /// A hasher in its initial state.
    pub fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Default for Fnv {
    fn default() -> Self {
        Self::new()
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        // One multiply per word instead of eight byte rounds.
        self.0 = (self.0 ^ i).wrapping_mul(0x0100_0000_01b3).rotate_left(29);
    }
}

/// `BuildHasher` for `HashMap<_, _, FnvBuild>`.
pub type FnvBuild = BuildHasherDefault<Fnv>;
