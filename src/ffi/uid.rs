//! C API of the TS 33.180 UID (Annex F.2.1) and of key period time. Stateless; safe to call
//! from any thread. Times are Unix seconds at this API and NTP seconds inside (DESIGN section 4
//! rule 10).

use super::out::{OutBuf, OutVal};
use super::panic::guard;
use super::result::mkc_result;
use super::slice::{input, region};
use crate::domain::{KeyPeriods, PeriodNumbering};
use crate::{time, uid};

/// Octets of a TS 33.180 UID: a SHA-256 output (Annex F.2.1).
pub const MKC_UID_BYTES: usize = 32;

const _: () = assert!(MKC_UID_BYTES == uid::UID_BYTES);

/// Returns `MKC_UID_BYTES` (32).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_uid_bytes() -> usize {
    MKC_UID_BYTES
}

/// Derives the MIKEY-SAKKE UID of TS 33.180 Annex F.2.1, the identifier to give ECCSI and SAKKE
/// for a user in one key period: SHA-256 (no key, no truncation) over
/// `0x00 || "MIKEY-SAKKE-UID" || 0x000F || P1 || L1 || ... || P5 || L5`, each Li the length of
/// Pi in 2 octets big-endian, with
/// - P1 = `user_uri` and P2 = `kms_uri`: octets exactly as the KMS wrote them in `UserUri` and
///   `KmsUri` (UTF-8, no NUL terminator, no `sip:` added or removed), at most 65535 octets;
/// - P3 = `key_period_s`: `UserKeyPeriod`, the key period length in seconds;
/// - P4 = `key_offset_s`: `UserKeyOffset`, the key period offset in seconds;
/// - P5 = `period_no`: the key period number (`KeyPeriodNo`; see `mkc_key_period_number`).
///
/// P3..P5 are encoded big-endian in the fewest octets (zero as one 0x00 octet). On success the
/// 32 UID octets are written to `uid_out`; on a failure other than BUFFER_TOO_SMALL
/// `uid_out` is zeroed.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` when `uid_cap` < `MKC_UID_BYTES`;
/// `MKC_RESULT_INVALID_LENGTH` when a URI is longer than 65535 octets;
/// `MKC_RESULT_INVALID_PARAMETER` when `uid_out` overlaps `user_uri` or `kms_uri`; or
/// `MKC_RESULT_NULL_PARAMETER` (a NULL URI with a non-zero length, or a NULL `uid_out` with a
/// non-zero `uid_cap`).
///
/// # Safety
/// `user_uri` and `kms_uri` must be readable for their lengths; `uid_out` writable for `uid_cap`
/// octets.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_uid_derive(
    user_uri: *const u8,
    user_uri_len: usize,
    kms_uri: *const u8,
    kms_uri_len: usize,
    key_period_s: u64,
    key_offset_s: u64,
    period_no: u64,
    uid_out: *mut u8,
    uid_cap: usize,
) -> mkc_result {
    guard(|| {
        let inputs = [region(user_uri, user_uri_len), region(kms_uri, kms_uri_len)];
        // SAFETY: forwarded caller guarantees.
        let mut out = unsafe { OutBuf::fixed(uid_out, uid_cap, &inputs) }?;
        let (user_uri, kms_uri) =
            unsafe { (input(user_uri, user_uri_len)?, input(kms_uri, kms_uri_len)?) };
        out.need(MKC_UID_BYTES)?;
        out.deliver(uid::derive_uid(
            user_uri,
            kms_uri,
            key_period_s,
            key_offset_s,
            period_no,
        ))
    })
}

/// Converts Unix time `unix_s` (seconds since 1970-01-01 00:00 UTC) to NTP time (seconds since
/// 1900-01-01 00:00 UTC): `unix_s + 2208988800`, written to `*ntp_out`.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_INVALID_PARAMETER` when the result does not fit 64 bits
/// (`*ntp_out` zeroed); or `MKC_RESULT_NULL_PARAMETER` (`ntp_out` NULL).
///
/// # Safety
/// `ntp_out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_time_unix_to_ntp(unix_s: u64, ntp_out: *mut u64) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantee.
        let out = unsafe { OutVal::new(ntp_out, &[]) }?;
        out.set(time::unix_to_ntp(unix_s).ok_or(mkc_result::InvalidParameter)?);
        Ok(())
    })
}

/// The TS 33.180 key period number of Unix time `unix_s` (seconds since 1970-01-01 00:00 UTC),
/// counted on the NTP time base: `floor((unix_s + 2208988800 - key_offset_s) / key_period_s)`,
/// written to `*period_no_out`. `key_period_s` (`UserKeyPeriod`) and `key_offset_s`
/// (`UserKeyOffset`) are seconds, from the KMS certificate; the offset is measured from the NTP
/// epoch (1900-01-01 00:00 UTC). Period n covers the NTP seconds
/// `[key_offset_s + n * key_period_s, key_offset_s + (n + 1) * key_period_s)`.
///
/// Some KMSs count periods from the Unix epoch instead: to check a key set, recompute its UID
/// from its own `KeyPeriodNo` rather than from this number.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_INVALID_PARAMETER` when `key_period_s` is 0, when
/// period 0 does not end within 64-bit NTP seconds, when the time in NTP seconds is before
/// `key_offset_s`, or when the NTP time does not fit 64 bits (`*period_no_out` zeroed in each
/// case); or `MKC_RESULT_NULL_PARAMETER` (`period_no_out`
/// NULL).
///
/// # Safety
/// `period_no_out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_key_period_number(
    unix_s: u64,
    key_period_s: u64,
    key_offset_s: u64,
    period_no_out: *mut u64,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantee.
        let out = unsafe { OutVal::new(period_no_out, &[]) }?;
        let n = KeyPeriods::new(key_period_s, key_offset_s, PeriodNumbering::Ntp)
            .ok()
            .and_then(|periods| periods.number_at_unix(unix_s))
            .ok_or(mkc_result::InvalidParameter)?;
        out.set(n);
        Ok(())
    })
}
