//! C API of the KMS Redirect Response (TS 33.180 5.2.8, D.4): a receiver that cannot process
//! an I_MESSAGE (its KMS domain is not one the receiver accepts) answers with a KRR naming the
//! KMS domains it does accept; the initiator picks one whose certificate it holds
//! (`mkc_client_partner_status`) and sends the I_MESSAGE again under that domain
//! (`mkc_client_mikey_create_imessage_with_params`).

use super::out::{OutBuf, OutVal};
use super::panic::guard;
use super::result::mkc_result;
use super::slice::{input, region, value_region};
use crate::kms::parse_kms_redirect;

/// `which` of `mkc_kms_redirect_kms_uris`: the KMS URIs acceptable for the receiver
/// (`AcceptableReceiverKmsUris`), where the initiator may retarget its I_MESSAGE.
pub const MKC_KRR_RECEIVER_KMS_URIS: u32 = 0;
/// `which` of `mkc_kms_redirect_kms_uris`: the KMS URIs acceptable for the initiator
/// (`AcceptableInitiatorKmsUris`).
pub const MKC_KRR_INITIATOR_KMS_URIS: u32 = 1;

/// Reads a KMS Redirect Response (`application/vnd.3gpp.kmsredirectresponse+xml`, `krr` of
/// `krr_len` octets, at most 1 MiB) and writes one of its lists of acceptable KMS URIs
/// (`which`: `MKC_KRR_RECEIVER_KMS_URIS` or `MKC_KRR_INITIATOR_KMS_URIS`) to `out`: each URI's
/// UTF-8 octets followed by a NUL, in the KRR's order; `*written` = the octets written, and
/// `*count` (may be NULL) = the number of URIs (0 when the KRR has no such list). A URI is at
/// most 1024 characters with no control or bidirectional-control character; a list holds at
/// most 16.
///
/// The KRR's XML signature is **not** verified (TS 33.180 D.4.2): treat the URIs as a hint
/// from the network, and send only under a domain whose certificate the client already holds.
/// The element names follow this library's reading of TS 33.180 D.4 (the D.4.4 schema was not
/// available to it); see `src/kms/xml/krr.rs`.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` (`*written` = the size needed);
/// `MKC_RESULT_KMS_REDIRECT_MALFORMED` (not a well-formed KRR); `MKC_RESULT_INVALID_PARAMETER`
/// (unknown `which`, overlapping buffers); or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `krr` readable for `krr_len` octets; `out` writable for `out_cap` octets; `written`
/// writable; `count` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_kms_redirect_kms_uris(
    krr: *const u8,
    krr_len: usize,
    which: u32,
    out: *mut u8,
    out_cap: usize,
    written: *mut usize,
    count: *mut usize,
) -> mkc_result {
    guard(|| {
        let krr_region = region(krr, krr_len);
        // SAFETY: forwarded caller guarantees; the later output is checked first.
        OutVal::check(count, true, &[krr_region, (out.cast_const(), out_cap)])?;
        let out =
            unsafe { OutBuf::new(out, out_cap, written, &[krr_region, value_region(count)]) }?;
        let count = unsafe { OutVal::optional(count, &[krr_region]) }?;
        let body = unsafe { input(krr, krr_len) }?;
        let redirect = parse_kms_redirect(body).map_err(|_| mkc_result::KmsRedirectMalformed)?;
        let uris = match which {
            MKC_KRR_RECEIVER_KMS_URIS => &redirect.acceptable_receiver_kms_uris,
            MKC_KRR_INITIATOR_KMS_URIS => &redirect.acceptable_initiator_kms_uris,
            _ => return Err(mkc_result::InvalidParameter),
        };
        let mut list = Vec::new();
        for uri in uris {
            list.extend_from_slice(uri.as_bytes());
            list.push(0);
        }
        match out.put(&list) {
            Ok(()) => {
                count.set(uris.len());
                Ok(())
            }
            Err(e) => {
                if e == mkc_result::BufferTooSmall {
                    count.untouched();
                }
                Err(e)
            }
        }
    })
}
