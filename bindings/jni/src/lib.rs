//! The JNI bridge of mcptt-kmc: the native half of the Java API in package `org.mcptt.kmc`
//! (bindings/jni/java/). It calls the Rust core directly (not the C ABI) and, like the C layer,
//! only converts and delegates.
//!
//! Conventions of every `Java_org_mcptt_kmc_Native_*` function here:
//! - its body runs in [`guard`]: a panic never unwinds into the JVM, it becomes an
//!   `MkcException` with the PANIC code; an error becomes the `MkcException` subclass of its
//!   result code (the `mkc_result` values of the C API, mapped by the core's own `From`
//!   conversions in `mcptt_kmc::ffi`); a Java exception raised by a JNI call (e.g. an
//!   `OutOfMemoryError` while making an array) is left pending and nothing else is called;
//! - a native handle is a `Box` turned into a `jlong`; the Java object owns it, hands it back
//!   with a lock held (shared for `&` calls, exclusive for `&mut` calls and for the free), and
//!   never passes 0 (a closed handle is refused on the Java side with
//!   `IllegalStateException`; 0 here is refused the same way);
//! - secrets (SSK, RSK, SSV, keys, storage keys, tokens) are copied out of Java arrays into
//!   zeroizing buffers, so the native copies are wiped when dropped; the caller wipes its own.

mod client;
mod crypto;
mod kms;
mod mikey;

use std::ffi::CStr;
use std::panic::{AssertUnwindSafe, catch_unwind};

use jni::JNIEnv;
use jni::objects::{JByteArray, JObject, JString, JThrowable, JValue};
use jni::sys::{jbyteArray, jlong};
use mcptt_kmc::ffi::result::{mkc_result, mkc_result_str};
use zeroize::Zeroizing;

/// Why a native call did not complete; [`guard`] turns it into the Java exception.
pub(crate) enum Fail {
    /// An `MkcException` with this `mkc_result` code.
    Code(u32),
    /// A `NullPointerException` naming the argument.
    Null(&'static str),
    /// An `IllegalStateException`: the handle was closed.
    Closed,
    /// A Java exception is already pending (raised by a JNI call): leave it as it is.
    Pending,
    /// Another JNI failure (a missing class or method: a build mismatch); no secret inside.
    Jni(String),
}

impl From<jni::errors::Error> for Fail {
    fn from(error: jni::errors::Error) -> Self {
        match error {
            jni::errors::Error::JavaException => Fail::Pending,
            jni::errors::Error::NullPtr(what) | jni::errors::Error::NullDeref(what) => {
                Fail::Null(what)
            }
            other => Fail::Jni(other.to_string()),
        }
    }
}

impl From<mkc_result> for Fail {
    fn from(code: mkc_result) -> Self {
        Fail::Code(code as u32)
    }
}

/// The core's errors map to result codes through the C layer's conversions: one mapping.
macro_rules! fail_from_core {
    ($($t:ty),*) => {$(
        impl From<$t> for Fail {
            fn from(error: $t) -> Self {
                Fail::Code(mkc_result::from(error) as u32)
            }
        }
    )*};
}
fail_from_core!(
    mcptt_kmc::Error,
    mcptt_kmc::client::ClientError,
    mcptt_kmc::mikey::MikeyError
);

pub(crate) type Res<T> = Result<T, Fail>;

/// Runs a native method body: returns its value, or throws the Java exception of its failure
/// (or of its panic) and returns `fallback`, which the JVM ignores while an exception is
/// pending.
pub(crate) fn guard<'l, T>(
    env: &mut JNIEnv<'l>,
    fallback: T,
    body: impl FnOnce(&mut JNIEnv<'l>) -> Res<T>,
) -> T {
    let fail = match catch_unwind(AssertUnwindSafe(|| body(env))) {
        Ok(Ok(value)) => return value,
        Ok(Err(fail)) => fail,
        Err(_) => {
            // A panic outranks an exception a JNI call left pending before it.
            if env.exception_check().unwrap_or(true) {
                let _ = env.exception_clear();
            }
            Fail::Code(mkc_result::Panic as u32)
        }
    };
    // Throwing must not panic either: a failure here leaves whatever exception is pending.
    let _ = catch_unwind(AssertUnwindSafe(|| throw(env, fail)));
    fallback
}

fn throw(env: &mut JNIEnv<'_>, fail: Fail) {
    if env.exception_check().unwrap_or(true) {
        return;
    }
    let _ = match fail {
        Fail::Pending => Ok(()),
        Fail::Null(what) => env.throw_new("java/lang/NullPointerException", what),
        Fail::Closed => env.throw_new("java/lang/IllegalStateException", "handle is closed"),
        Fail::Jni(text) => env.throw_new("java/lang/IllegalStateException", format!("JNI: {text}")),
        Fail::Code(code) => throw_code(env, code),
    };
}

/// Throws `MkcException.of(code, text)`: the Java side picks the subclass of the code.
fn throw_code(env: &mut JNIEnv<'_>, code: u32) -> jni::errors::Result<()> {
    // SAFETY: mkc_result_str returns a static NUL-terminated string for any value.
    let text = unsafe { CStr::from_ptr(mkc_result_str(code)) }.to_string_lossy();
    let message = env.new_string(&*text)?;
    let exception = env
        .call_static_method(
            "org/mcptt/kmc/MkcException",
            "of",
            "(ILjava/lang/String;)Lorg/mcptt/kmc/MkcException;",
            &[JValue::Int(code as i32), JValue::Object(&message)],
        )?
        .l()?;
    env.throw(JThrowable::from(exception))
}

/// Moves `value` to the heap and returns its handle for a Java object to own.
pub(crate) fn publish<T>(value: T) -> jlong {
    Box::into_raw(Box::new(value)) as jlong
}

/// Borrows the value behind a handle.
///
/// # Safety
/// `handle` must be 0 or a live handle of `publish::<T>`, not freed while the borrow lasts and
/// not borrowed mutably meanwhile (the Java object's lock guarantees both).
pub(crate) unsafe fn borrow<'a, T>(handle: jlong) -> Res<&'a T> {
    // SAFETY: by the caller's guarantee a non-zero handle points to a live `T`.
    unsafe { (handle as *const T).as_ref() }.ok_or(Fail::Closed)
}

/// Drops the value behind a handle (its `Drop` zeroizes secrets). 0 is a no-op.
///
/// # Safety
/// `handle` must be 0 or a live handle of `publish::<T>`, never used again.
pub(crate) unsafe fn release<T>(handle: jlong) {
    if handle != 0 {
        // SAFETY: the handle came from `Box::into_raw` in `publish` and is freed once.
        drop(unsafe { Box::from_raw(handle as *mut T) });
    }
}

/// Frees a handle from a Java `close()` or Cleaner: no panic or exception escapes.
pub(crate) fn free<T>(handle: jlong) {
    // SAFETY: the Java side frees each handle once, under its exclusive lock.
    let _ = catch_unwind(AssertUnwindSafe(|| unsafe { release::<T>(handle) }));
}

/// Copies a Java byte array into a zeroizing buffer (for secrets, and for everything else: one
/// path). `name` names the argument in the `NullPointerException`.
pub(crate) fn bytes(
    env: &JNIEnv<'_>,
    array: &JByteArray<'_>,
    name: &'static str,
) -> Res<Zeroizing<Vec<u8>>> {
    if array.is_null() {
        return Err(Fail::Null(name));
    }
    let len = usize::try_from(env.get_array_length(array)?)
        .map_err(|_| Fail::Jni("negative array length".into()))?;
    let mut buf = Zeroizing::new(vec![0u8; len]);
    // SAFETY: i8 and u8 have the same size and alignment; the slice covers `buf` exactly.
    let signed = unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<i8>(), len) };
    env.get_byte_array_region(array, 0, signed)?;
    Ok(buf)
}

