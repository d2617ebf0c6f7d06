//! MIKEY-SAKKE I_MESSAGEs through the provisioning client (RFC 6509, TS 33.180 Annex E), new
//! keys, the SDP form and the MIKEY key derivation: the natives behind `Client.mikey*`,
//! `GeneratedKey`, `Sdp` and `MikeyKdf`.

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JString, JValue};
use jni::sys::{jboolean, jbyteArray, jint, jlong, jobject, jstring};
use mcptt_kmc::client::{Client, ImessageOptions, new_key};
use mcptt_kmc::ffi::result::mkc_result;
use mcptt_kmc::mikey::{KeyKind, Recipient, kdf::KEY_BYTES, prf, sdp};
use mcptt_kmc::time;
use zeroize::Zeroizing;

use crate::{Fail, Res, borrow, bytes, guard, new_bytes, optional_string, string, unsigned};

/// A key kind from its purpose tag (0 GMK, 1 PCK, 2 CSK), as `KeyKind` in Java.
fn kind_of(kind: jint) -> Res<KeyKind> {
    u8::try_from(kind)
        .ok()
        .and_then(KeyKind::from_purpose_tag)
        .ok_or(Fail::from(mkc_result::InvalidParameter))
}

#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientMikeyCreate<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    identity: JString<'l>,
    responder_uri: JString<'l>,
    responder_kms_uri: JString<'l>,
    now: jlong,
    kind: jint,
    key: JByteArray<'l>,
    key_id: jint,
    hide_identities: jboolean,
    sakke_to_self: jboolean,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let identity = string(env, &identity, "identity")?;
        let responder = string(env, &responder_uri, "responderUri")?;
        let responder_kms = crate::optional_string(env, &responder_kms_uri)?;
        let key = bytes(env, &key, "key")?;
        let key: &[u8; KEY_BYTES] = key[..]
            .try_into()
            .map_err(|_| Fail::from(mkc_result::InvalidLength))?;
        let options = ImessageOptions {
            kind: kind_of(kind)?,
            key,
            key_id: key_id as u32,
            hide_identities: hide_identities != 0,
            sakke_to_self: sakke_to_self != 0,
            responder_kms: responder_kms.as_deref(),
        };
        // SAFETY: the Java object passes its live handle under its shared lock.
        let client = unsafe { borrow::<Client>(handle) }?;
        let message =
            client.mikey_create_imessage(&identity, &responder, unsigned(now)?, &options)?;
        new_bytes(env, &message)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_clientMikeyProcess<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    identity: JString<'l>,
    now: jlong,
    replay_window_s: jlong,
    initiator_uri: JString<'l>,
    message: JByteArray<'l>,
) -> jobject {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let identity = string(env, &identity, "identity")?;
        let initiator = optional_string(env, &initiator_uri)?;
        let message = bytes(env, &message, "message")?;
        // SAFETY: the Java object passes its live handle under its shared lock.
        let client = unsafe { borrow::<Client>(handle) }?;
        let received = client.mikey_process_imessage(
            &identity,
            unsigned(now)?,
            unsigned(replay_window_s)?,
            initiator.as_deref(),
            &message,
        )?;
        let key = env.byte_array_from_slice(&received.key[..])?;
        let uid = env.byte_array_from_slice(&received.initiator_uid)?;
        let rand = env.byte_array_from_slice(&received.rand)?;
        let uri = crate::new_string(env, received.initiator_uri.as_deref())?;
        let time_unix = time::ntp_to_unix(received.time_ntp).unwrap_or(0);
        let object = env
            .call_static_method(
                "org/mcptt/kmc/ReceivedKey",
                "of",
                "(I[BIZIIJJ[BLjava/lang/String;Z[B)Lorg/mcptt/kmc/ReceivedKey;",
                &[
                    JValue::Int(received.kind.purpose_tag().into()),
                    JValue::Object(&key),
                    JValue::Int(received.key_id as jint),
                    JValue::Bool(received.guk_id.is_some().into()),
                    JValue::Int(received.guk_id.unwrap_or(0) as jint),
                    JValue::Int(received.csb_id as jint),
                    JValue::Long(jlong::try_from(received.period).unwrap_or(jlong::MAX)),
                    JValue::Long(jlong::try_from(time_unix).unwrap_or(jlong::MAX)),
                    JValue::Object(&uid),
                    JValue::Object(&uri),
                    JValue::Bool((received.recipient == Recipient::SakkeToSelf).into()),
                    JValue::Object(&rand),
                ],
            )?
            .l()?;
        Ok(object.into_raw())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_mikeyNewKey<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    kind: jint,
) -> jobject {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let (id, key) = new_key(kind_of(kind)?)?;
        let key = env.byte_array_from_slice(&key[..])?;
        let object = env
            .call_static_method(
                "org/mcptt/kmc/GeneratedKey",
                "of",
                "(II[B)Lorg/mcptt/kmc/GeneratedKey;",
                &[
                    JValue::Int(kind),
                    JValue::Int(id as jint),
                    JValue::Object(&key),
                ],
            )?
            .l()?;
        Ok(object.into_raw())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_mikeyToSdp<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    message: JByteArray<'l>,
) -> jstring {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let message = bytes(env, &message, "message")?;
        Ok(env.new_string(sdp::to_key_mgmt(&message))?.into_raw())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_mikeyFromSdp<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    text: JString<'l>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let text = string(env, &text, "text")?;
        let message = sdp::from_key_mgmt(&text)?;
        new_bytes(env, &message)
    })
}

/// The MIKEY key derivation of RFC 3830 4.1.3 with PRF-HMAC-SHA-256 (RFC 6043 6.1):
/// `out_len` octets of `PRF(tgk, constant || cs_id || csb_id || rand)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_mikeyDeriveKey<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    tgk: JByteArray<'l>,
    constant: jint,
    cs_id: jint,
    csb_id: jint,
    rand: JByteArray<'l>,
    out_len: jint,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let (tgk, rand) = (bytes(env, &tgk, "tgk")?, bytes(env, &rand, "rand")?);
        let invalid = || Fail::from(mkc_result::InvalidParameter);
        let cs_id = u8::try_from(cs_id).map_err(|_| invalid())?;
        let len = usize::try_from(out_len).map_err(|_| invalid())?;
        if len > prf::MAX_OUT_BYTES {
            return Err(Fail::from(mkc_result::InvalidLength));
        }
        let mut out = Zeroizing::new(vec![0u8; len]);
        prf::derive_key(&tgk, constant as u32, cs_id, csb_id as u32, &rand, &mut out)?;
        new_bytes(env, &out)
    })
}
