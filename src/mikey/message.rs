//! A whole MIKEY-SAKKE I_MESSAGE (RFC 6509 2.1, TS 33.180 E.1-E.4): structural parsing and
//! writing, no cryptography.
//!
//! ```text
//! I_MESSAGE = HDR, T, RAND, [IDRi], [IDRr], [IDRkmsi], [IDRkmsr], {SP}, SAKKE, {EXT}, SIGN
//! ```
//!
//! [`parse`] accepts the payloads in any order (each payload names the next one), but refuses
//! a payload type it does not know (its length could not be found), a second T, RAND, SAKKE,
//! SAKKE-to-self or SIGN, a second IDR of one role, a message without T, RAND, SAKKE or SIGN,
//! and any octet after the SIGN payload. [`IMessage::to_bytes`] writes the payloads in the
//! order above. The signature covers the message from its first octet up to and including the
//! two octets of the SIGN payload header (S type and length), i.e. everything but the
//! signature itself (RFC 3830 5.2).

use super::codec::Reader;
use super::header::{CommonHeader, DATA_TYPE_SAKKE};
use super::payload::{
    GeneralExtension, IdRole, Idr, SakkePayload, SecurityPolicy, Signature, Timestamp,
    payload_type, read_rand, write_rand,
};
use super::{MikeyError, Part};

/// The longest I_MESSAGE made or accepted, in octets. A real one is under 2 KB (two SEDs of
/// 273 octets, a 129-octet signature and a few URIs); anything longer is refused before it
/// is parsed, so a hostile message costs no more than this to look at.
pub const MAX_IMESSAGE_BYTES: usize = 8192;

/// A parsed (or to-be-written) I_MESSAGE. Holds public data only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IMessage {
    /// The common header.
    pub header: CommonHeader,
    /// The T payload.
    pub timestamp: Timestamp,
    /// The RAND payload's value.
    pub rand: Vec<u8>,
    /// The IDR payloads, in order; at most one per role.
    pub identities: Vec<Idr>,
    /// The SP payloads, in order.
    pub policies: Vec<SecurityPolicy>,
    /// The SAKKE payload.
    pub sakke: SakkePayload,
    /// The General Extension payloads, in order; at most one SAKKE-to-self.
    pub extensions: Vec<GeneralExtension>,
    /// The SIGN payload.
    pub signature: Signature,
    /// Octets covered by the signature in the message this was parsed from (0 for a message
    /// built in memory; [`IMessage::to_bytes`] does not use it).
    pub signed_len: usize,
}

impl IMessage {
    /// The IDR payload of `role`, if present.
    pub fn identity(&self, role: IdRole) -> Option<&Idr> {
        self.identities.iter().find(|idr| idr.role == role)
    }

    /// The SAKKE payload of the SAKKE-to-self extension (TS 33.180 E.5), if present.
    pub fn sakke_to_self(&self) -> Option<&SakkePayload> {
        self.extensions.iter().find_map(|ext| match ext {
            GeneralExtension::SakkeToSelf(sakke) => Some(sakke),
            _ => None,
        })
    }

    /// The key parameters extension (TS 33.180 E.6, opaque), if present.
    pub fn key_parameters(&self) -> Option<&[u8]> {
        self.extensions.iter().find_map(|ext| match ext {
            GeneralExtension::KeyParameters(data) => Some(data.as_slice()),
            _ => None,
        })
    }

    /// The message up to and including the SIGN payload header: the octets to sign, for a
    /// signature of `sig_len` octets of type `sig_type`.
    ///
    /// # Errors
    /// [`MikeyError::TooLong`] when a field does not fit its length.
    pub fn signed_part(&self, sig_type: u8, sig_len: usize) -> Result<Vec<u8>, MikeyError> {
        let mut out = Vec::with_capacity(1024);
        let mut next_types = vec![payload_type::T, payload_type::RAND];
        next_types.extend(self.identities.iter().map(|_| payload_type::IDR));
        next_types.extend(self.policies.iter().map(|_| payload_type::SP));
        next_types.push(payload_type::SAKKE);
        next_types.extend(
            self.extensions
                .iter()
                .map(|_| payload_type::GENERAL_EXTENSION),
        );
        next_types.push(payload_type::SIGN);
        // next_types[i] is the type of payload i; each payload names next_types[i + 1].
        let mut next = next_types.iter().copied().skip(1);
        let mut take = || next.next().unwrap_or(payload_type::LAST);

        self.header.write(payload_type::T, &mut out)?;
        self.timestamp.write(take(), &mut out);
        write_rand(&self.rand, take(), &mut out)?;
        for idr in &self.identities {
            idr.write(take(), &mut out)?;
        }
        for sp in &self.policies {
            sp.write(take(), &mut out)?;
        }
        self.sakke.write(take(), &mut out)?;
        for ext in &self.extensions {
            ext.write(take(), &mut out)?;
        }
        out.extend_from_slice(&Signature::header(sig_type, sig_len)?);
        Ok(out)
    }

    /// The whole message: [`IMessage::signed_part`] followed by the signature.
    ///
    /// # Errors
    /// [`MikeyError::TooLong`] when a field does not fit its length.
    pub fn to_bytes(&self) -> Result<Vec<u8>, MikeyError> {
        let mut out = self.signed_part(self.signature.sig_type, self.signature.data.len())?;
        out.extend_from_slice(&self.signature.data);
        Ok(out)
    }
}

