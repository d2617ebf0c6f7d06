//! The provisioning client's configuration: where the KMS is, who we are, and how eagerly to
//! fetch and retry.

use crate::uid::IdEncoding;

/// Configuration of a [`super::Client`]. All durations are seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// Base URL of the KMS, e.g. `https://kms.example.org` or `https://kms.example.org:8443/base`;
    /// requests go to `<base>/keymanagement/identity/v1/...` (TS 33.180 D.2). `https://` only,
    /// unless [`Self::allow_insecure_http`] is set.
    pub kms_url: String,
    /// Accept an `http://` base URL. For tests only: key material would cross the network in
    /// the clear.
    pub allow_insecure_http: bool,
    /// The user's URI (MCPTT ID), used octet for octet as P1 of its UID.
    pub user_uri: String,
    /// Further identities the client fetches keys for (functional aliases, a GMS identity).
    pub extra_identities: Vec<String>,
    /// The KMS URI the certificate must carry, if known in advance (`KmsUri`).
    pub expected_kms_uri: Option<String>,
    /// Fetch the next key period this long before the current one ends.
    pub prefetch_s: u64,
    /// Keep a period's material this long after the period ends before erasing it.
    pub grace_s: u64,
    /// First retry delay after a failure; doubled after each further failure.
    pub retry_initial_s: u64,
    /// The cap on the retry delay.
    pub retry_max_s: u64,
    /// Attempts per request before the client reports [`super::Event::RetriesExhausted`] and
    /// parks it until [`super::Client::refresh`], a new access token, or the start of the next
    /// key period (an hour later while there is no certificate).
    pub max_attempts: u32,
    /// How a UID is fed to ECCSI and SAKKE as the identifier.
    pub id_encoding: IdEncoding,
    /// Seed of the retry jitter: `None` draws it from the OS RNG; a value makes the retry
    /// times a function of the seed, so that a run can be replayed (tests, field logs).
    pub jitter_seed: Option<u64>,
    /// Ask the KMS for its certificate cache (the certificates of partner KMS domains, TS
    /// 33.180 5.2.7, D.3.4) once the client holds its own certificate and then this often;
    /// 0 (the default) never asks. A deployment whose users talk to other domains sets it,
    /// e.g. to 86400 (daily).
    pub certcache_interval_s: u64,
}

impl ClientConfig {
    /// A configuration with the defaults: prefetch one day ahead, one hour of grace, retries
    /// from 2 s up to 10 minutes, 8 attempts, raw UID identifiers, jitter from the OS RNG.
    pub fn new(kms_url: impl Into<String>, user_uri: impl Into<String>) -> Self {
        Self {
            kms_url: kms_url.into(),
            allow_insecure_http: false,
            user_uri: user_uri.into(),
            extra_identities: Vec::new(),
            expected_kms_uri: None,
            prefetch_s: 86_400,
            grace_s: 3_600,
            retry_initial_s: 2,
            retry_max_s: 600,
            max_attempts: 8,
            id_encoding: IdEncoding::Raw,
            jitter_seed: None,
            certcache_interval_s: 0,
        }
    }