/// A Java string as UTF-8. `name` names the argument in the `NullPointerException`.
pub(crate) fn string(env: &mut JNIEnv<'_>, s: &JString<'_>, name: &'static str) -> Res<String> {
    if s.is_null() {
        return Err(Fail::Null(name));
    }
    Ok(env.get_string(s)?.into())
}

/// A new Java byte array holding `data` (the JVM's copy; the caller wipes its own).
pub(crate) fn new_bytes(env: &JNIEnv<'_>, data: &[u8]) -> Res<jbyteArray> {
    Ok(env.byte_array_from_slice(data)?.into_raw())
}

/// Borrows the value behind a handle mutably.
///
/// # Safety
/// As [`borrow`], and no other borrow exists meanwhile (the Java object's exclusive lock).
pub(crate) unsafe fn borrow_mut<'a, T>(handle: jlong) -> Res<&'a mut T> {
    // SAFETY: by the caller's guarantee a non-zero handle points to a live, unshared `T`.
    unsafe { (handle as *mut T).as_mut() }.ok_or(Fail::Closed)
}

/// A Java string that may be null.
pub(crate) fn optional_string(env: &mut JNIEnv<'_>, s: &JString<'_>) -> Res<Option<String>> {
    if s.is_null() {
        return Ok(None);
    }
    Ok(Some(env.get_string(s)?.into()))
}

/// A new Java string, or null for `None`.
pub(crate) fn new_string<'l>(env: &JNIEnv<'l>, s: Option<&str>) -> Res<JObject<'l>> {
    Ok(match s {
        Some(s) => env.new_string(s)?.into(),
        None => JObject::null(),
    })
}

/// A Java `long` that must not be negative (times, periods, ids are unsigned in the core).
pub(crate) fn unsigned(value: jlong) -> Res<u64> {
    u64::try_from(value).map_err(|_| Fail::Code(mkc_result::InvalidParameter as u32))
}