/// Parses an I_MESSAGE (structure only: no time check, no signature, no decapsulation).
///
/// # Errors
/// [`MikeyError::BadVersion`], [`MikeyError::BadDataType`] (not 26, "SAKKE msg"),
/// [`MikeyError::Truncated`] / [`MikeyError::LengthPastEnd`] (a field or a length runs past the
/// end; the error names the payload), [`MikeyError::UnknownPayload`],
/// [`MikeyError::UnknownCsIdMap`], [`MikeyError::UnknownTimestampType`],
/// [`MikeyError::Duplicate`], [`MikeyError::Missing`], [`MikeyError::TrailingData`].
pub fn parse(bytes: &[u8]) -> Result<IMessage, MikeyError> {
    parse_with_offsets(bytes).map(|(message, _)| message)
}

/// Where variable-length values of a parsed message lie in its octets, so that a caller can
/// point into the message instead of copying or searching.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Offsets {
    /// Offset of the RAND value.
    pub rand: usize,
    /// Offset of each IDR payload's identity data, by role.
    pub identities: Vec<(IdRole, usize)>,
}

impl Offsets {
    /// Offset of the identity data of the IDR payload of `role`, if present.
    pub fn identity(&self, role: IdRole) -> Option<usize> {
        self.identities
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, offset)| *offset)
    }
}

/// As [`parse`], with the [`Offsets`] of the values in `bytes`.
///
/// # Errors
/// As [`parse`].
pub fn parse_with_offsets(bytes: &[u8]) -> Result<(IMessage, Offsets), MikeyError> {
    if bytes.len() > MAX_IMESSAGE_BYTES {
        return Err(MikeyError::TooLarge);
    }
    let mut r = Reader::new(bytes);
    let mut offsets = Offsets::default();
    let (header, mut next) = CommonHeader::read(&mut r)?;
    if header.data_type != DATA_TYPE_SAKKE {
        return Err(MikeyError::BadDataType(header.data_type));
    }

    let mut timestamp = None;
    let mut rand = None;
    let mut identities: Vec<Idr> = Vec::new();
    let mut policies = Vec::new();
    let mut sakke = None;
    let mut extensions: Vec<GeneralExtension> = Vec::new();

    // Every turn consumes at least one octet, so the loop ends.
    let (signature, signed_len) = loop {
        match next {
            payload_type::SIGN => {
                let signed_len = r.pos().saturating_add(2);
                let signature = Signature::read(&mut r)?;
                if r.remaining() != 0 {
                    return Err(MikeyError::TrailingData(Part::Sign));
                }
                break (signature, signed_len);
            }
            payload_type::LAST => return Err(MikeyError::Missing(Part::Sign)),
            payload_type::T => {
                next = r.u8(Part::T)?;
                let t = Timestamp::read(&mut r)?;
                if timestamp.replace(t).is_some() {
                    return Err(MikeyError::Duplicate(Part::T));
                }
            }
            payload_type::RAND => {
                next = r.u8(Part::Rand)?;
                // The value follows its one-octet length.
                offsets.rand = r.pos() + 1;
                let value = read_rand(&mut r)?;
                if rand.replace(value).is_some() {
                    return Err(MikeyError::Duplicate(Part::Rand));
                }
            }
            payload_type::IDR => {
                next = r.u8(Part::Idr)?;
                // The data follows role (1), type (1) and length (2).
                let data_offset = r.pos() + 4;
                let idr = Idr::read(&mut r)?;
                if identities.iter().any(|other| other.role == idr.role) {
                    return Err(MikeyError::Duplicate(Part::Idr));
                }
                offsets.identities.push((idr.role, data_offset));
                identities.push(idr);
            }
            payload_type::SP => {
                next = r.u8(Part::Sp)?;
                policies.push(SecurityPolicy::read(&mut r)?);
            }
            payload_type::SAKKE => {
                next = r.u8(Part::Sakke)?;
                let payload = SakkePayload::read(&mut r)?;
                if sakke.replace(payload).is_some() {
                    return Err(MikeyError::Duplicate(Part::Sakke));
                }
            }
            payload_type::GENERAL_EXTENSION => {
                next = r.u8(Part::GeneralExtension)?;
                let ext = GeneralExtension::read(&mut r)?;
                if matches!(ext, GeneralExtension::SakkeToSelf(_))
                    && extensions
                        .iter()
                        .any(|e| matches!(e, GeneralExtension::SakkeToSelf(_)))
                {
                    return Err(MikeyError::Duplicate(Part::SakkeToSelf));
                }
                extensions.push(ext);
            }
            other => return Err(MikeyError::UnknownPayload(other)),
        }
    };

    let message = IMessage {
        header,
        timestamp: timestamp.ok_or(MikeyError::Missing(Part::T))?,
        rand: rand.ok_or(MikeyError::Missing(Part::Rand))?,
        identities,
        policies,
        sakke: sakke.ok_or(MikeyError::Missing(Part::Sakke))?,
        extensions,
        signature,
        signed_len,
    };
    Ok((message, offsets))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hostile I_MESSAGE of 100 MB took 3.9 s and 1.74 GB to parse before any signature
    /// check; anything longer than the cap is refused before one octet is parsed.
    #[test]
    fn oversized_messages_are_refused_before_parsing() {
        let huge = vec![0u8; MAX_IMESSAGE_BYTES + 1];
        assert_eq!(parse(&huge), Err(MikeyError::TooLarge));
        assert_eq!(parse_with_offsets(&huge), Err(MikeyError::TooLarge));
        // At the cap the parser runs (and refuses this one for what it holds).
        let at_cap = vec![0u8; MAX_IMESSAGE_BYTES];
        assert_ne!(parse(&at_cap), Err(MikeyError::TooLarge));
    }
}
