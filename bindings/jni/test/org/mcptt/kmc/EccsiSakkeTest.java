package org.mcptt.kmc;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/**
 * ECCSI and SAKKE through the Java API: the RFC 6507 and RFC 6508 Appendix A vectors, round
 * trips, and the failures (lengths, tampering, wrong identity, bad keys, null arguments, closed
 * objects), plus the handle rules (idempotent close, close racing with use, panics).
 */
public class EccsiSakkeTest {
    private static final String ECCSI = Vectors.text("rfc6507-eccsi.json");
    private static final String SAKKE = Vectors.text("rfc6508-sakke.json");

    private static byte[] e(String key) {
        return Vectors.hex(ECCSI, key);
    }

    private static byte[] s(String key) {
        return Vectors.hex(SAKKE, key);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static EccsiSigner rfcSigner() {
        return new EccsiSigner(e("kpak"), e("id"), e("ssk"), e("pvt"));
    }

    @Test
    public void eccsiRfc6507SignatureVerifiesAndFreshSignaturesToo() {
        try (EccsiPublic pub = new EccsiPublic(e("kpak"));
                EccsiSigner signer = rfcSigner()) {
            byte[] sig = e("signature");
            assertEquals(EccsiPublic.SIGNATURE_BYTES, sig.length);
            pub.verify(e("id"), e("m"), sig);
            byte[] fresh = signer.sign(e("m"));
            assertEquals(129, fresh.length);
            assertFalse(Arrays.equals(sig, fresh));
            pub.verify(e("id"), e("m"), fresh);
            assertArrayEquals(e("pvt"), signer.pvt());
            // The empty message is a message.
            pub.verify(e("id"), new byte[0], signer.sign(new byte[0]));
        }
    }

    @Test
    public void eccsiRefusesTamperedWrongIdentityAndBadLengths() {
        try (EccsiPublic pub = new EccsiPublic(e("kpak"))) {
            byte[] sig = e("signature");
            for (int i : new int[] {0, 40, 70, 128}) {
                byte[] bad = sig.clone();
                bad[i] ^= 1;
                VerificationFailedException x =
                        assertThrows(
                                VerificationFailedException.class,
                                () -> pub.verify(e("id"), e("m"), bad));
                assertEquals(MkcException.VERIFY_FAILED, x.code());
            }
            assertThrows(
                    VerificationFailedException.class,
                    () -> pub.verify(utf8("2011-02\0tel:+447700900124\0"), e("m"), sig));
            assertThrows(
                    VerificationFailedException.class, () -> pub.verify(e("id"), utf8("other"), sig));
            for (int len : new int[] {0, 128, 130}) {
                byte[] bad = Arrays.copyOf(sig, len);
                assertThrows(
                        VerificationFailedException.class, () -> pub.verify(e("id"), e("m"), bad));
            }
        }
    }

    @Test
    public void eccsiRefusesBadKeys() {
        byte[] kpak = e("kpak");
        InvalidKeyMaterialException x =
                assertThrows(
                        InvalidKeyMaterialException.class,
                        () -> new EccsiPublic(Arrays.copyOf(kpak, 64)));
        assertEquals(MkcException.INVALID_KEY, x.code());
        byte[] offCurve = kpak.clone();
        offCurve[64] ^= 1;
        assertThrows(InvalidKeyMaterialException.class, () -> new EccsiPublic(offCurve));
        byte[] ssk = e("ssk");
        ssk[31] ^= 1;
        assertThrows(
                InvalidKeyMaterialException.class,
                () -> new EccsiSigner(kpak, e("id"), ssk, e("pvt")));
        assertThrows(
                InvalidKeyMaterialException.class,
                () -> new EccsiSigner(kpak, utf8("someone else"), e("ssk"), e("pvt")));
    }

    @Test
    public void theSskIsCopiedSoTheCallerMayWipeIt() {
        byte[] ssk = e("ssk");
        try (EccsiSigner signer = new EccsiSigner(e("kpak"), e("id"), ssk, e("pvt"));
                EccsiPublic pub = new EccsiPublic(e("kpak"))) {
            Arrays.fill(ssk, (byte) 0);
            pub.verify(e("id"), e("m"), signer.sign(e("m")));
        }
    }

    @Test
    public void sakkeRfc6508VectorEncapsulatesAndDecapsulates() {
        try (SakkePublic pub = new SakkePublic(s("z_point"));
                SakkeReceiver receiver = new SakkeReceiver(s("z_point"), s("id"), s("rsk"));
                SakkeReceiver viaPublic = new SakkeReceiver(pub, s("id"), s("rsk"))) {
            byte[] sed = pub.encapsulate(s("id"), s("ssv"));
            assertArrayEquals(s("encapsulated_data"), sed);
            assertEquals(SakkePublic.SED_BYTES, sed.length);
            assertArrayEquals(s("ssv"), receiver.decapsulate(sed));
            assertArrayEquals(s("ssv"), viaPublic.decapsulate(s("encapsulated_data")));
        }
    }

    @Test
    public void sakkeRefusesBadSedsLengthsAndKeys() {
        try (SakkePublic pub = new SakkePublic(s("z_point"));
                SakkeReceiver receiver = new SakkeReceiver(pub, s("id"), s("rsk"))) {
            byte[] sed = s("encapsulated_data");
            for (int i : new int[] {1, 200, 260, 272}) {
                byte[] bad = sed.clone();
                bad[i] ^= 1;
                DecapsulationFailedException x =
                        assertThrows(
                                DecapsulationFailedException.class, () -> receiver.decapsulate(bad));
                assertEquals(MkcException.DECAPSULATION_FAILED, x.code());
            }
            for (int len : new int[] {0, 272, 274}) {
                byte[] bad = Arrays.copyOf(sed, len);
                assertThrows(DecapsulationFailedException.class, () -> receiver.decapsulate(bad));
            }
            // Encapsulated to another identity: our RSK cannot open it.
            byte[] other = pub.encapsulate(utf8("2011-02\0tel:+447700900124\0"), s("ssv"));
            assertThrows(DecapsulationFailedException.class, () -> receiver.decapsulate(other));
            for (int len : new int[] {0, 15, 17}) {
                InvalidInputException x =
                        assertThrows(
                                InvalidInputException.class,
                                () -> pub.encapsulate(s("id"), new byte[len]));
                assertEquals(MkcException.INVALID_LENGTH, x.code());
            }
        }
        assertThrows(
                InvalidKeyMaterialException.class,
                () -> new SakkeReceiver(s("z_point"), utf8("someone else"), s("rsk")));
        assertThrows(
                InvalidKeyMaterialException.class,
                () -> new SakkePublic(Arrays.copyOf(s("z_point"), 256)));
    }

    @Test
    public void nullArgumentsThrowNullPointerException() {
        try (EccsiPublic pub = new EccsiPublic(e("kpak"));
                EccsiSigner signer = rfcSigner();
                SakkePublic spub = new SakkePublic(s("z_point"))) {
            assertThrows(NullPointerException.class, () -> new EccsiPublic(null));
            assertThrows(NullPointerException.class, () -> pub.verify(null, e("m"), e("signature")));
            assertThrows(NullPointerException.class, () -> pub.verify(e("id"), null, e("signature")));
            assertThrows(NullPointerException.class, () -> pub.verify(e("id"), e("m"), null));
            assertThrows(NullPointerException.class, () -> signer.sign(null));
            assertThrows(
                    NullPointerException.class,
                    () -> new EccsiSigner(e("kpak"), e("id"), null, e("pvt")));
            assertThrows(NullPointerException.class, () -> spub.encapsulate(null, s("ssv")));
            assertThrows(NullPointerException.class, () -> spub.encapsulate(s("id"), null));
            assertThrows(
                    NullPointerException.class, () -> new SakkeReceiver((SakkePublic) null, s("id"), s("rsk")));
        }
    }

    @Test
    public void closedObjectsThrowAndCloseIsIdempotent() {
        EccsiPublic pub = new EccsiPublic(e("kpak"));
        EccsiSigner signer = rfcSigner();
        SakkePublic spub = new SakkePublic(s("z_point"));
        assertFalse(pub.isClosed());
        pub.close();
        pub.close();
        signer.close();
        spub.close();
        assertTrue(pub.isClosed());
        assertThrows(
                IllegalStateException.class, () -> pub.verify(e("id"), e("m"), e("signature")));
        assertThrows(IllegalStateException.class, () -> signer.sign(e("m")));
        assertThrows(IllegalStateException.class, signer::pvt);
        assertThrows(IllegalStateException.class, () -> spub.encapsulate(s("id"), s("ssv")));
        assertThrows(
                IllegalStateException.class, () -> new SakkeReceiver(spub, s("id"), s("rsk")));
    }

    /** Threads verify while another closes: each call either completes or sees a closed object. */
    @Test
    public void closeRacingWithUseIsSafe() throws Exception {
        for (int round = 0; round < 5; round++) {
            EccsiPublic pub = new EccsiPublic(e("kpak"));
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger ok = new AtomicInteger();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread thread =
                        new Thread(
                                () -> {
                                    try {
                                        start.await();
                                        for (int i = 0; i < 20; i++) {
                                            pub.verify(e("id"), e("m"), e("signature"));
                                            ok.incrementAndGet();
                                        }
                                    } catch (IllegalStateException closed) {
                                        // closed meanwhile: expected
                                    } catch (Throwable other) {
                                        unexpected.set(other);
                                    }
                                });
                threads.add(thread);
                thread.start();
            }
            Thread closer = new Thread(pub::close);
            threads.add(closer);
            start.countDown();
            closer.start();
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(null, unexpected.get());
            assertTrue(pub.isClosed());
        }
    }

