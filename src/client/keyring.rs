//! The client's key ring: the keys it received in I_MESSAGEs, by purpose tag and key ID (TS
//! 33.180 5.8, 9.4; TS 24.380 13: GMK 0, PCK 1, CSK 2, MKFC 4, MSCCK 5, MuSiK 6), with the
//! RAND of their message (which their SRTP keys depend on, TS 33.180 7.4), our GUK-ID for a
//! GMK, and an activation and expiry time.
//!
//! - A key whose expiry time has come is erased (TS 33.180 5.11.2): when it is looked up, and
//!   from the whole ring whenever a key is stored or [`KeyRing::purge`] runs.
//! - A key received again under the same purpose and ID replaces the old one, which is erased,
//!   but only when its message comes from the initiator that distributed the key held: the same
//!   initiator KMS URI and the same initiator identity (URI, or UID when the message hides the
//!   URI; a distributor whose URI was hidden is recognised in a later key period, whose UID
//!   differs, when the later message's URI is known and hashes to the recorded UID in the key
//!   period of the recorded time, see [`UidTime`]; a later message hidden too is recognised
//!   only by an equal UID, i.e. within the same key period). The same holds for a revocation
//!   (key parameters with Status = revoked, TS 33.180 E.6). A message of any other initiator
//!   for a held key ID is refused with [`KeyRingError::OtherInitiator`] and changes nothing:
//!   a correctly signed I_MESSAGE of another user of the domain, or of a partner domain,
//!   cannot take over or kill a GMK, PCK, CSK, ... that someone else distributed (TS 33.180
//!   5.8, 5.11.2). See [`KeyRing::admit`].
//! - A key without a recorded distributor (read from a key store of format version 2) is
//!   replaced, revoked or re-parameterised by no message at all (refused the same way, even
//!   when the message carries the very same key: every member of a group holds its GMK); it
//!   lasts until its expiry time comes or the app erases it ([`KeyRing::erase`]).
//! - [`KeyRing::srtp_for_mki`] gives an SRTP stack the master key and salt for the MKI of the
//!   packet it holds: a PCK-ID, or GMK-ID || GUK-ID (the sender's).
//!
//! Keys live only in zeroizing memory and are never shown by `Debug`.

use std::collections::BTreeMap;
use std::fmt;

use zeroize::Zeroizing;

use crate::domain::KmsParams;
use crate::mikey::kdf::{KEY_BYTES, purpose_tag};
use crate::mikey::srtp::{Mki, MkiError, SrtpMaster};
use crate::mikey::{KeyKind, ReceivedKey};
use crate::uid::UID_BYTES;

/// What a key is for: the purpose tag in the top four bits of its ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purpose {
    /// Group Master Key (0).
    Gmk,
    /// Private Call Key (1).
    Pck,
    /// Client-Server Key (2).
    Csk,
    /// MBMS subchannel control key (4).
    Mkfc,
    /// Multicast signalling key of the MC service, MSCCK (5).
    Mscck,
    /// Multicast Signalling Key, MuSiK (6).
    Musik,
}

impl Purpose {
    /// The purpose of a key ID, or `None` for the tags no key ring key has (3, 7 to 15).
    pub fn of_key_id(key_id: u32) -> Option<Self> {
        match purpose_tag(key_id) {
            0 => Some(Self::Gmk),
            1 => Some(Self::Pck),
            2 => Some(Self::Csk),
            4 => Some(Self::Mkfc),
            5 => Some(Self::Mscck),
            6 => Some(Self::Musik),
            _ => None,
        }
    }

    /// Whether the key is dynamic (a call's, erased when the call ends) rather than long-lived:
    /// only a PCK is (TS 33.180 5.11.2).
    pub fn is_dynamic(self) -> bool {
        self == Self::Pck
    }
}

/// Why the ring gives no key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyRingError {
    /// No key of that purpose and ID (or the MKI names none).
    #[error("no such key")]
    UnknownKey,
    /// The key's activation time has not come.
    #[error("the key is not active yet")]
    NotYetActive,
    /// The key's expiry time has passed; it has been erased.
    #[error("the key has expired")]
    Expired,
    /// The key protects no media (a CSK, MKFC, MSCCK or MuSiK is for SRTCP only).
    #[error("not a media key")]
    NotMediaKey,
    /// The key ID's purpose tag names no key the ring holds.
    #[error("unsupported purpose tag")]
    UnsupportedPurpose,
    /// The ring holds a key with that ID that another initiator distributed: only that
    /// initiator may replace or revoke it. Nothing was changed.
    #[error("the key was distributed by another initiator")]
    OtherInitiator,
}

