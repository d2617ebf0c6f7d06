//! The XML seam: every use of `mcptt_kmc::kms::xml` by the server goes through here.

use mcptt_kmc::kms::message::{KmsRequest, KmsResponse};
use zeroize::Zeroizing;

/// The `KmsResponse` document, as UTF-8 text (key sets make it secret, hence zeroizing).
pub fn emit_response(response: &KmsResponse) -> Zeroizing<String> {
    mcptt_kmc::kms::xml::emit_response(response)
}

/// Parses a `KmsRequest` body; the error is a short reason for the log.
pub fn parse_request(body: &[u8]) -> Result<KmsRequest, String> {
    mcptt_kmc::kms::xml::parse_request(body).map_err(|e| e.to_string())
}

/// The certificate of a partner KMS from a file: a `KmsResponse` holding a `KmsInit`, as
/// `--certificate-out` writes it or an `init` answer gives it. The error is a short reason.
pub fn parse_certificate(
    document: &[u8],
) -> Result<mcptt_kmc::kms::message::KmsCertificate, String> {
    use mcptt_kmc::kms::message::KmsPayload;
    match mcptt_kmc::kms::xml::parse_response(document) {
        Ok(response) => match response.payload {
            KmsPayload::Init(certificate) => Ok(certificate),
            _ => Err("a KmsResponse without KmsInit".into()),
        },
        Err(e) => Err(format!("not a KmsResponse: {e}")),
    }
}

/// A KMS Redirect Response document (unsigned).
pub fn emit_krr(krr: &mcptt_kmc::kms::KmsRedirect) -> String {
    mcptt_kmc::kms::xml::emit_kms_redirect(krr)
}
