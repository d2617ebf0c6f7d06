//! The provisioning client (`mcptt_kmc::client::Client`): the natives behind `Client`,
//! `Output` and `Event`. The Java object takes its exclusive lock for the calls that take the
//! client mutably, its shared lock for the others (the client is `Sync`).

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString, JValue};
use jni::sys::{jboolean, jbyteArray, jint, jlong, jlongArray, jobject};
use mcptt_kmc::client::{Client, ClientConfig, Event, Output, PartnerStatus};
use mcptt_kmc::ffi::result::mkc_result;
use mcptt_kmc::uid::IdEncoding;

use crate::{Fail, Res, borrow, borrow_mut, bytes, free, guard, new_bytes, publish, string};
use crate::{optional_string, unsigned};

// The Java object lets several threads make `&Client` calls at once.
const _: fn() = || {
    fn shared_across_threads<T: Sync + Send>() {}
    shared_across_threads::<Client>();
};

/// Reads a `String[]` (null is an empty array; a null element is refused).
fn strings(env: &mut JNIEnv<'_>, array: &JObjectArray<'_>) -> Res<Vec<String>> {
    if array.is_null() {
        return Ok(Vec::new());
    }
    let len = env.get_array_length(array)?;
    let mut out = Vec::new();
    for i in 0..len {
        let element = JString::from(env.get_object_array_element(array, i)?);
        out.push(string(env, &element, "extraIdentities element")?);
        env.delete_local_ref(element)?;
    }
    Ok(out)
}

#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientNew<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    kms_url: JString<'l>,
    user_uri: JString<'l>,
    extra_identities: JObjectArray<'l>,
    expected_kms_uri: JString<'l>,
    prefetch_s: jlong,
    grace_s: jlong,
    retry_initial_s: jlong,
    retry_max_s: jlong,
    max_attempts: jint,
    id_encoding: jint,
    allow_insecure_http: jboolean,
) -> jlong {
    guard(&mut env, 0, |env| {
        let mut config = ClientConfig::new(
            string(env, &kms_url, "kmsUrl")?,
            string(env, &user_uri, "userUri")?,
        );
        config.extra_identities = strings(env, &extra_identities)?;
        config.expected_kms_uri = optional_string(env, &expected_kms_uri)?;
        config.prefetch_s = unsigned(prefetch_s)?;
        config.grace_s = unsigned(grace_s)?;
        config.retry_initial_s = unsigned(retry_initial_s)?;
        config.retry_max_s = unsigned(retry_max_s)?;
        config.max_attempts = u32::try_from(max_attempts).map_err(|_| invalid_config())?;
        config.id_encoding = match id_encoding {
            0 => IdEncoding::Raw,
            1 => IdEncoding::Hex,
            _ => return Err(invalid_config()),
        };
        config.allow_insecure_http = allow_insecure_http != 0;
        Ok(publish(Client::new(config)?))
    })
}

