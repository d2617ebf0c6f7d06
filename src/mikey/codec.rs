//! Bounds-checked reading and length-checked writing of MIKEY fields (all big-endian). Every
//! read checks what remains; no read indexes past the end or panics.

use super::{MikeyError, Part};

/// A cursor over a received message.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Octets read so far: the offset of the next field in the message.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Octets not yet read.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// The next `n` octets of a fixed-size field, or [`MikeyError::Truncated`].
    pub(crate) fn fixed(&mut self, n: usize, part: Part) -> Result<&'a [u8], MikeyError> {
        self.take(n).ok_or(MikeyError::Truncated(part))
    }

    /// The next `n` octets, `n` coming from a length field of the message, or
    /// [`MikeyError::LengthPastEnd`].
    pub(crate) fn counted(&mut self, n: usize, part: Part) -> Result<&'a [u8], MikeyError> {
        self.take(n).ok_or(MikeyError::LengthPastEnd(part))
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let slice = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(slice)
    }

    pub(crate) fn u8(&mut self, part: Part) -> Result<u8, MikeyError> {
        let [b] = self.array::<1>(part)?;
        Ok(b)
    }

    pub(crate) fn u16(&mut self, part: Part) -> Result<u16, MikeyError> {
        Ok(u16::from_be_bytes(self.array(part)?))
    }

    pub(crate) fn u32(&mut self, part: Part) -> Result<u32, MikeyError> {
        Ok(u32::from_be_bytes(self.array(part)?))
    }

    pub(crate) fn u64(&mut self, part: Part) -> Result<u64, MikeyError> {
        Ok(u64::from_be_bytes(self.array(part)?))
    }

    fn array<const N: usize>(&mut self, part: Part) -> Result<[u8; N], MikeyError> {
        let slice = self.fixed(N, part)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }
}

/// An 8-bit length, or [`MikeyError::TooLong`].
pub(crate) fn len_u8(len: usize, part: Part) -> Result<u8, MikeyError> {
    u8::try_from(len).map_err(|_| MikeyError::TooLong(part))
}

/// A 16-bit length, or [`MikeyError::TooLong`].
pub(crate) fn len_u16(len: usize, part: Part) -> Result<u16, MikeyError> {
    u16::try_from(len).map_err(|_| MikeyError::TooLong(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_end() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u16(Part::Header), Ok(0x0102));
        assert_eq!(
            r.u16(Part::Header),
            Err(MikeyError::Truncated(Part::Header))
        );
        assert_eq!(r.remaining(), 1);
        assert_eq!(
            r.counted(usize::MAX, Part::Rand),
            Err(MikeyError::LengthPastEnd(Part::Rand))
        );
        assert_eq!(r.u8(Part::Header), Ok(3));
        assert_eq!(r.remaining(), 0);
        assert_eq!(r.counted(0, Part::Rand), Ok(&[][..]));
    }

    #[test]
    fn lengths_that_do_not_fit_are_refused() {
        assert_eq!(len_u8(255, Part::Rand), Ok(255));
        assert_eq!(
            len_u8(256, Part::Rand),
            Err(MikeyError::TooLong(Part::Rand))
        );
        assert_eq!(
            len_u16(65_536, Part::Idr),
            Err(MikeyError::TooLong(Part::Idr))
        );
    }
}
