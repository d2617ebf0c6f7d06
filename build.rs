//! Regenerates include/mcptt_kmc.h with the pinned cbindgen, and sets the shared library's SONAME.
//!
//! The header is always written to OUT_DIR (tests/header.rs compares it with include/). On a
//! developer's machine it is also written into include/ when it changed; under CI (`CI` set)
//! include/ is left alone, so a stale committed header fails the header test there instead of
//! being silently fixed.

use std::{env, fs, path::PathBuf};

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=abi-version");
    println!("cargo:rerun-if-env-changed=CI");

    let abi: u32 = fs::read_to_string(crate_dir.join("abi-version"))
        .expect("abi-version file")
        .trim()
        .parse()
        .expect("abi-version holds an integer");
    let major: u32 = env::var("CARGO_PKG_VERSION_MAJOR")
        .unwrap()
        .parse()
        .unwrap();
    let minor: u32 = env::var("CARGO_PKG_VERSION_MINOR")
        .unwrap()
        .parse()
        .unwrap();
    let patch: u32 = env::var("CARGO_PKG_VERSION_PATCH")
        .unwrap()
        .parse()
        .unwrap();

    let mut config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    config.after_includes = Some(format!(
        "\n/** Version of this header: MAJOR.MINOR.PATCH and MKC_VERSION_NUMBER = MAJOR << 16 | MINOR << 8 | PATCH. */\n\
         #define MKC_VERSION_MAJOR {major}\n\
         #define MKC_VERSION_MINOR {minor}\n\
         #define MKC_VERSION_PATCH {patch}\n\
         #define MKC_VERSION_NUMBER {number}\n\
         #define MKC_VERSION_STRING \"{major}.{minor}.{patch}\"\n\
         /** ABI version of this header; mkc_abi_version() gives the loaded library's. */\n\
         #define MKC_ABI_VERSION {abi}\n",
        number = (major << 16) | (minor << 8) | patch,
    ));
    let header = cbindgen::Builder::new()
        // Only the FFI layer: the core's public constants are not part of the C API.
        .with_src(crate_dir.join("src/ffi/mod.rs"))
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header");

    let mut text = Vec::new();
    header.write(&mut text);
    fs::write(out_dir.join("mcptt_kmc.h"), &text).unwrap();
    if env::var_os("CI").is_none() {
        let committed = crate_dir.join("include/mcptt_kmc.h");
        if fs::read(&committed).ok().as_deref() != Some(text.as_slice()) {
            fs::create_dir_all(crate_dir.join("include")).unwrap();
            fs::write(&committed, &text).unwrap();
        }
    }

    // The valgrind client-request shim of the constant-time check.
    if env::var_os("CARGO_FEATURE_CT_CHECK").is_some() {
        println!("cargo:rerun-if-changed=ct-check/shim.c");
        cc::Build::new()
            .file("ct-check/shim.c")
            .compile("mkc_ct_shim");
    }

    // The SONAME is the file name cargo writes, so a program linked against
    // target/<profile>/libmcptt_kmc.so finds it there at run time (cargo cannot write a
    // libmcptt_kmc.so.<ABI> beside it). Desktop Linux gets the versioned SONAME
    // libmcptt_kmc.so.<ABI> when `make install` installs the library (scripts/install.sh, with
    // patchelf); Android keeps this one, since an APK packages only lib*.so files.
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "android" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libmcptt_kmc.so");
    }
}
