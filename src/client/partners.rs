//! Certificates of partner KMS domains (TS 33.180 5.2.7; D.2 `certcache`; D.3.4
//! `KmsCertCache`, certificates with Role="External"): the home KMS hands out the certificates
//! of the domains its users talk to, and MIKEY with a user of another domain needs that
//! domain's KPAK, Z_T and UID parameters.
//!
//! Once the client holds its own certificate it asks for `certcache` (then
//! `certcache/<CacheNum>`, naming the cache number it holds) at once and every
//! [`ClientConfig::certcache_interval_s`](super::ClientConfig::certcache_interval_s). Each
//! certificate of an answer is judged on its own and keyed by its KmsUri:
//! - a valid one is installed, replacing one held for that KmsUri
//!   ([`Event::PartnerCertificateInstalled`]);
//! - a Revoked one erases what was held for that KmsUri and is remembered as revoked, so that
//!   MIKEY refuses that domain as revoked ([`Event::PartnerCertificateRemoved`]) until a
//!   newer cache no longer names it;
//! - an invalid one (bad KPAK or Z_T, outside its validity, our own KmsUri, ...) is reported
//!   ([`Event::MaterialRejected`]) and changes nothing.
//!
//! What an answer may change depends on its `CacheNum` against the one held:
//! - older: the answer is stale (a lagging KMS replica, a cached response) and changes
//!   nothing: nothing installed, revoked or erased, the held `CacheNum` kept (so the next
//!   request still names it). It is ignored quietly, as "nothing new", with no event (like a
//!   key set for a period not asked for), and the next request comes at the usual interval;
//! - the same: its certificates are judged as above, except that a valid certificate of a
//!   domain held as revoked is ignored quietly: only a newer cache takes a revocation back.
//!   It erases nothing;
//! - newer (or the first answer): its certificates are judged as above, and if it holds at
//!   least one it is the KMS's whole current cache: a partner domain it does not name is
//!   erased ([`Event::PartnerCertificateRemoved`] with [`Rejection::NotInCache`] for a valid
//!   one; a revoked one is forgotten without a second report) and MIKEY refuses it as an
//!   unknown domain. An empty answer erases nothing: `certcache/<CacheNum>` names the cache
//!   the client holds (TS 33.180 D.2), and a KMS answers it with no certificate when nothing
//!   changed (the reference KMS does), so an empty list means "nothing new", never "no
//!   partner any more". Its `CacheNum` becomes the one held.
//!
//! An answer refused whole, a `KmsError` or a failed request changes nothing either. So a KMS
//! must never number its cache lower than a number it once gave out (across restarts too): a
//! client holding a higher number ignores its answers until its numbers pass that one. A
//! certificate past its ValidTo is removed. At most [`MAX_PARTNERS`] domains are held; an
//! answer with more certificates is refused whole (whatever its `CacheNum`).
//! The period numbering of a partner domain cannot be learnt (the client never asks that KMS
//! for keys): its periods are the TS 33.180 F.2.1 ones.

use std::collections::{BTreeMap, BTreeSet};

use super::{Client, Event, Rejection, material::Certificate};
use crate::kms::message::KmsCertificate;
use crate::text::reportable;

/// The most partner domains (certificates by KmsUri, revoked ones included) a client holds.
pub const MAX_PARTNERS: usize = 64;

/// What the client holds for a partner KmsUri.
pub(crate) enum Partner {
    /// A validated certificate, tables built.
    Valid(Box<Certificate>),
    /// The certificate as the KMS sent it with Revoked=true.
    Revoked(KmsCertificate),
}

/// The partner domains and the KMS's cache number.
#[derive(Default)]
pub(crate) struct Partners {
    /// The `CacheNum` of the newest cache answer installed (an older answer never lowers it).
    pub(crate) cache_num: Option<u64>,
    pub(crate) by_uri: BTreeMap<String, Partner>,
}

/// What the client knows of a KMS domain, see [`Client::partner_status`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartnerStatus {
    /// No certificate of that KmsUri is held (never received, or past its ValidTo).
    Unknown,
    /// A valid certificate is held: MIKEY with users of that domain works.
    Valid,
    /// Its certificate came back Revoked: MIKEY with that domain is refused.
    Revoked,
}

impl Partners {
    /// The valid certificate of `kms_uri` at Unix time `now`, or the status that refuses it.
    pub(crate) fn get(&self, kms_uri: &[u8], now: u64) -> Result<&Certificate, PartnerStatus> {
        let uri = std::str::from_utf8(kms_uri).map_err(|_| PartnerStatus::Unknown)?;
        match self.by_uri.get(uri) {
            Some(Partner::Valid(cert)) if cert.holds_at(now) => Ok(cert),
            Some(Partner::Revoked(_)) => Err(PartnerStatus::Revoked),
            _ => Err(PartnerStatus::Unknown),
        }
    }
}

impl Client {
    /// What the client holds for KMS domain `kms_uri` at Unix time `now`: the certificate of
    /// the client's own KMS counts as [`PartnerStatus::Valid`].
    pub fn partner_status(&self, kms_uri: &str, now: u64) -> PartnerStatus {
        if self
            .certificate
            .as_ref()
            .is_some_and(|c| c.kms_uri() == kms_uri)
        {
            return PartnerStatus::Valid;
        }
        match self.partners.get(kms_uri.as_bytes(), now) {
            Ok(_) => PartnerStatus::Valid,
            Err(status) => status,
        }
    }