/// When a recorded UID was in force, so that a URI can be hashed to it again later: the time T
/// of the message its signature was verified for, and how close to a key period boundary T
/// had to be for a neighbouring period's keys to count (the message's replay window). The
/// periods are those [`KmsParams::candidates`] gives for them under the initiator's KMS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UidTime {
    /// T of the message, NTP seconds ([`ReceivedKey::time_ntp`]).
    pub time_ntp: u64,
    /// The boundary tolerance, seconds ([`ReceivedKey::boundary_tolerance_s`]).
    pub tolerance_s: u64,
}

impl UidTime {
    /// Whether `uri` hashes, under `kms` (the initiator's KMS), to `uid` in the key period of
    /// this time or, near a boundary, a neighbouring one (TS 33.180 F.2.1).
    pub fn uri_hashes_to(&self, uri: &str, uid: &[u8; UID_BYTES], kms: &KmsParams<'_>) -> bool {
        kms.candidates(self.time_ntp, self.tolerance_s)
            .unwrap_or_default()
            .into_iter()
            .any(|n| kms.uid(uri.as_bytes(), n).is_some_and(|u| u == *uid))
    }
}

/// Who distributed a key of the ring: the initiator of the I_MESSAGE that carried it. Public
/// data (identities, times), compared in variable time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Distributor {
    /// The KMS URI of the initiator's KMS (IDRkmsi, or our own KMS's when the message has none).
    pub kms_uri: String,
    /// The initiator's URI (IDRi, or as the app named it); `None` when the message hid it
    /// (TS 33.180 E.7) and the app did not name it.
    pub uri: Option<String>,
    /// The initiator's UID the signature was verified with (of the key period of the message).
    pub uid: [u8; UID_BYTES],
    /// When `uid` was in force: what a URI is hashed under to recognise it later, once the
    /// key period (and so the initiator's UID) has changed.
    pub uid_time: UidTime,
}

impl Distributor {
    /// The initiator of a processed I_MESSAGE.
    pub fn of(received: &ReceivedKey) -> Self {
        Self {
            kms_uri: received.initiator_kms_uri.clone(),
            uri: received.initiator_uri.clone(),
            uid: received.initiator_uid,
            uid_time: UidTime {
                time_ntp: received.time_ntp,
                tolerance_s: received.boundary_tolerance_s,
            },
        }
    }

    /// Whether `newer`, the initiator of a later message, is this one: the same KMS URI, and
    /// - both URIs known: the same URI;
    /// - the later message hid its URI: our URI hashes to its UID in the periods of its time,
    ///   or the UIDs are equal;
    /// - ours is not known (the distributing message hid it) but the later message's is: that
    ///   URI hashes to our UID in the periods of our time ([`UidTime`]), so the distributor is
    ///   recognised in any later key period once its URI is known (from IDRi, or named by the
    ///   app), or the UIDs are equal;
    /// - neither is known: the UIDs must be equal. UIDs change every key period (TS 33.180
    ///   F.2.1) and two hidden UIDs cannot be tied to one URI, so a distributor whose URI was
    ///   hidden is recognised by a later hidden message only within the key period of its own.
    ///
    /// `hashes_to(uri, uid, time)` tells whether `uri` hashes to `uid` at `time` under the
    /// initiator's KMS (the same for both, as the KMS URIs are equal).
    fn same_as(
        &self,
        newer: &Self,
        hashes_to: impl Fn(&str, &[u8; UID_BYTES], &UidTime) -> bool,
    ) -> bool {
        if self.kms_uri != newer.kms_uri {
            return false;
        }
        match (&self.uri, &newer.uri) {
            (Some(held), Some(new)) => held == new,
            (Some(held), None) => {
                self.uid == newer.uid || hashes_to(held, &newer.uid, &newer.uid_time)
            }
            (None, Some(new)) => self.uid == newer.uid || hashes_to(new, &self.uid, &self.uid_time),
            (None, None) => self.uid == newer.uid,
        }
    }
}

