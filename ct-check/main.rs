//! The constant-time check (`make test-ct`): runs SAKKE's secret-handling operations under
//! valgrind memcheck with their secret inputs marked undefined, so that memcheck reports every
//! branch or memory index that depends on a secret (`--error-exitcode=1` turns a report into a
//! failure). Built only with the `ct-check` feature. Covered: RSK issuance (z), receiver
//! creation with RSK validation (RSK), encapsulation (SSV, hence r), decapsulation (RSK, the
//! recovered SSV, r, w); ECCSI's KPAK generation and issuance (KSAK, v: the fixed-base
//! tables of G, SSK = KSAK + HS * v), SSK validation from octets and under a verifier (SSK:
//! [SSK]G, and the refusal of a wrong SSK) and signing (SSK, j: [j]G, the affine conversion of J, the scalar inversion); the
//! MIKEY KDF, SRTP master keys and F.1 KDFs (the TGK, GMK, XPK). On x86-64 the ECCSI
//! operations run the P-256 field's assembly (`src/nist_p256/field_x86_64.rs`, baseline
//! instructions only, so valgrind runs exactly what ships); elsewhere fiat-crypto's code.

use mcptt_kmc::ct_check::{classify, declassify};
use mcptt_kmc::eccsi::{Signer, Verifier};
use mcptt_kmc::kms::Kms;
use mcptt_kmc::mikey;
use mcptt_kmc::mikey::srtp::{Mki, SrtpMaster};
use mcptt_kmc::sakke::{SakkePublic, SakkeReceiver};

fn main() {
    // The control: a branch on a classified secret must be reported, or this check proves
    // nothing. `make test-ct` runs this mode and expects valgrind to fail.
    if std::env::args().any(|arg| arg == "--leak-control") {
        let secret = [0x5au8; 16];
        classify(&secret[..]);
        // A volatile read: the value must come from the (now undefined) memory.
        // SAFETY: reads an initialized element of a live local array.
        if unsafe { std::ptr::read_volatile(&secret[3]) } > 0x40 {
            println!("branched on a secret");
        }
        return;
    }

    let ids: [&[u8]; 2] = [b"2011-02\0tel:+447700900123\0", &[0x42; 32]];
    let ksak = [0x11u8; 32];
    let mut z = [0u8; 128];
    z[0] = 0x12;
    z[127] = 0x34;

    // KMS: KSAK and z are secret from the moment they are loaded.
    classify(&ksak[..]);
    classify(&z[..]);
    let kms = Kms::from_secrets(&ksak, &z).expect("valid z");
    let z_t = kms.z_t();
    declassify(&z_t[..]);
    declassify(&ksak[..]);

    // SAKKE once per multiplication path of the 1024-bit field: the portable one, then (with
    // --with-adx, which `make test-ct` passes when the CPU has BMI2 and ADX) MULX/ADCX/ADOX.
    // Both are forced: valgrind's CPUID hides ADX, so detection would never pick the second.
    let with_adx = std::env::args().any(|arg| arg == "--with-adx");
    for mulx_adx in [false, true] {
        if mulx_adx && !with_adx {
            continue;
        }
        mcptt_kmc::field::force_multiplication_path(mulx_adx);
        sakke(&kms, &z_t, &ids);
        let path = if mulx_adx {
            "MULX/ADCX/ADOX"
        } else {
            "portable"
        };
        println!("ct-check: SAKKE with the {path} F_p multiplication: ran");
    }

    eccsi(&kms);
    mikey_keys();
}