fn invalid_config() -> Fail {
    Fail::from(mkc_result::InvalidConfig)
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientFree(
    _: JNIEnv<'_>,
    _: JClass<'_>,
    handle: jlong,
) {
    free::<Client>(handle);
}

/// The client behind a handle, shared.
fn client<'a>(handle: jlong) -> Res<&'a Client> {
    // SAFETY: the Java object passes its live handle under its shared lock.
    unsafe { borrow::<Client>(handle) }
}

/// The client behind a handle, exclusive.
fn client_mut<'a>(handle: jlong) -> Res<&'a mut Client> {
    // SAFETY: the Java object passes its live handle under its exclusive lock.
    unsafe { borrow_mut::<Client>(handle) }
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientSetAccessToken<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    token: JByteArray<'l>,
) {
    guard(&mut env, (), |env| {
        let token = bytes(env, &token, "token")?;
        let token =
            std::str::from_utf8(&token).map_err(|_| Fail::from(mkc_result::InvalidParameter))?;
        // The core refuses an empty token or one with a control character (it goes into a
        // header).
        client_mut(handle)?.set_access_token(token)?;
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientRefresh<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
) {
    guard(&mut env, (), |_| {
        client_mut(handle)?.refresh();
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientSetCertcacheInterval<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    interval_s: jlong,
) {
    guard(&mut env, (), |_| {
        let interval = unsigned(interval_s)?;
        client_mut(handle)?.set_certcache_interval(interval);
        Ok(())
    })
}

/// `seed`'s 64 bits as the unsigned seed (a negative long is a seed with its top bit set).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientSetJitterSeed<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    seed: jlong,
) {
    guard(&mut env, (), |_| {
        client_mut(handle)?.set_jitter_seed(seed as u64);
        Ok(())
    })
}

/// `PartnerStatus` ordinals: 0 unknown, 1 valid, 2 revoked (the C API's values).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientPartnerStatus<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    kms_uri: JString<'l>,
    now: jlong,
) -> jint {
    guard(&mut env, 0, |env| {
        let uri = string(env, &kms_uri, "kmsUri")?;
        let now = unsigned(now)?;
        // SAFETY: the Java object passes its live handle under its shared lock.
        let client = unsafe { borrow::<Client>(handle) }?;
        Ok(match client.partner_status(&uri, now) {
            PartnerStatus::Unknown => 0,
            PartnerStatus::Valid => 1,
            PartnerStatus::Revoked => 2,
        })
    })
}

const OUTPUT: &str = "org/mcptt/kmc/Output";

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientPollOutput<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    now: jlong,
) -> jobject {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let now = unsigned(now)?;
        let output = match client_mut(handle)?.poll_output(now) {
            Output::Request(request) => {
                let url = env.new_string(&request.url)?;
                let method = env.new_string(request.method)?;
                let count = i32::try_from(request.headers.len()).unwrap_or(i32::MAX);
                let names = env.new_object_array(count, "java/lang/String", JObject::null())?;
                let values = env.new_object_array(count, "[B", JObject::null())?;
                for (i, header) in (0..count).zip(&request.headers) {
                    let name = env.new_string(header.name)?;
                    // The Authorization value holds the token: a byte[] the app can wipe.
                    let value = env.byte_array_from_slice(header.value.as_bytes())?;
                    env.set_object_array_element(&names, i, &name)?;
                    env.set_object_array_element(&values, i, &value)?;
                }
                let body = env.byte_array_from_slice(&request.body)?;
                env.call_static_method(
                    OUTPUT,
                    "request",
                    "(JLjava/lang/String;Ljava/lang/String;[Ljava/lang/String;[[B[B)Lorg/mcptt/kmc/Output;",
                    &[
                        JValue::Long(request.id as jlong),
                        JValue::Object(&method),
                        JValue::Object(&url),
                        JValue::Object(&names),
                        JValue::Object(&values),
                        JValue::Object(&body),
                    ],
                )?
            }
            Output::Event(event) => {
                let event = event_object(env, event)?;
                env.call_static_method(
                    OUTPUT,
                    "event",
                    "(Lorg/mcptt/kmc/Event;)Lorg/mcptt/kmc/Output;",
                    &[JValue::Object(&event)],
                )?
            }
            Output::WakeUp(at) => env.call_static_method(
                OUTPUT,
                "wakeUp",
                "(J)Lorg/mcptt/kmc/Output;",
                &[JValue::Long(clamp(at))],
            )?,
            Output::None => {
                env.call_static_method(OUTPUT, "none", "()Lorg/mcptt/kmc/Output;", &[])?
            }
        };
        Ok(output.l()?.into_raw())
    })
}

/// A u64 the core gives (times, periods) as a Java long; values past 2^63 (never reached by
/// real times) saturate.
fn clamp(value: u64) -> jlong {
    jlong::try_from(value).unwrap_or(jlong::MAX)
}

/// The fields of a Java `Event`; the kinds are `Event.Kind`'s ordinals' codes (the C API's
/// `mkc_event_kind` values, 0 for a kind this bridge does not know yet).
#[derive(Default)]
struct EventFields {
    kind: i32,
    identity: Option<String>,
    period: Option<u64>,
    kms_period_no: u64,
    start: u64,
    end: u64,
    can_sign: bool,
    can_decrypt: bool,
    changed: bool,
    rejection: Option<String>,
    kms_error_code: i64,
    has_kms_error: bool,
    text: Option<String>,
    request_id: u64,
    http_status: u16,
    retry_at: u64,
}