/// One key of the ring.
#[derive(Clone)]
pub struct RingKey {
    /// What the key is for.
    pub purpose: Purpose,
    /// The key ID (purpose tag in its top four bits).
    pub key_id: u32,
    /// Behind a Box: the ring and the store move keys around, and a move leaves the old octets
    /// behind; only the pointer moves, the boxed key is zeroized where it lies.
    key: Box<Zeroizing<[u8; KEY_BYTES]>>,
    /// The RAND of the I_MESSAGE that carried it.
    pub rand: Vec<u8>,
    /// Our GUK-ID, for a GMK.
    pub guk_id: Option<u32>,
    /// Unix time from which the key may be used (`None`: at once).
    pub activation: Option<u64>,
    /// Unix time from which the key may no longer be used (`None`: until replaced or erased).
    pub expiry: Option<u64>,
    /// Who distributed it; `None` for a key read from a key store of format version 2, which
    /// did not record it: no message may then replace, revoke or re-parameterise the key (see
    /// [`KeyRing::admit`]); it lasts until it expires or the app erases it.
    pub distributor: Option<Distributor>,
}

impl fmt::Debug for RingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RingKey")
            .field("purpose", &self.purpose)
            .field("key_id", &format_args!("{:#010x}", self.key_id))
            .field("guk_id", &self.guk_id)
            .field("activation", &self.activation)
            .field("expiry", &self.expiry)
            .field("distributor", &self.distributor)
            .finish_non_exhaustive()
    }
}

impl RingKey {
    /// A key for the ring, usable at once and until erased, of no recorded distributor.
    ///
    /// # Errors
    /// [`KeyRingError::UnsupportedPurpose`] when the key ID's purpose tag is 3 or above 6.
    pub fn new(
        key: &[u8; KEY_BYTES],
        key_id: u32,
        rand: &[u8],
        guk_id: Option<u32>,
    ) -> Result<Self, KeyRingError> {
        Ok(Self {
            purpose: Purpose::of_key_id(key_id).ok_or(KeyRingError::UnsupportedPurpose)?,
            key_id,
            key: Box::new(Zeroizing::new(*key)),
            rand: rand.to_vec(),
            guk_id,
            activation: None,
            expiry: None,
            distributor: None,
        })
    }

    /// The key of a processed I_MESSAGE, distributed by its initiator.
    pub fn from_received(received: &ReceivedKey) -> Self {
        let purpose = match received.kind {
            KeyKind::Gmk => Purpose::Gmk,
            KeyKind::Pck => Purpose::Pck,
            KeyKind::Csk => Purpose::Csk,
            KeyKind::Mkfc => Purpose::Mkfc,
            KeyKind::Mscck => Purpose::Mscck,
            KeyKind::Musik => Purpose::Musik,
        };
        // The key parameters' times (seconds since 1900) as Unix seconds; an activation time
        // before 1970 is "at once", an expiry time of 0 is "none".
        let params = received.key_parameters.as_ref();
        let activation = params
            .and_then(|p| crate::time::ntp_to_unix(p.activation_time))
            .filter(|&t| t != 0);
        let expiry = params
            .filter(|p| p.expiry_time != 0)
            .map(|p| crate::time::ntp_to_unix(p.expiry_time).unwrap_or(0));
        Self {
            purpose,
            key_id: received.key_id,
            key: Box::new(received.key.clone()),
            rand: received.rand.clone(),
            guk_id: received.guk_id,
            activation,
            expiry,
            distributor: Some(Distributor::of(received)),
        }
    }

    /// The key itself (secret).
    pub fn key(&self) -> &[u8; KEY_BYTES] {
        &self.key
    }

    /// Refuses a key outside its activation and expiry times at Unix time `now`.
    fn usable(&self, now: u64) -> Result<(), KeyRingError> {
        if self.expiry.is_some_and(|e| now >= e) {
            return Err(KeyRingError::Expired);
        }
        if self.activation.is_some_and(|a| now < a) {
            return Err(KeyRingError::NotYetActive);
        }
        Ok(())
    }
}

/// Keys by purpose and ID.
#[derive(Clone, Default)]
pub struct KeyRing {
    keys: BTreeMap<(Purpose, u32), RingKey>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.keys.values()).finish()
    }
}

impl KeyRing {
    /// An empty ring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `key` at Unix time `now`, replacing (and erasing) a key of the same purpose and
    /// ID, and erases every key that has expired. This does not check who distributed the key
    /// held: [`Client::mikey_receive`](super::Client::mikey_receive) calls
    /// [`KeyRing::admit`] first.
    pub fn store(&mut self, key: RingKey, now: u64) {
        self.keys.insert((key.purpose, key.key_id), key);
        self.purge(now);
    }

