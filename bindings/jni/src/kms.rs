//! The KMS side (`mcptt_kmc::kms`): master secrets, user key issuance and the KmsResponse XML
//! of init and keyprov (TS 33.180 D.3), as the C API's `mkc_kms` offers them: for tests,
//! demos and KMS builders. The natives behind `Kms`.

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JObject, JString};
use jni::sys::{jbyteArray, jint, jlong, jobjectArray};
use mcptt_kmc::ffi::result::mkc_result;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::kms::message::{KmsPayload, KmsResponse};
use mcptt_kmc::kms::{Kms, xml};
use mcptt_kmc::uid::IdEncoding;

use crate::{Fail, Res, borrow, bytes, free, guard, new_bytes, publish, string, unsigned};

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_kmsGenerate<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
) -> jlong {
    guard(&mut env, 0, |_| Ok(publish(Kms::generate()?)))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_kmsFromSecrets<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    ksak: JByteArray<'l>,
    z: JByteArray<'l>,
) -> jlong {
    guard(&mut env, 0, |env| {
        let (ksak, z) = (bytes(env, &ksak, "ksak")?, bytes(env, &z, "z")?);
        Ok(publish(Kms::from_secrets(&ksak, &z)?))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_kmsFree(
    _: JNIEnv<'_>,
    _: JClass<'_>,
    handle: jlong,
) {
    free::<Kms>(handle);
}

fn kms<'a>(handle: jlong) -> Res<&'a Kms> {
    // SAFETY: the Java object passes its live handle under its shared lock.
    unsafe { borrow::<Kms>(handle) }
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_kmsKpak<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        new_bytes(env, &kms(handle)?.kpak().to_bytes())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_kmsZt<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        new_bytes(env, &kms(handle)?.z_t())
    })
}

/// `{SSK, PVT}` for identifier `id` (RFC 6507 5.1.1).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_kmsIssueEccsi<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    id: JByteArray<'l>,
) -> jobjectArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let id = bytes(env, &id, "id")?;
        let issued = kms(handle)?.issue_eccsi(&id)?;
        let ssk = env.byte_array_from_slice(issued.ssk())?;
        let pvt = env.byte_array_from_slice(issued.pvt())?;
        let pair = env.new_object_array(2, "[B", JObject::null())?;
        env.set_object_array_element(&pair, 0, &ssk)?;
        env.set_object_array_element(&pair, 1, &pvt)?;
        Ok(pair.into_raw())
    })
}

/// The RSK for identifier `id` (RFC 6508 6.1.1).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_kmsIssueSakke<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    id: JByteArray<'l>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let id = bytes(env, &id, "id")?;
        let rsk = kms(handle)?.issue_sakke(&id)?;
        new_bytes(env, &rsk[..])
    })
}

/// A KMS domain with the limits the KMS XML of TS 33.180 D.3 carries (as the C API).
fn domain(
    env: &mut JNIEnv<'_>,
    kms_uri: &JString<'_>,
    period_s: jlong,
    offset_s: jlong,
    id_encoding: jint,
) -> Res<KmsDomain> {
    let uri = string(env, kms_uri, "kmsUri")?;
    let invalid = || Fail::from(mkc_result::InvalidParameter);
    let (period, offset) = (unsigned(period_s)?, unsigned(offset_s)?);
    let limit = u64::from(u32::MAX);
    if uri.is_empty() || !(1..=limit).contains(&period) || offset > limit {
        return Err(invalid());
    }
    let mut domain = KmsDomain::new(uri, period, offset);
    domain.id_encoding = match id_encoding {
        0 => IdEncoding::Raw,
        1 => IdEncoding::Hex,
        _ => return Err(invalid()),
    };
    Ok(domain)
}

/// The KmsResponse XML for `user_uri` with `payload`, read back before it is handed out (a
/// client would refuse a document this parser refuses).
fn response(
    env: &mut JNIEnv<'_>,
    domain: &KmsDomain,
    user_uri: &JString<'_>,
    client_req_url: &JString<'_>,
    now: jlong,
    payload: KmsPayload,
) -> Res<jbyteArray> {
    let response = KmsResponse {
        user_uri: string(env, user_uri, "userUri")?,
        kms_uri: domain.kms_uri.clone(),
        time: Some(now),
        kms_id: None,
        client_req_url: string(env, client_req_url, "clientReqUrl")?,
        payload,
    };
    let text = xml::emit_response(&response);
    xml::parse_response(text.as_bytes()).map_err(|_| Fail::from(mkc_result::InvalidParameter))?;
    new_bytes(env, text.as_bytes())
}

/// The answer to `init` (TS 33.180 D.3.2): KmsInit with the Root certificate of the domain.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_mcptt_kmc_Native_kmsInitResponse<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    kms_uri: JString<'l>,
    period_s: jlong,
    offset_s: jlong,
    id_encoding: jint,
    user_uri: JString<'l>,
    client_req_url: JString<'l>,
    now: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let domain = domain(env, &kms_uri, period_s, offset_s, id_encoding)?;
        let payload = KmsPayload::Init(kms(handle)?.certificate(&domain));
        response(env, &domain, &user_uri, &client_req_url, now, payload)
    })
}

/// The answer to `keyprov` (TS 33.180 D.3.3): one freshly issued KmsKeySet of `user_uri` for
/// key period `period_no`. The XML holds the SSK and RSK: the caller wipes it when sent.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_mcptt_kmc_Native_kmsKeyProvResponse<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    kms_uri: JString<'l>,
    period_s: jlong,
    offset_s: jlong,
    id_encoding: jint,
    user_uri: JString<'l>,
    client_req_url: JString<'l>,
    now: jlong,
    period_no: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let domain = domain(env, &kms_uri, period_s, offset_s, id_encoding)?;
        let n = unsigned(period_no)?;
        if n > u64::from(u32::MAX) {
            return Err(Fail::from(mkc_result::InvalidParameter));
        }
        let user = string(env, &user_uri, "userUri")?;
        let set = kms(handle)?.issue_key_set(&domain, &user, n)?;
        response(
            env,
            &domain,
            &user_uri,
            &client_req_url,
            now,
            KmsPayload::KeyProv(vec![set]),
        )
    })
}