    /// The valid certificates of partner domains held.
    pub fn partner_certificates(&self) -> impl Iterator<Item = &Certificate> {
        self.partners.by_uri.values().filter_map(|p| match p {
            Partner::Valid(cert) => Some(&**cert),
            Partner::Revoked(_) => None,
        })
    }

    /// The `CacheNum` of the certificate cache the client holds.
    pub fn partner_cache_num(&self) -> Option<u64> {
        self.partners.cache_num
    }

    /// Installs a `KmsCertCache` answer (see the module documentation). False when the answer
    /// was refused whole.
    pub(crate) fn install_cert_cache(
        &mut self,
        cache_num: u64,
        certificates: Vec<KmsCertificate>,
        now: u64,
    ) -> bool {
        if certificates.len() > MAX_PARTNERS {
            self.reject(
                None,
                None,
                Rejection::Malformed,
                Some(format!(
                    "{} certificates in the cache, at most {MAX_PARTNERS}",
                    certificates.len()
                )),
            );
            return false;
        }
        let held = self.partners.cache_num;
        if held.is_some_and(|held| cache_num < held) {
            // A stale answer (a lagging KMS replica, a cached response): it must not undo what
            // the newer cache held decided. Ignored quietly, as "nothing new".
            return true;
        }
        let newer = held.is_none_or(|held| cache_num > held);
        if newer && !certificates.is_empty() {
            self.drop_partners_not_in(&certificates);
        }
        let own = self
            .certificate
            .as_ref()
            .map(|c| c.kms_uri().to_owned())
            .unwrap_or_default();
        for cert in certificates {
            let uri = cert.kms_uri.clone();
            let room = self.partners.by_uri.contains_key(&uri)
                || self.partners.by_uri.len() < MAX_PARTNERS;
            if !room {
                self.reject(
                    None,
                    None,
                    Rejection::Malformed,
                    Some(format!("more than {MAX_PARTNERS} partner domains: {uri}")),
                );
                continue;
            }
            if cert.revoked && uri != own && !uri.is_empty() {
                self.set_partner(uri, Partner::Revoked(cert));
                continue;
            }
            if !newer && matches!(self.partners.by_uri.get(&uri), Some(Partner::Revoked(_))) {
                // Only a newer cache may take a revocation back: the same CacheNum names the
                // cache that revoked this domain.
                continue;
            }
            match Certificate::validate_external(cert, &own, now) {
                Ok(new) => self.set_partner(uri, Partner::Valid(Box::new(new))),
                Err(reason) => self.reject(
                    None,
                    None,
                    reason,
                    Some(format!("partner certificate {uri}")),
                ),
            }
        }
        self.partners.cache_num = Some(cache_num);
        true
    }

    /// Erases every partner domain that `cache` (the whole current cache of the KMS) does not
    /// name by KmsUri: a valid one is reported ([`Rejection::NotInCache`]), a revoked one
    /// (reported when it was revoked) is forgotten.
    fn drop_partners_not_in(&mut self, cache: &[KmsCertificate]) {
        let named: BTreeSet<&str> = cache.iter().map(|c| c.kms_uri.as_str()).collect();
        let dropped: Vec<String> = self
            .partners
            .by_uri
            .keys()
            .filter(|uri| !named.contains(uri.as_str()))
            .cloned()
            .collect();
        for uri in dropped {
            if let Some(Partner::Valid(_)) = self.partners.by_uri.remove(&uri) {
                self.events.push_back(Event::PartnerCertificateRemoved {
                    kms_uri: reportable(&uri),
                    reason: Rejection::NotInCache,
                });
            }
        }
    }

    /// Holds `partner` for `uri` and reports what changed: a valid certificate new or with
    /// other keys ([`Event::PartnerCertificateInstalled`]), a domain newly revoked
    /// ([`Event::PartnerCertificateRemoved`]). The one path for cache answers and import.
    pub(crate) fn set_partner(&mut self, uri: String, partner: Partner) {
        let held = self.partners.by_uri.get(&uri);
        let event = match &partner {
            Partner::Valid(new) => match held {
                Some(Partner::Valid(old)) if old.same_keys(&new.xml) => None,
                _ => Some(Event::PartnerCertificateInstalled {
                    kms_uri: reportable(&uri),
                    changed: held.is_some(),
                }),
            },
            Partner::Revoked(_) => match held {
                Some(Partner::Revoked(_)) => None,
                _ => Some(Event::PartnerCertificateRemoved {
                    kms_uri: reportable(&uri),
                    reason: Rejection::Revoked,
                }),
            },
        };
        self.events.extend(event);
        self.partners.by_uri.insert(uri, partner);
    }

    /// Removes partner certificates past their ValidTo at Unix time `now`.
    pub(crate) fn expire_partners(&mut self, now: u64) {
        let expired: Vec<String> = self
            .partners
            .by_uri
            .iter()
            .filter(|(_, p)| matches!(p, Partner::Valid(c) if !c.holds_at(now)))
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in expired {
            self.partners.by_uri.remove(&uri);
            self.events.push_back(Event::PartnerCertificateRemoved {
                kms_uri: reportable(&uri),
                reason: Rejection::NotValid,
            });
        }
    }

    /// The earliest ValidTo of a held partner certificate after `now`.
    pub(crate) fn next_partner_expiry(&self) -> Option<u64> {
        self.partners
            .by_uri
            .values()
            .filter_map(|p| match p {
                Partner::Valid(c) => c.xml.valid_to.map(|t| u64::try_from(t).unwrap_or(0)),
                Partner::Revoked(_) => None,
            })
            .min()
    }
}