    /**
     * Objects nobody closes are freed by the Cleaner once unreachable. (The count may also
     * include objects other tests left to the Cleaner: at least ours must be there.)
     */
    @Test
    public void forgottenObjectsAreFreedByTheCleaner() throws Exception {
        long before = NativeHandle.FREED.get();
        for (int i = 0; i < 50; i++) {
            new EccsiSigner(e("kpak"), e("id"), e("ssk"), e("pvt")).sign(e("m"));
        }
        for (int i = 0; i < 100 && NativeHandle.FREED.get() < before + 50; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertTrue(NativeHandle.FREED.get() >= before + 50);
    }

    @Test
    public void aPanicBecomesAnMkcExceptionWithThePanicCode() {
        MkcException x = assertThrows(MkcException.class, Native::panicForTest);
        assertEquals(MkcException.PANIC, x.code());
        // The library still works afterwards.
        try (EccsiPublic pub = new EccsiPublic(e("kpak"))) {
            pub.verify(e("id"), e("m"), e("signature"));
        }
    }

    @Test
    public void uidMatchesTheTs33180Vectors() {
        String json = Vectors.text("ts33180-uid.json");
        List<String> users = Vectors.strings(json, "user_uri");
        List<String> kmss = Vectors.strings(json, "kms_uri");
        List<Long> periods = Vectors.numbers(json, "user_key_period");
        List<Long> offsets = Vectors.numbers(json, "user_key_offset");
        List<Long> numbers = Vectors.numbers(json, "key_period_no");
        List<String> uids = Vectors.strings(json, "uid");
        assertTrue(uids.size() >= 2);
        for (int i = 0; i < uids.size(); i++) {
            byte[] uid =
                    Mkc.deriveUid(
                            users.get(i), kmss.get(i), periods.get(i), offsets.get(i), numbers.get(i));
            assertArrayEquals("case " + i, Vectors.unhex(uids.get(i)), uid);
        }
        assertThrows(
                InvalidInputException.class, () -> Mkc.deriveUid("a", "b", -1, 0, 0));
    }

    @Test
    public void randomAndVersion() {
        assertEquals(32, Mkc.random(32).length);
        assertEquals(0, Mkc.random(0).length);
        assertFalse(Arrays.equals(Mkc.random(16), Mkc.random(16)));
        assertThrows(InvalidInputException.class, () -> Mkc.random(-1));
        assertNotNull(Mkc.version());
        assertTrue(Mkc.version().matches("[0-9]+\\.[0-9]+\\.[0-9]+.*"));
    }

    @Test
    public void exceptionsMapEveryFamily() {
        assertTrue(MkcException.of(6, "x") instanceof InvalidInputException);
        assertTrue(MkcException.of(100, "x") instanceof InvalidKeyMaterialException);
        assertTrue(MkcException.of(103, "x") instanceof StoreException);
        assertTrue(MkcException.of(104, "x") instanceof MikeyException);
        assertTrue(MkcException.of(10, "x") instanceof NoKeyMaterialException);
        MkcException unknown = MkcException.of(4242, "x");
        assertEquals(MkcException.class, unknown.getClass());
        assertEquals(4242, unknown.code());
    }
}