    /// Whether the initiator `by` of an I_MESSAGE for `key_id` may replace or revoke (or change
    /// the key parameters of) the key the ring holds under that ID at Unix time `now` (TS
    /// 33.180 5.8, 5.11.2):
    /// - no key held under that ID (or only one whose expiry time has come): yes;
    /// - a key held with its distributor recorded: only when `by` is that distributor (the
    ///   same initiator KMS URI and the same initiator URI, or UID, or a URI known on one side
    ///   hashing to the other side's UID in the key periods of its time: see the module
    ///   documentation and [`UidTime`]); `hashes_to(uri, uid, time)` tells whether `uri`
    ///   hashes to `uid` at `time` under `by`'s KMS;
    /// - a key held without a distributor (read from a key store of format version 2): never.
    ///   Nobody is known to have distributed it, and holding the same key proves nothing (every
    ///   member of a group holds its GMK), so no message may replace it, revoke it or change
    ///   its parameters: it lasts until its expiry time comes or the app erases it
    ///   ([`KeyRing::erase`], C `mkc_client_key_erase`); after that the key ID is free for
    ///   whichever initiator sends it next.
    ///
    /// Returns the distributor to record with the new key: `by`, with the URI held when `by`'s
    /// message hid it.
    ///
    /// # Errors
    /// [`KeyRingError::OtherInitiator`]: the ring is left as it is.
    pub fn admit(
        &self,
        key_id: u32,
        by: &Distributor,
        hashes_to: impl Fn(&str, &[u8; UID_BYTES], &UidTime) -> bool,
        now: u64,
    ) -> Result<Distributor, KeyRingError> {
        let held = Purpose::of_key_id(key_id)
            .and_then(|p| self.keys.get(&(p, key_id)))
            .filter(|k| k.expiry.is_none_or(|e| now < e));
        let Some(held) = held else {
            return Ok(by.clone());
        };
        match &held.distributor {
            Some(d) if d.same_as(by, hashes_to) => Ok(Distributor {
                uri: by.uri.clone().or_else(|| d.uri.clone()),
                ..by.clone()
            }),
            Some(_) | None => Err(KeyRingError::OtherInitiator),
        }
    }

    /// Erases every key whose expiry time has come at Unix time `now`; returns how many.
    pub fn purge(&mut self, now: u64) -> usize {
        let before = self.keys.len();
        self.keys.retain(|_, k| k.expiry.is_none_or(|e| now < e));
        before - self.keys.len()
    }

    /// Erases the key with `key_id` (e.g. a PCK when its call ends); whether there was one.
    pub fn erase(&mut self, key_id: u32) -> bool {
        Purpose::of_key_id(key_id).is_some_and(|p| self.keys.remove(&(p, key_id)).is_some())
    }

    /// Sets the activation and expiry times (Unix seconds) of the key with `key_id`.
    ///
    /// # Errors
    /// [`KeyRingError::UnknownKey`].
    pub fn set_validity(
        &mut self,
        key_id: u32,
        activation: Option<u64>,
        expiry: Option<u64>,
    ) -> Result<(), KeyRingError> {
        let purpose = Purpose::of_key_id(key_id).ok_or(KeyRingError::UnknownKey)?;
        let key = self
            .keys
            .get_mut(&(purpose, key_id))
            .ok_or(KeyRingError::UnknownKey)?;
        key.activation = activation;
        key.expiry = expiry;
        Ok(())
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the ring is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys, by purpose then ID.
    pub fn keys(&self) -> impl Iterator<Item = &RingKey> {
        self.keys.values()
    }

    /// The key with `key_id`, usable at Unix time `now`. An expired key is erased.
    ///
    /// # Errors
    /// [`KeyRingError::UnknownKey`], [`KeyRingError::NotYetActive`], [`KeyRingError::Expired`].
    pub fn get(&mut self, key_id: u32, now: u64) -> Result<&RingKey, KeyRingError> {
        let purpose = Purpose::of_key_id(key_id).ok_or(KeyRingError::UnknownKey)?;
        let slot = (purpose, key_id);
        let state = self
            .keys
            .get(&slot)
            .ok_or(KeyRingError::UnknownKey)?
            .usable(now);
        match state {
            Err(KeyRingError::Expired) => {
                self.keys.remove(&slot);
                Err(KeyRingError::Expired)
            }
            Err(e) => Err(e),
            Ok(()) => self.keys.get(&slot).ok_or(KeyRingError::UnknownKey),
        }
    }

    /// The SRTP master key and salt for a packet whose MKI is `mki` (TS 33.180 7.4): a PCK-ID
    /// (4 octets) or GMK-ID || GUK-ID (8) naming a key of the ring usable at Unix time `now`;
    /// `cs_id` is the CS ID of the stream (Table E.1.3-1).
    ///
    /// # Errors
    /// [`KeyRingError::UnknownKey`] (not an MKI of TS 33.180 7.4, or no such key),
    /// [`KeyRingError::NotYetActive`], [`KeyRingError::Expired`] (the key is erased).
    pub fn srtp_for_mki(
        &mut self,
        mki: &[u8],
        cs_id: u8,
        now: u64,
    ) -> Result<SrtpMaster, KeyRingError> {
        let mki = Mki::parse(mki).ok_or(KeyRingError::UnknownKey)?;
        let key = self.get(mki.key_id(), now)?;
        SrtpMaster::derive(&key.key, key.key_id, &key.rand, cs_id, mki).map_err(|e| match e {
            MkiError::NotMediaKey => KeyRingError::NotMediaKey,
            MkiError::UnknownMki | MkiError::InvalidLength => KeyRingError::UnknownKey,
        })
    }
}

impl super::Client {
    /// The keys received so far ([`Client::mikey_receive`](super::Client::mikey_receive)).
    pub fn keyring(&self) -> &KeyRing {
        &self.keyring
    }