fn event_fields(event: Event) -> EventFields {
    let mut f = EventFields::default();
    match event {
        Event::CertificateInstalled {
            kms_uri, changed, ..
        } => {
            (f.kind, f.text, f.changed) = (1, Some(kms_uri), changed);
        }
        Event::KeyMaterialReady {
            identity,
            period,
            kms_period_no,
            start,
            end,
            can_sign,
            can_decrypt,
            ..
        } => {
            (f.kind, f.identity, f.period) = (2, Some(identity), Some(period));
            (f.kms_period_no, f.start, f.end) = (kms_period_no, start, end);
            (f.can_sign, f.can_decrypt) = (can_sign, can_decrypt);
        }
        Event::KeyMaterialPartial {
            identity,
            period,
            kms_period_no,
            start,
            end,
            can_sign,
            can_decrypt,
        } => {
            (f.kind, f.identity, f.period) = (10, Some(identity), Some(period));
            (f.kms_period_no, f.start, f.end) = (kms_period_no, start, end);
            (f.can_sign, f.can_decrypt) = (can_sign, can_decrypt);
        }
        Event::PartnerCertificateInstalled { kms_uri, changed } => {
            (f.kind, f.text, f.changed) = (11, Some(kms_uri), changed);
        }
        Event::PartnerCertificateRemoved { kms_uri, reason } => {
            (f.kind, f.text) = (12, Some(kms_uri));
            f.rejection = Some(format!("{reason:?}"));
        }
        Event::MaterialExpired {
            identity, period, ..
        } => {
            (f.kind, f.identity, f.period) = (3, Some(identity), Some(period));
        }
        Event::AccessTokenNeeded => f.kind = 4,
        Event::KmsError { code, message, .. } => {
            (f.kind, f.kms_error_code, f.text) = (5, code, Some(message));
            f.has_kms_error = true;
        }
        Event::MaterialRejected {
            identity,
            period,
            reason,
            detail,
            ..
        } => {
            (f.kind, f.identity, f.period) = (6, identity, period);
            f.rejection = Some(format!("{reason:?}"));
            f.text = Some(match detail {
                Some(detail) => format!("{reason}: {detail}"),
                None => reason.to_string(),
            });
        }
        Event::PeriodMismatch {
            identity,
            ours,
            kms,
            ..
        } => {
            (f.kind, f.identity, f.period, f.kms_period_no) = (7, Some(identity), Some(ours), kms);
        }
        Event::RequestFailed {
            request_id,
            http_status,
            retry_at,
            kms_error,
        } => {
            (f.kind, f.request_id, f.http_status, f.retry_at) =
                (8, request_id, http_status, retry_at);
            if let Some(error) = kms_error {
                (f.kms_error_code, f.has_kms_error, f.text) =
                    (error.code, true, Some(error.message));
            }
        }
        Event::RetriesExhausted { identity, .. } => {
            (f.kind, f.identity) = (9, identity);
        }
        // A newer kind of event: reported as OTHER with its description (events hold no
        // secrets; KMS text in them is escaped and bounded by the core).
        other => (f.kind, f.text) = (0, Some(format!("{other:?}"))),
    }
    f
}

