//! Time for TS 33.180 key periods. The KMS interface and the UID count time in NTP seconds
//! (epoch 1900-01-01 00:00 UTC); the C API takes Unix seconds and converts here (DESIGN
//! section 4 rule 10).
//!
//! Key period n (TS 33.180 F.2.1, with UserKeyPeriod and UserKeyOffset from the KMS
//! certificate, both in seconds) is `n = floor((t_ntp - offset) / period)` and covers the NTP
//! seconds `[offset + n * period, offset + (n + 1) * period)`.
//!
//! Every function is total: overflow, a zero period or a time before the epoch or the offset
//! gives `None`, never a panic or a wrapped value.

/// Seconds from the NTP epoch (1900-01-01 00:00 UTC) to the Unix epoch (1970-01-01 00:00 UTC).
pub const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// NTP seconds of Unix time `unix_s` (seconds since 1970-01-01 00:00 UTC), or `None` if the
/// sum does not fit 64 bits.
pub fn unix_to_ntp(unix_s: u64) -> Option<u64> {
    unix_s.checked_add(NTP_UNIX_OFFSET)
}

/// Unix seconds of NTP time `ntp_s` (seconds since 1900-01-01 00:00 UTC), or `None` if it is
/// before 1970-01-01 00:00 UTC.
pub fn ntp_to_unix(ntp_s: u64) -> Option<u64> {
    ntp_s.checked_sub(NTP_UNIX_OFFSET)
}

/// The 64-bit NTP timestamp of NTP second `t_ntp_s` (seconds in the upper 32 bits, fraction
/// zero) as the 16 upper-case hex digits of the keyprov URL (TS 33.180 D.2): NTP 0xD6B43232
/// gives `"D6B4323200000000"`. From 2036-02-07 06:28:16 UTC (NTP era 1) the seconds wrap
/// modulo 2^32, as the NTP timestamp format does (RFC 5905 section 6: the era is not carried
/// and is inferred by the receiver from its own clock).
pub fn ntp64_hex(t_ntp_s: u64) -> String {
    let seconds = t_ntp_s & 0xFFFF_FFFF;
    format!("{seconds:08X}00000000")
}