    /// The key ring, to set validity times, erase a call's PCK, or look up an MKI.
    pub fn keyring_mut(&mut self) -> &mut KeyRing {
        &mut self.keyring
    }

    /// [`Client::mikey_process_imessage`](super::Client::mikey_process_imessage), then stores
    /// the key in the key ring at `now` (replacing one of the same purpose and ID; keys whose
    /// expiry has come are erased), with the activation and expiry times of its key parameters
    /// (TS 33.180 E.6) when the message carries them, and its initiator as its distributor. A
    /// key download from a server (a CSK, MKFC, MSCCK or MuSiK with the server's URI as
    /// initiator; or a copy of our own message through SAKKE-to-self) is stored like any other.
    ///
    /// Only the initiator that distributed a key held may replace or revoke it (TS 33.180 5.8,
    /// 5.11.2; see [`KeyRing::admit`]): a message of another initiator (another initiator KMS
    /// URI, or another initiator URI or UID) for a key ID the ring holds is refused with
    /// [`KeyRingError::OtherInitiator`], whether it carries a new key or revokes it.
    ///
    /// # Errors
    /// As [`Client::mikey_process_imessage`](super::Client::mikey_process_imessage), checked
    /// first; then [`KeyRingError::OtherInitiator`]; then, for a revoked key
    /// ([`MikeyError::KeyRevoked`](crate::mikey::MikeyError::KeyRevoked)), the key of that ID
    /// is also erased from the ring; [`KeyRingError::Expired`] for a key whose expiry time has
    /// already come. Nothing is stored then.
    pub fn mikey_receive(
        &mut self,
        identity: &str,
        now: u64,
        replay_window_s: u64,
        initiator_uri: Option<&str>,
        message: &[u8],
    ) -> Result<ReceivedKey, super::ClientError> {
        let received = self.mikey_process_imessage_revoked_too(
            identity,
            now,
            replay_window_s,
            initiator_uri,
            message,
        )?;
        let by = Distributor::of(&received);
        let kms = self.initiator_kms_params(&received.initiator_kms_uri, now);
        let distributor = self.keyring.admit(
            received.key_id,
            &by,
            |uri, uid, time| kms.is_some_and(|kms| time.uri_hashes_to(uri, uid, &kms)),
            now,
        )?;
        if received
            .key_parameters
            .as_ref()
            .is_some_and(crate::mikey::KeyParameters::revoked)
        {
            self.keyring.erase(received.key_id);
            return Err(crate::mikey::MikeyError::KeyRevoked(received.key_id).into());
        }
        let mut key = RingKey::from_received(&received);
        key.distributor = Some(distributor);
        if key.expiry.is_some_and(|e| now >= e) {
            return Err(KeyRingError::Expired.into());
        }
        self.keyring.store(key, now);
        Ok(received)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GMK_ID: u32 = 0x0123_4567;
    const PCK_ID: u32 = 0x1000_0042;

    fn key(id: u32, guk: Option<u32>) -> RingKey {
        RingKey::new(&[id as u8; 16], id, &[7; 16], guk).unwrap()
    }

    #[test]
    fn purposes() {
        for (id, p) in [
            (0x0000_0001, Purpose::Gmk),
            (0x1000_0001, Purpose::Pck),
            (0x2000_0001, Purpose::Csk),
            (0x4000_0001, Purpose::Mkfc),
            (0x5000_0001, Purpose::Mscck),
            (0x6000_0001, Purpose::Musik),
        ] {
            assert_eq!(Purpose::of_key_id(id), Some(p));
        }
        for id in [0x3000_0000u32, 0x7000_0000, 0xf000_0000] {
            assert_eq!(Purpose::of_key_id(id), None);
            assert_eq!(
                RingKey::new(&[0; 16], id, &[1], None).unwrap_err(),
                KeyRingError::UnsupportedPurpose
            );
        }
        assert!(Purpose::Pck.is_dynamic() && !Purpose::Gmk.is_dynamic());
    }

    #[test]
    fn lookups_honour_activation_and_expiry() {
        let mut ring = KeyRing::new();
        ring.store(key(GMK_ID, Some(0x0aaa_aaaa)), 100);
        ring.set_validity(GMK_ID, Some(200), Some(300)).unwrap();
        assert_eq!(
            ring.get(GMK_ID, 199).unwrap_err(),
            KeyRingError::NotYetActive
        );
        assert_eq!(ring.get(GMK_ID, 200).unwrap().key_id, GMK_ID);
        let mki = Mki::gmk(GMK_ID, 0x0bbb_bbbb);
        assert!(ring.srtp_for_mki(mki.as_bytes(), 4, 250).is_ok());
        assert_eq!(
            ring.srtp_for_mki(mki.as_bytes(), 4, 300).unwrap_err(),
            KeyRingError::Expired
        );
        // Erased: gone for good.
        assert!(ring.is_empty());
        assert_eq!(ring.get(GMK_ID, 250).unwrap_err(), KeyRingError::UnknownKey);
        assert_eq!(
            ring.set_validity(GMK_ID, None, None).unwrap_err(),
            KeyRingError::UnknownKey
        );
    }

    #[test]
    fn replacing_storing_purging_erasing() {
        let mut ring = KeyRing::new();
        ring.store(key(PCK_ID, None), 0);
        ring.store(key(GMK_ID, Some(1)), 0);
        ring.set_validity(GMK_ID, None, Some(50)).unwrap();
        let mut newer = key(PCK_ID, None);
        newer.rand = vec![9; 16];
        ring.store(newer, 10);
        assert_eq!(ring.len(), 2);
        assert_eq!(ring.get(PCK_ID, 10).unwrap().rand, [9; 16]);
        // Storing at 50 erases the expired GMK.
        ring.store(key(0x2000_0001, None), 50);
        assert_eq!(ring.len(), 2);
        assert_eq!(ring.get(GMK_ID, 10).unwrap_err(), KeyRingError::UnknownKey);
        assert!(ring.erase(PCK_ID));
        assert!(!ring.erase(PCK_ID));
        assert!(!ring.erase(0x3000_0000));
        ring.set_validity(0x2000_0001, None, Some(60)).unwrap();
        assert_eq!(ring.purge(59), 0);
        assert_eq!(ring.purge(60), 1);
        assert!(ring.is_empty());
    }

    #[test]
    fn mki_refusals_and_debug() {
        let mut ring = KeyRing::new();
        ring.store(key(PCK_ID, None), 0);
        ring.store(key(0x2000_0005, None), 0);
        assert_eq!(
            ring.srtp_for_mki(&PCK_ID.to_be_bytes(), 0, 0).unwrap().mki,
            Mki::pck(PCK_ID)
        );
        for bad in [&[][..], &[1, 2, 3], &(PCK_ID + 1).to_be_bytes(), &[0; 8]] {
            assert_eq!(
                ring.srtp_for_mki(bad, 0, 0).unwrap_err(),
                KeyRingError::UnknownKey
            );
        }
        let debug = format!("{ring:?}");
        assert!(debug.contains("0x10000042") && !debug.contains("66, 66"));
    }

    fn by(kms: &str, uri: Option<&str>, uid: u8) -> Distributor {
        Distributor {
            kms_uri: kms.into(),
            uri: uri.map(Into::into),
            uid: [uid; UID_BYTES],
            // Each UID of these tests stands for a key period: a time of its own.
            uid_time: UidTime {
                time_ntp: u64::from(uid) * 1000,
                tolerance_s: 0,
            },
        }
    }

    /// Only the distributor of a held key may replace or revoke it: the same initiator KMS URI
    /// and the same URI, or (for a hidden URI) the same UID or a URI hashing to it.
    #[test]
    fn only_the_distributor_is_admitted() {
        const GMS: &str = "sip:gms@example.org";
        let mut ring = KeyRing::new();
        // Nothing held: anyone, recorded as the distributor.
        let gms = by("kms.example.org", Some(GMS), 1);
        assert_eq!(
            ring.admit(PCK_ID, &gms, |_, _, _| false, 0),
            Ok(gms.clone())
        );
        let mut held = key(PCK_ID, None);
        held.distributor = Some(gms.clone());
        ring.store(held, 0);

        let other = KeyRingError::OtherInitiator;
        for (newer, uri_matches, expected) in [
            // The same URI in another period (another UID): the same initiator.
            (by("kms.example.org", Some(GMS), 2), false, Ok(())),
            // The same URI of another KMS (a partner domain): another initiator.
            (by("kms.partner.net", Some(GMS), 1), true, Err(other)),
            (
                by("kms.example.org", Some("sip:bob@example.org"), 1),
                true,
                Err(other),
            ),
            // Hidden: recognised by the UID, or by our URI hashing to the newer UID at the newer
            // message's time.
            (by("kms.example.org", None, 1), false, Ok(())),
            (by("kms.example.org", None, 3), true, Ok(())),
            (by("kms.example.org", None, 3), false, Err(other)),
        ] {
            let got = ring.admit(
                PCK_ID,
                &newer,
                |u, uid, time| {
                    uri_matches && u == GMS && *uid == newer.uid && *time == newer.uid_time
                },
                0,
            );
            match expected {
                // The URI held is kept when the newer message hid it.
                Ok(()) => assert_eq!(
                    got,
                    Ok(Distributor {
                        uri: Some(GMS.into()),
                        ..newer
                    })
                ),
                Err(e) => assert_eq!(got, Err(e), "{newer:?}"),
            }
        }
        // A held distributor whose URI was hidden: its UID (4) and the time it was in force are
        // known. GMS hashes to that UID at that time, bob does not.
        let mut hidden = key(GMK_ID, Some(1));
        let gms_hidden = by("kms.example.org", None, 4);
        hidden.distributor = Some(gms_hidden.clone());
        ring.store(hidden, 0);
        let gms_was_4 = |u: &str, uid: &[u8; UID_BYTES], time: &UidTime| {
            u == GMS && *uid == gms_hidden.uid && *time == gms_hidden.uid_time
        };
        for (newer, expected) in [
            // The same UID (same period), URI now known: the same initiator.
            (by("kms.example.org", Some(GMS), 4), Ok(())),
            // Another period (UID 5), URI known and hashing to the held UID at the held time.
            (by("kms.example.org", Some(GMS), 5), Ok(())),
            // Another URI, or the same URI of another KMS.
            (
                by("kms.example.org", Some("sip:bob@example.org"), 5),
                Err(other),
            ),
            (by("kms.partner.net", Some(GMS), 5), Err(other)),
            // Hidden again in another period: two hidden UIDs cannot be tied; refused.
            (by("kms.example.org", None, 5), Err(other)),
            // Hidden again in the same period: the same UID.
            (by("kms.example.org", None, 4), Ok(())),
        ] {
            let got = ring.admit(GMK_ID, &newer, gms_was_4, 0);
            match expected {
                // Recorded as the newer message's initiator (its URI, when now known).
                Ok(()) => assert_eq!(got, Ok(newer)),
                Err(e) => assert_eq!(got, Err(e), "{newer:?}"),
            }
        }
        assert_eq!(
            ring.admit(
                GMK_ID,
                &by("kms.example.org", Some(GMS), 5),
                |_, _, _| false,
                0
            ),
            Err(other)
        );
        // An expired key held does not count.
        ring.set_validity(GMK_ID, None, Some(10)).unwrap();
        assert!(
            ring.admit(GMK_ID, &by("kms.other.org", None, 9), |_, _, _| false, 10)
                .is_ok()
        );
    }
}
