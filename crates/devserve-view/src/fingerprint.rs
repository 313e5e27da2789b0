//! Position-independent fingerprints of code.

/// FNV-1a (64 bit) of `text`: deterministic across runs, builds and platforms (unlike std's
/// `RandomState`), and fast on the short strings that holes are made of.
pub(crate) fn fingerprint(text: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    text.bytes().fold(OFFSET, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn matches_the_published_fnv1a_test_vectors() {
        assert_eq!(fingerprint(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fingerprint("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn differs_for_different_code() {
        assert_ne!(fingerprint("{ count }"), fingerprint("{ count + 1 }"));
    }
}