fn event_object<'l>(env: &mut JNIEnv<'l>, event: Event) -> Res<JObject<'l>> {
    let f = event_fields(event);
    let identity = crate::new_string(env, f.identity.as_deref())?;
    let rejection = crate::new_string(env, f.rejection.as_deref())?;
    let text = crate::new_string(env, f.text.as_deref())?;
    let object = env
        .call_static_method(
            "org/mcptt/kmc/Event",
            "of",
            "(ILjava/lang/String;ZJJJJZZZLjava/lang/String;ZJLjava/lang/String;JIJ)Lorg/mcptt/kmc/Event;",
            &[
                JValue::Int(f.kind),
                JValue::Object(&identity),
                JValue::Bool(f.period.is_some().into()),
                JValue::Long(clamp(f.period.unwrap_or(0))),
                JValue::Long(clamp(f.kms_period_no)),
                JValue::Long(clamp(f.start)),
                JValue::Long(clamp(f.end)),
                JValue::Bool(f.can_sign.into()),
                JValue::Bool(f.can_decrypt.into()),
                JValue::Bool(f.changed.into()),
                JValue::Object(&rejection),
                JValue::Bool(f.has_kms_error.into()),
                JValue::Long(f.kms_error_code),
                JValue::Object(&text),
                JValue::Long(f.request_id as jlong),
                JValue::Int(f.http_status.into()),
                JValue::Long(clamp(f.retry_at)),
            ],
        )?
        .l()?;
    Ok(object)
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientHandleResponse<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    now: jlong,
    request_id: jlong,
    http_status: jint,
    body: JByteArray<'l>,
) {
    guard(&mut env, (), |env| {
        let now = unsigned(now)?;
        // As the C API: an HTTP status has three digits.
        let status = u16::try_from(http_status)
            .ok()
            .filter(|s| *s <= 999)
            .ok_or(Fail::from(mkc_result::InvalidParameter))?;
        let body = bytes(env, &body, "body")?;
        Ok(client_mut(handle)?.handle_response(now, request_id as u64, status, &body)?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientHandleFailure<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    now: jlong,
    request_id: jlong,
) {
    guard(&mut env, (), |_| {
        let now = unsigned(now)?;
        Ok(client_mut(handle)?.handle_failure(now, request_id as u64)?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientKeyPeriod<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    now: jlong,
) -> jlongArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let (n, start, end) = client(handle)?.key_period(unsigned(now)?)?;
        let array = env.new_long_array(3)?;
        env.set_long_array_region(&array, 0, &[clamp(n), clamp(start), clamp(end)])?;
        Ok(array.into_raw())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientUid<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    uri: JString<'l>,
    now: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let uri = string(env, &uri, "uri")?;
        let uid = client(handle)?.uid_of(&uri, unsigned(now)?)?;
        new_bytes(env, &uid)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientSign<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    identity: JString<'l>,
    now: jlong,
    msg: JByteArray<'l>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let identity = string(env, &identity, "identity")?;
        let msg = bytes(env, &msg, "msg")?;
        let signature = client(handle)?.sign(&identity, unsigned(now)?, &msg)?;
        new_bytes(env, &signature)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientVerify<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    peer_uri: JString<'l>,
    now: jlong,
    msg: JByteArray<'l>,
    signature: JByteArray<'l>,
) {
    guard(&mut env, (), |env| {
        let peer = string(env, &peer_uri, "peerUri")?;
        let (msg, signature) = (
            bytes(env, &msg, "msg")?,
            bytes(env, &signature, "signature")?,
        );
        Ok(client(handle)?.verify(&peer, unsigned(now)?, &msg, &signature)?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientEncapsulate<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    peer_uri: JString<'l>,
    now: jlong,
    ssv: JByteArray<'l>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let peer = string(env, &peer_uri, "peerUri")?;
        let ssv = bytes(env, &ssv, "ssv")?;
        let sed = client(handle)?.encapsulate(&peer, unsigned(now)?, &ssv)?;
        new_bytes(env, &sed)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientDecapsulate<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    identity: JString<'l>,
    now: jlong,
    sed: JByteArray<'l>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let identity = string(env, &identity, "identity")?;
        let sed = bytes(env, &sed, "sed")?;
        let ssv = client(handle)?.decapsulate(&identity, unsigned(now)?, &sed)?;
        new_bytes(env, &ssv[..])
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientExport<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    storage_key: JByteArray<'l>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let key = bytes(env, &storage_key, "storageKey")?;
        let blob = client(handle)?.export(&key)?;
        new_bytes(env, &blob)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientImport<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    now: jlong,
    storage_key: JByteArray<'l>,
    blob: JByteArray<'l>,
) -> jint {
    guard(&mut env, 0, |env| {
        let now = unsigned(now)?;
        let key = bytes(env, &storage_key, "storageKey")?;
        let blob = bytes(env, &blob, "blob")?;
        let installed = client_mut(handle)?.import(now, &key, &blob)?;
        Ok(jint::try_from(installed).unwrap_or(jint::MAX))
    })
}
