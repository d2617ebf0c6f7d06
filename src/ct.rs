//! Small constant-time helpers on big-endian octet strings.

use p256::elliptic_curve::subtle::{Choice, ConstantTimeEq};

/// Whether the big-endian integers satisfy `0 < value < modulus`, in time that depends only on
/// the lengths (which must be equal).
pub(crate) fn is_in_range_be(value: &[u8], modulus: &[u8]) -> Choice {
    debug_assert_eq!(value.len(), modulus.len());
    // Subtract modulus from value from the least significant octet up; a final borrow means
    // value < modulus.
    let mut borrow = 0u16;
    let mut any_set = 0u8;
    for (v, m) in value.iter().zip(modulus).rev() {
        let diff = u16::from(*v)
            .wrapping_sub(u16::from(*m))
            .wrapping_sub(borrow);
        borrow = (diff >> 8) & 1;
        any_set |= *v;
    }
    let below = Choice::from(borrow.to_le_bytes()[0]);
    below & !any_set.ct_eq(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_check_edges() {
        let m = [0x01, 0x00, 0x05];
        let check = |v: [u8; 3]| bool::from(is_in_range_be(&v, &m));
        assert!(!check([0, 0, 0]));
        assert!(check([0, 0, 1]));
        assert!(check([0, 0xff, 0xff]));
        assert!(check([1, 0, 4]));
        assert!(!check([1, 0, 5]));
        assert!(!check([1, 0, 6]));
        assert!(!check([0xff, 0xff, 0xff]));
    }
}
