//! The per-process secret that the WebSocket endpoint requires.

use std::hash::{BuildHasher, RandomState};
use std::io::Read;

/// 128 random bits as 32 hex digits, from the OS's random source.
pub(crate) fn generate() -> String {
    let mut bytes = [0u8; 16];
    let from_os = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if from_os.is_err() {
        // The standard library seeds its hasher keys from the OS too; two of them give 128 bits.
        let halves = [RandomState::new().hash_one(1u8), RandomState::new().hash_one(2u8)];
        for (chunk, half) in bytes.chunks_mut(8).zip(halves) {
            chunk.copy_from_slice(&half.to_le_bytes());
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares without an early exit, so the time taken says nothing about the secret.
pub(crate) fn matches(given: &str, secret: &str) -> bool {
    given.len() == secret.len() && given.bytes().zip(secret.bytes()).fold(0, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_hex_and_differ() {
        let (a, b) = (generate(), generate());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn only_the_exact_token_matches() {
        assert!(matches("abc123", "abc123"));
        assert!(!matches("abc124", "abc123"));
        assert!(!matches("abc12", "abc123"));
        assert!(!matches("", "abc123"));
    }
}