/// ECCSI: KSAK at KPAK generation (above) and issuance (with v from the OS RNG), SSK at
/// validation (also a refused one) and signing (j from the OS RNG).
fn eccsi(kms: &Kms) {
    let id = b"sip:alice@example.org";
    let issued = kms.issue_eccsi(id).expect("issued");
    let kpak = kms.kpak().to_bytes();
    let mut ssk = *issued.ssk();
    classify(&ssk[..]);
    let signer = Signer::new(&kpak, id, &ssk, issued.pvt()).expect("valid SSK");
    // A wrong SSK must be refused without a secret-dependent branch before the final check.
    ssk[31] ^= 1;
    classify(&ssk[..]);
    assert!(
        Signer::new(&kpak, id, &ssk, issued.pvt()).is_err(),
        "wrong SSK refused"
    );
    // The same under a verifier's KPAK table (what the client does), accepted and refused.
    let verifier = Verifier::new(&kpak).expect("KPAK");
    ssk.copy_from_slice(issued.ssk());
    classify(&ssk[..]);
    Signer::with_verifier(&verifier, id, &ssk, issued.pvt()).expect("valid SSK");
    ssk[0] ^= 0x80;
    classify(&ssk[..]);
    assert!(
        Signer::with_verifier(&verifier, id, &ssk, issued.pvt()).is_err(),
        "wrong SSK refused under the verifier"
    );
    ssk.fill(0);
    for msg in [&b"message"[..], b"", &[0xa5; 200]] {
        let signature = signer.sign(msg).expect("signed");
        declassify(&signature[..]);
        verifier.verify(id, msg, &signature).expect("valid");
    }
    println!("ct-check: ECCSI KPAK generation, issuance, SSK validation, signing: ran");
}

/// SAKKE: z at issuance, the RSK at validation (also a refused one), the SSV (hence r) at
/// encapsulation, the RSK, the recovered SSV, r and w at decapsulation.
fn sakke(kms: &Kms, z_t: &[u8], ids: &[&[u8]]) {
    let public = SakkePublic::new(&z_t).expect("valid Z_T");
    for id in ids {
        let rsk = kms.issue_sakke(id).expect("RSK issued");
        // Receiver: the RSK is secret.
        classify(&rsk[..]);
        let receiver = SakkeReceiver::new(&z_t, id, &rsk[..]).expect("valid RSK");
        // A refused RSK (one flipped bit) must be refused without a secret-dependent branch.
        let mut bad_rsk = *rsk;
        bad_rsk[200] ^= 1;
        classify(&bad_rsk[..]);
        assert!(
            SakkeReceiver::new(&z_t, id, &bad_rsk).is_err(),
            "bad RSK refused"
        );

        for fill in [0x00u8, 0x5a, 0xff] {
            let ssv = [fill; 16];
            classify(&ssv[..]);
            let sed = public.encapsulate(id, &ssv).expect("encapsulated");
            // The SED goes on the wire: R is declassified inside; H is masked by a secret hash.
            declassify(&sed[..]);
            let recovered = receiver.decapsulate(&sed).expect("decapsulated");
            declassify(&recovered[..]);
            declassify(&ssv[..]);
            assert_eq!(recovered[..], ssv[..], "round trip");
        }
        // A tampered SED must fail without a secret-dependent branch before the final check.
        let mut sed = public.encapsulate(id, &[7u8; 16]).expect("encapsulated");
        declassify(&sed[..]);
        sed[sed.len() - 1] ^= 1;
        assert!(receiver.decapsulate(&sed).is_err(), "tampered SED refused");
    }
}

/// MIKEY: the RFC 3830 KDF over a TGK of two pieces, the SRTP keys of a GMK for an MKI, and the
/// F.1 KDFs: the keys are secret, the RAND, IDs and MKI are not.
fn mikey_keys() {
    let tgk = [0x3cu8; 40];
    classify(&tgk[..]);
    let mut out = [0u8; 48];
    mikey::prf::derive_key(
        &tgk,
        mikey::prf::CONSTANT_TEK,
        4,
        0x0123_4567,
        &[9; 16],
        &mut out,
    )
    .expect("derived");
    declassify(&out[..]);
    let gmk = [0xa5u8; 16];
    classify(&gmk[..]);
    let master = SrtpMaster::derive(
        &gmk,
        0x0123_4567,
        &[9; 16],
        4,
        Mki::gmk(0x0123_4567, 0x0abc_def0),
    )
    .expect("SRTP master");
    declassify(&master.key[..]);
    declassify(&master.salt[..]);
    let (conf, int) = mikey::kdf::signalling_keys(&gmk, 0x2000_0001, b"sip:a").expect("F.1.4");
    declassify(&conf[..]);
    declassify(&int[..]);
    declassify(&mikey::kdf::dpck(&gmk, 0x0123_4567)[..]);
    println!("ct-check: MIKEY KDF, SRTP master keys, F.1.4/F.1.5 KDFs: ran");
}