    /// Checks the configuration and returns the normalised base URL (no trailing `/`).
    pub(crate) fn validate(&self) -> Result<String, ConfigError> {
        let url = self.kms_url.trim_end_matches('/');
        let rest = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
            rest
        } else if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
            if !self.allow_insecure_http {
                return Err(ConfigError::InsecureUrl);
            }
            rest
        } else {
            return Err(ConfigError::BadUrl);
        };
        let host = rest.split('/').next().unwrap_or("");
        let forbidden =
            |c: char| c.is_whitespace() || c.is_control() || "?#\"<>\\^`{|}".contains(c);
        if host.is_empty() || url.chars().any(forbidden) {
            return Err(ConfigError::BadUrl);
        }
        let identities = std::iter::once(&self.user_uri).chain(&self.extra_identities);
        for (i, identity) in identities.clone().enumerate() {
            // A control character (NUL, ESC, CR, ...) cannot travel in the KMS's XML as
            // written: a request carrying it would be refused, and retried, forever.
            if identity.is_empty()
                || identity.len() > usize::from(u16::MAX)
                || identity.chars().any(char::is_control)
            {
                return Err(ConfigError::BadIdentity);
            }
            if identities
                .clone()
                .take(i)
                .any(|earlier| earlier == identity)
            {
                return Err(ConfigError::DuplicateIdentity);
            }
        }
        if self
            .expected_kms_uri
            .as_ref()
            .is_some_and(|k| k.is_empty() || k.len() > 65_535 || k.chars().any(char::is_control))
        {
            return Err(ConfigError::BadKmsUri);
        }
        if self.max_attempts == 0
            || self.retry_initial_s == 0
            || self.retry_max_s < self.retry_initial_s
        {
            return Err(ConfigError::BadRetry);
        }
        Ok(url.to_owned())
    }

    /// The user URI, then the extra identities.
    pub(crate) fn identities(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.user_uri).chain(&self.extra_identities)
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Why a [`ClientConfig`] was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The KMS URL is not an absolute `https://` URL with a host, or has a query, fragment,
    /// space or control character.
    #[error("the KMS URL is not an https:// URL with a host")]
    BadUrl,
    /// The KMS URL is `http://` and insecure HTTP was not allowed.
    #[error("the KMS URL is http:// and insecure HTTP is not allowed")]
    InsecureUrl,
    /// An identity is empty, longer than 65535 octets, or holds a control character.
    #[error("an identity is empty, longer than 65535 octets, or holds a control character")]
    BadIdentity,
    /// The same identity is given twice.
    #[error("the same identity is given twice")]
    DuplicateIdentity,
    /// The expected KMS URI is empty, longer than 65535 octets, or holds a control character.
    #[error("the expected KMS URI is empty or too long")]
    BadKmsUri,
    /// Zero attempts, a zero first delay, or a cap below the first delay.
    #[error("the retry settings are inconsistent")]
    BadRetry,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_required_unless_allowed() {
        let mut c = ClientConfig::new("https://kms.example.org/", "sip:alice@example.org");
        assert_eq!(c.validate().unwrap(), "https://kms.example.org");
        c.kms_url = "HTTPS://kms.example.org:8443/base".into();
        assert!(c.validate().is_ok());
        c.kms_url = "http://kms.example.org".into();
        assert_eq!(c.validate(), Err(ConfigError::InsecureUrl));
        c.allow_insecure_http = true;
        assert!(c.validate().is_ok());
        for bad in [
            "ftp://x",
            "https://",
            "https://a b",
            "https://x/?q",
            "kms.example.org",
        ] {
            c.kms_url = bad.into();
            assert_eq!(c.validate(), Err(ConfigError::BadUrl), "{bad}");
        }
    }

    #[test]
    fn identities_and_retries_are_checked() {
        let mut c = ClientConfig::new("https://k", "sip:a@b");
        c.extra_identities = vec!["sip:a@b".into()];
        assert_eq!(c.validate(), Err(ConfigError::DuplicateIdentity));
        c.extra_identities = vec![String::new()];
        assert_eq!(c.validate(), Err(ConfigError::BadIdentity));
        for bad in ["sip:a\0b", "sip:\u{1b}[2J", "sip:a\r\nb", "sip:a\u{85}"] {
            c.extra_identities.clear();
            c.user_uri = bad.into();
            assert_eq!(c.validate(), Err(ConfigError::BadIdentity), "{bad:?}");
        }
        c.user_uri = "sip:a@b".into();
        c.extra_identities.clear();
        c.max_attempts = 0;
        assert_eq!(c.validate(), Err(ConfigError::BadRetry));
        c.max_attempts = 1;
        c.retry_max_s = 1;
        c.retry_initial_s = 2;
        assert_eq!(c.validate(), Err(ConfigError::BadRetry));
        c.retry_initial_s = 1;
        c.expected_kms_uri = Some(String::new());
        assert_eq!(c.validate(), Err(ConfigError::BadKmsUri));
    }
}
