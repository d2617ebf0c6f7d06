//! ECCSI (RFC 6507), SAKKE (RFC 6508), the TS 33.180 UID and the OS RNG: the natives behind
//! `EccsiPublic`, `EccsiSigner`, `SakkePublic`, `SakkeReceiver` and `Mkc`.

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JString};
use jni::sys::{jbyteArray, jint, jlong, jstring};
use mcptt_kmc::eccsi::{Signer, Verifier};
use mcptt_kmc::ffi::result::mkc_result;
use mcptt_kmc::sakke::{SakkePublic, SakkeReceiver};
use mcptt_kmc::{rng, uid};
use zeroize::Zeroizing;

use crate::{Fail, borrow, bytes, free, guard, new_bytes, publish, string, unsigned};

// The Java objects let any number of threads use these at once, and free them on the
// Cleaner's thread.
const _: fn() = || {
    fn shared_across_threads<T: Sync + Send>() {}
    shared_across_threads::<Verifier>();
    shared_across_threads::<Signer>();
    shared_across_threads::<SakkePublic>();
    shared_across_threads::<SakkeReceiver>();
    shared_across_threads::<mcptt_kmc::kms::Kms>();
};

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_eccsiPublicNew<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    kpak: JByteArray<'l>,
) -> jlong {
    guard(&mut env, 0, |env| {
        let kpak = bytes(env, &kpak, "kpak")?;
        Ok(publish(Verifier::new(&kpak)?))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_eccsiPublicFree(
    _: JNIEnv<'_>,
    _: JClass<'_>,
    handle: jlong,
) {
    free::<Verifier>(handle);
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_eccsiVerify<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    id: JByteArray<'l>,
    msg: JByteArray<'l>,
    sig: JByteArray<'l>,
) {
    guard(&mut env, (), |env| {
        let (id, msg, sig) = (
            bytes(env, &id, "id")?,
            bytes(env, &msg, "msg")?,
            bytes(env, &sig, "signature")?,
        );
        // SAFETY: the Java object passes its live handle under its lock.
        let verifier = unsafe { borrow::<Verifier>(handle) }?;
        Ok(verifier.verify(&id, &msg, &sig)?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_eccsiSignerNew<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    kpak: JByteArray<'l>,
    id: JByteArray<'l>,
    ssk: JByteArray<'l>,
    pvt: JByteArray<'l>,
) -> jlong {
    guard(&mut env, 0, |env| {
        let (kpak, id, ssk, pvt) = (
            bytes(env, &kpak, "kpak")?,
            bytes(env, &id, "id")?,
            bytes(env, &ssk, "ssk")?,
            bytes(env, &pvt, "pvt")?,
        );
        Ok(publish(Signer::new(&kpak, &id, &ssk, &pvt)?))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_eccsiSignerFree(
    _: JNIEnv<'_>,
    _: JClass<'_>,
    handle: jlong,
) {
    free::<Signer>(handle);
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_eccsiSign<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    msg: JByteArray<'l>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let msg = bytes(env, &msg, "msg")?;
        // SAFETY: the Java object passes its live handle under its lock.
        let signer = unsafe { borrow::<Signer>(handle) }?;
        let signature = signer.sign(&msg)?;
        new_bytes(env, &signature)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_eccsiSignerPvt<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        // SAFETY: the Java object passes its live handle under its lock.
        let signer = unsafe { borrow::<Signer>(handle) }?;
        new_bytes(env, signer.pvt())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_sakkePublicNew<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    z_t: JByteArray<'l>,
) -> jlong {
    guard(&mut env, 0, |env| {
        let z_t = bytes(env, &z_t, "zT")?;
        Ok(publish(SakkePublic::new(&z_t)?))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_sakkePublicFree(
    _: JNIEnv<'_>,
    _: JClass<'_>,
    handle: jlong,
) {
    free::<SakkePublic>(handle);
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_sakkeEncapsulate<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    id: JByteArray<'l>,
    ssv: JByteArray<'l>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let (id, ssv) = (bytes(env, &id, "id")?, bytes(env, &ssv, "ssv")?);
        // SAFETY: the Java object passes its live handle under its lock.
        let public = unsafe { borrow::<SakkePublic>(handle) }?;
        let sed = public.encapsulate(&id, &ssv)?;
        new_bytes(env, &sed)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_sakkeReceiverNew<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    z_t: JByteArray<'l>,
    id: JByteArray<'l>,
    rsk: JByteArray<'l>,
) -> jlong {
    guard(&mut env, 0, |env| {
        let (z_t, id, rsk) = (
            bytes(env, &z_t, "zT")?,
            bytes(env, &id, "id")?,
            bytes(env, &rsk, "rsk")?,
        );
        Ok(publish(SakkeReceiver::new(&z_t, &id, &rsk)?))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_sakkeReceiverWithPublic<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    public: jlong,
    id: JByteArray<'l>,
    rsk: JByteArray<'l>,
) -> jlong {
    guard(&mut env, 0, |env| {
        let (id, rsk) = (bytes(env, &id, "id")?, bytes(env, &rsk, "rsk")?);
        // SAFETY: the Java object passes its live handle under its lock.
        let public = unsafe { borrow::<SakkePublic>(public) }?;
        Ok(publish(SakkeReceiver::with_public(public, &id, &rsk)?))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_sakkeReceiverFree(
    _: JNIEnv<'_>,
    _: JClass<'_>,
    handle: jlong,
) {
    free::<SakkeReceiver>(handle);
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_sakkeDecapsulate<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    handle: jlong,
    sed: JByteArray<'l>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let sed = bytes(env, &sed, "sed")?;
        // SAFETY: the Java object passes its live handle under its lock.
        let receiver = unsafe { borrow::<SakkeReceiver>(handle) }?;
        let ssv = receiver.decapsulate(&sed)?;
        new_bytes(env, &ssv[..])
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_deriveUid<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    user_uri: JString<'l>,
    kms_uri: JString<'l>,
    key_period_s: jlong,
    key_offset_s: jlong,
    period_no: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let user = string(env, &user_uri, "userUri")?;
        let kms = string(env, &kms_uri, "kmsUri")?;
        let (period, offset, n) = (
            unsigned(key_period_s)?,
            unsigned(key_offset_s)?,
            unsigned(period_no)?,
        );
        let uid = uid::derive_uid(user.as_bytes(), kms.as_bytes(), period, offset, n)?;
        new_bytes(env, &uid)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_random<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
    len: jint,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let len = usize::try_from(len).map_err(|_| Fail::from(mkc_result::InvalidParameter))?;
        let mut buf = Zeroizing::new(vec![0u8; len]);
        rng::fill(&mut buf)?;
        new_bytes(env, &buf)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_version<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
) -> jstring {
    guard(&mut env, std::ptr::null_mut(), |env| {
        Ok(env.new_string(mcptt_kmc::VERSION)?.into_raw())
    })
}

/// A test-only entry: panics inside the guard, so the tests can check that a panic becomes an
/// `MkcException` with the PANIC code and never unwinds into the JVM.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mcptt_kmc_Native_panicForTest<'l>(
    mut env: JNIEnv<'l>,
    _: JClass<'l>,
) {
    guard(&mut env, (), |_| -> crate::Res<()> {
        panic!("panic requested by the test")
    });
}
