package org.mcptt.kmc;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The provisioning client through the Java API, driven in-process against KMS responses that
 * the core's KMS side makes ({@link Kms}), as tests/client.rs drives the Rust client: init and
 * keyprov, tokens, failures, export/import of the sealed store, sign/verify and SAKKE between
 * two users, MIKEY I_MESSAGEs between two clients and their SDP form.
 */
public class ClientTest {
    static final String ALICE = "sip:alice@example.org";
    static final String BOB = "sip:bob@example.org";
    static final String KMS_URI = "kms.example.org";
    static final String KMS_URL = "https://kms.example.org:8443";
    static final String API_PATH = "/keymanagement/identity/v1/";
    static final long PERIOD = 86_400;
    /** 2027-01-15 08:00:00 UTC, well inside a period. */
    static final long T0 = 1_800_000_000L;
    static final long NTP_UNIX_OFFSET = 2_208_988_800L;
    static final Kms.Domain DOMAIN = new Kms.Domain(KMS_URI, PERIOD, 0, IdEncoding.RAW_UID);

    static Kms kms;
    static Client alice;
    static Client bob;

    @BeforeClass
    public static void provision() {
        kms = Kms.generate();
        alice = provisioned(ALICE);
        bob = provisioned(BOB);
    }

    @AfterClass
    public static void close() {
        alice.close();
        bob.close();
        kms.close();
    }

    static ClientConfig config(String user) {
        ClientConfig c = new ClientConfig(KMS_URL, user);
        c.expectedKmsUri = KMS_URI;
        c.prefetchSeconds = 3_600;
        c.graceSeconds = 600;
        c.maxAttempts = 4;
        c.retryMaxSeconds = 60;
        return c;
    }

    static byte[] token(String user) {
        return ("token-" + user).getBytes(StandardCharsets.UTF_8);
    }

    /** What the in-process KMS answers to a request; checks the request's form. */
    static byte[] answer(String user, Request request, long now) {
        assertEquals("POST", request.method());
        Request.Header auth = request.headers().get(0);
        assertEquals("Authorization", auth.name());
        assertArrayEquals(
                ("Bearer token-" + user).getBytes(StandardCharsets.UTF_8), auth.value());
        String url = request.url();
        assertTrue(url, url.startsWith(KMS_URL + API_PATH));
        String path = url.substring((KMS_URL + API_PATH).length());
        if (path.equals("init")) {
            return kms.initResponseXml(DOMAIN, user, url, now);
        }
        String[] parts = path.split("/");
        assertEquals("keyprov", parts[0]);
        String uri = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
        assertEquals(user, uri);
        long ntp = Long.parseLong(parts[2].substring(0, 8), 16);
        return kms.keyProvResponseXml(DOMAIN, user, url, now, ntp / PERIOD);
    }

    /** Polls until the client has nothing to do now, answering every request at once. */
    static List<Event> drive(Client client, String user, long now) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Output out = client.pollOutput(now);
            switch (out.kind()) {
                case REQUEST:
                    Request request = out.request();
                    byte[] body = answer(user, request, now);
                    client.handleResponse(now, request.id(), 200, body);
                    Arrays.fill(body, (byte) 0);
                    request.wipe();
                    break;
                case EVENT:
                    events.add(out.event());
                    break;
                case WAKE_UP:
                    assertTrue(out.wakeUpAt() > now);
                    return events;
                default:
                    return events;
            }
        }
        fail("the client did not settle");
        return events;
    }

    static Client provisioned(String user) {
        Client client = new Client(config(user));
        client.setAccessToken(token(user));
        List<Event> events = drive(client, user, T0);
        Event cert = events.get(0);
        assertEquals(Event.Kind.CERTIFICATE_INSTALLED, cert.kind());
        assertEquals(KMS_URI, cert.text());
        assertFalse(cert.changed());
        Client.KeyPeriod period = client.keyPeriod(T0);
        assertEquals((T0 + NTP_UNIX_OFFSET) / PERIOD, period.number);
        Event ready = events.get(1);
        assertEquals(Event.Kind.KEY_MATERIAL_READY, ready.kind());
        assertEquals(user, ready.identity());
        assertEquals(Long.valueOf(period.number), ready.period());
        assertEquals(period.start, ready.start());
        assertEquals(period.end, ready.end());
        assertTrue(ready.canSign() && ready.canDecrypt());
        assertEquals(2, events.size());
        return client;
    }

    @Test
    public void aliceSignsBobVerifiesBobEncapsulatesAliceDecapsulates() {
        byte[] msg = "floor request".getBytes(StandardCharsets.UTF_8);
        byte[] sig = alice.sign(ALICE, T0, msg);
        assertEquals(EccsiPublic.SIGNATURE_BYTES, sig.length);
        bob.verify(ALICE, T0, msg, sig);
        assertThrows(VerificationFailedException.class, () -> bob.verify(BOB, T0, msg, sig));
        byte[] tampered = sig.clone();
        tampered[5] ^= 1;
        assertThrows(VerificationFailedException.class, () -> bob.verify(ALICE, T0, msg, tampered));

        byte[] ssv = Mkc.random(16);
        byte[] sed = bob.encapsulate(ALICE, T0, ssv);
        assertEquals(SakkePublic.SED_BYTES, sed.length);
        assertArrayEquals(ssv, alice.decapsulate(ALICE, T0, sed));
        // Bob holds no RSK of Alice's, and no material for another identity.
        assertThrows(DecapsulationFailedException.class, () -> bob.decapsulate(BOB, T0, sed));
        NoKeyMaterialException none =
                assertThrows(NoKeyMaterialException.class, () -> bob.decapsulate(ALICE, T0, sed));
        assertEquals(MkcException.NO_KEY_MATERIAL, none.code());
        assertThrows(InvalidInputException.class, () -> bob.encapsulate(ALICE, T0, new byte[15]));
        // The UID is TS 33.180 F.2.1's, as Mkc.deriveUid computes it.
        long n = alice.keyPeriod(T0).number;
        assertArrayEquals(Mkc.deriveUid(BOB, KMS_URI, PERIOD, 0, n), alice.uid(BOB, T0));
    }

    @Test
    public void theClientsMaterialMatchesTheBareApi() {
        long n = alice.keyPeriod(T0).number;
        byte[] uid = Mkc.deriveUid(ALICE, KMS_URI, PERIOD, 0, n);
        byte[] msg = {1, 2, 3};
        try (EccsiPublic pub = new EccsiPublic(kms.kpak());
                SakkePublic spub = new SakkePublic(kms.zT())) {
            pub.verify(uid, msg, alice.sign(ALICE, T0, msg));
            byte[] ssv = Mkc.random(16);
            assertArrayEquals(ssv, alice.decapsulate(ALICE, T0, spub.encapsulate(uid, ssv)));
        }
    }

    @Test
    public void kmsIssuedKeysWorkWithTheBareApi() {
        byte[] id = Mkc.random(32);
        byte[][] eccsi = kms.issueEccsi(id);
        assertEquals(32, eccsi[0].length);
        assertEquals(65, eccsi[1].length);
        byte[] rsk = kms.issueSakke(id);
        try (EccsiSigner signer = new EccsiSigner(kms.kpak(), id, eccsi[0], eccsi[1]);
                EccsiPublic pub = new EccsiPublic(kms.kpak());
                SakkePublic spub = new SakkePublic(kms.zT());
                SakkeReceiver receiver = new SakkeReceiver(spub, id, rsk)) {
            Arrays.fill(eccsi[0], (byte) 0);
            Arrays.fill(rsk, (byte) 0);
            byte[] msg = Mkc.random(100);
            pub.verify(id, msg, signer.sign(msg));
            byte[] ssv = Mkc.random(16);
            assertArrayEquals(ssv, receiver.decapsulate(spub.encapsulate(id, ssv)));
        }
        assertThrows(
                InvalidKeyMaterialException.class, () -> Kms.fromSecrets(new byte[32], new byte[128]));
    }

    @Test
    public void withoutATokenTheClientAsksForOne() {
        try (Client c = new Client(config(ALICE))) {
            Output first = c.pollOutput(T0);
            assertEquals(Output.Kind.EVENT, first.kind());
            assertEquals(Event.Kind.ACCESS_TOKEN_NEEDED, first.event().kind());
            assertEquals(Output.Kind.NONE, c.pollOutput(T0).kind());
            c.setAccessToken(token(ALICE));
            Output request = c.pollOutput(T0);
            assertEquals(Output.Kind.REQUEST, request.kind());
            assertTrue(request.request().url().endsWith(API_PATH + "init"));
            // A 401 takes the token away: the client asks again.
            c.handleResponse(T0, request.request().id(), 401, new byte[0]);
            assertEquals(Event.Kind.ACCESS_TOKEN_NEEDED, c.pollOutput(T0).event().kind());
            for (byte[] bad : new byte[][] {{}, "a\nb".getBytes(StandardCharsets.UTF_8), {(byte) 0xff}}) {
                InvalidInputException x =
                        assertThrows(InvalidInputException.class, () -> c.setAccessToken(bad));
                assertEquals(MkcException.INVALID_PARAMETER, x.code());
            }
        }
    }

    @Test
    public void failuresAreRetriedAndReported() {
        try (Client c = new Client(config(ALICE))) {
            c.setAccessToken(token(ALICE));
            Request r = c.pollOutput(T0).request();
            c.handleFailure(T0, r.id());
            Event failed = c.pollOutput(T0).event();
            assertEquals(Event.Kind.REQUEST_FAILED, failed.kind());
            assertEquals(r.id(), failed.requestId());
            assertEquals(0, failed.httpStatus());
            assertTrue(failed.retryAt() > T0);
            Output wake = c.pollOutput(T0);
            assertEquals(Output.Kind.WAKE_UP, wake.kind());
            assertEquals(failed.retryAt(), wake.wakeUpAt());
            Request again = c.pollOutput(wake.wakeUpAt()).request();
            c.handleResponse(wake.wakeUpAt(), again.id(), 503, new byte[0]);
            Event plain = c.pollOutput(wake.wakeUpAt()).event();
            assertEquals(503, plain.httpStatus());
            assertFalse(plain.hasKmsError());
            // A KmsError in a non-2xx answer reaches the app, its ErrorMsg escaped.
            long t = c.pollOutput(wake.wakeUpAt()).wakeUpAt();
            Request third = c.pollOutput(t).request();
            String error =
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                            + "<KmsResponse xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\">"
                            + "<UserUri>" + ALICE + "</UserUri><KmsUri>kms.example.org</KmsUri>"
                            + "<Time>2021-05-17T13:25:16</Time><ClientReqUrl>x</ClientReqUrl>"
                            + "<KmsError><ErrorCode>4711</ErrorCode><ErrorMsg>busy\nFAKE</ErrorMsg>"
                            + "</KmsError></KmsResponse>";
            c.handleResponse(t, third.id(), 500, error.getBytes(StandardCharsets.UTF_8));
            Event withError = c.pollOutput(t).event();
            assertEquals(Event.Kind.REQUEST_FAILED, withError.kind());
            assertEquals(500, withError.httpStatus());
            assertTrue(withError.hasKmsError());
            assertEquals(4711, withError.kmsErrorCode());
            assertEquals("busy\\u{a}FAKE", withError.text());
            InvalidInputException unknown =
                    assertThrows(InvalidInputException.class, () -> c.handleFailure(T0, 9999));
            assertEquals(MkcException.UNKNOWN_REQUEST, unknown.code());
            assertThrows(
                    InvalidInputException.class,
                    () -> c.handleResponse(T0, 9999, 200, new byte[0]));
            assertThrows(
                    InvalidInputException.class, () -> c.handleResponse(T0, again.id(), 1000, new byte[0]));
            assertThrows(InvalidInputException.class, () -> c.pollOutput(-1));
        }
    }

    @Test
    public void malformedAnswersAreRejectedAndChangeNothing() {
        try (Client c = new Client(config(ALICE))) {
            c.setAccessToken(token(ALICE));
            Request r = c.pollOutput(T0).request();
            c.handleResponse(T0, r.id(), 200, "<not xml".getBytes(StandardCharsets.UTF_8));
            Event rejected = c.pollOutput(T0).event();
            assertEquals(Event.Kind.MATERIAL_REJECTED, rejected.kind());
            assertEquals("Malformed", rejected.rejection());
            assertNotNull(rejected.text());
            assertNull(rejected.period());
            NoKeyMaterialException x =
                    assertThrows(NoKeyMaterialException.class, () -> c.sign(ALICE, T0, new byte[1]));
            assertEquals(MkcException.NO_CERTIFICATE, x.code());
            assertThrows(NoKeyMaterialException.class, () -> c.keyPeriod(T0));
        }
    }

    @Test
    public void badConfigurationsAreRefused() {
        ClientConfig http = config(ALICE);
        http.kmsUrl = "http://kms.example.org";
        InvalidInputException x = assertThrows(InvalidInputException.class, () -> new Client(http));
        assertEquals(MkcException.INVALID_CONFIG, x.code());
        http.allowInsecureHttp = true;
        new Client(http).close();
        ClientConfig dup = config(ALICE);
        dup.extraIdentities.add(ALICE);
        assertThrows(InvalidInputException.class, () -> new Client(dup));
        ClientConfig negative = config(ALICE);
        negative.graceSeconds = -1;
        assertEquals(
                MkcException.INVALID_PARAMETER,
                assertThrows(InvalidInputException.class, () -> new Client(negative)).code());
        ClientConfig nullUser = config(null);
        assertThrows(NullPointerException.class, () -> new Client(nullUser));
        ClientConfig nullExtra = config(ALICE);
        nullExtra.extraIdentities.add(null);
        assertThrows(NullPointerException.class, () -> new Client(nullExtra));
        assertThrows(NullPointerException.class, () -> new Client(null));
    }

    @Test
    public void exportAndImportTheSealedStore() {
        byte[] storageKey = Mkc.random(32);
        byte[] blob = alice.exportStore(storageKey);
        try (Client restored = new Client(config(ALICE))) {
            assertEquals(1, restored.importStore(T0, storageKey, blob));
            assertEquals(Event.Kind.CERTIFICATE_INSTALLED, restored.pollOutput(T0).event().kind());
            Event ready = restored.pollOutput(T0).event();
            assertEquals(Event.Kind.KEY_MATERIAL_READY, ready.kind());
            assertEquals(ALICE, ready.identity());
            byte[] msg = {42};
            bob.verify(ALICE, T0, msg, restored.sign(ALICE, T0, msg));
            byte[] ssv = Mkc.random(16);
            assertArrayEquals(ssv, restored.decapsulate(ALICE, T0, bob.encapsulate(ALICE, T0, ssv)));

            byte[] wrongKey = storageKey.clone();
            wrongKey[0] ^= 1;
            StoreException auth =
                    assertThrows(StoreException.class, () -> restored.importStore(T0, wrongKey, blob));
            assertEquals(MkcException.STORE_AUTHENTICATION_FAILED, auth.code());
            byte[] tampered = blob.clone();
            tampered[tampered.length - 1] ^= 1;
            assertThrows(StoreException.class, () -> restored.importStore(T0, storageKey, tampered));
            assertEquals(
                    MkcException.INVALID_STORE,
                    assertThrows(
                                    StoreException.class,
                                    () -> restored.importStore(T0, storageKey, new byte[40]))
                            .code());
            assertEquals(
                    MkcException.INVALID_LENGTH,
                    assertThrows(InvalidInputException.class, () -> alice.exportStore(new byte[31]))
                            .code());
        }
        // Bob's client cannot open Alice's store: it is bound to her URI.
        try (Client other = new Client(config(BOB))) {
            assertThrows(StoreException.class, () -> other.importStore(T0, storageKey, blob));
        }
    }

    @Test
    public void mikeyBetweenTwoClientsAndTheSdpForm() {
        GeneratedKey pck = GeneratedKey.generate(KeyKind.PCK);
        assertEquals(16, pck.key().length);
        assertEquals(KeyKind.PCK.purposeTag(), pck.keyId() >>> 28);
        byte[] message =
                alice.mikeyCreateImessage(ALICE, BOB, T0, KeyKind.PCK, pck.key(), pck.keyId(), false, false);
        String sdp = Sdp.toKeyMgmt(message);
        assertTrue(sdp.startsWith("mikey "));
        assertArrayEquals(message, Sdp.fromKeyMgmt("a=key-mgmt:" + sdp));
        assertArrayEquals(message, Sdp.fromKeyMgmt(sdp.substring("mikey ".length())));
        assertThrows(MikeyException.class, () -> Sdp.fromKeyMgmt("mikey ***"));

        ReceivedKey got = bob.mikeyProcessImessage(BOB, T0 + 2, 60, null, Sdp.fromKeyMgmt(sdp));
        assertEquals(KeyKind.PCK, got.kind());
        assertArrayEquals(pck.key(), got.key());
        assertEquals(pck.keyId(), got.keyId());
        assertNull(got.gukId());
        assertEquals(ALICE, got.initiatorUri());
        assertArrayEquals(alice.uid(ALICE, T0), got.initiatorUid());
        assertEquals(T0, got.time());
        assertEquals(bob.keyPeriod(T0).number, got.period());
        assertFalse(got.viaSakkeToSelf());
        assertEquals(16, got.rand().length);
        got.wipe();
        assertArrayEquals(new byte[16], got.key());

        // Hidden identities: Bob gives the initiator's URI (from SIP).
        byte[] hidden =
                alice.mikeyCreateImessage(ALICE, BOB, T0, KeyKind.PCK, pck.key(), pck.keyId(), true, false);
        assertArrayEquals(pck.key(), bob.mikeyProcessImessage(BOB, T0, 60, ALICE, hidden).key());

        MikeyException late =
                assertThrows(
                        MikeyException.class, () -> bob.mikeyProcessImessage(BOB, T0 + 3_600, 60, null, message));
        assertEquals(MkcException.MIKEY_TIME_OUTSIDE_WINDOW, late.code());
        MikeyException notUs =
                assertThrows(
                        MikeyException.class, () -> alice.mikeyProcessImessage(ALICE, T0, 60, null, message));
        assertEquals(MkcException.MIKEY_NOT_FOR_US, notUs.code());
        byte[] tampered = message.clone();
        tampered[tampered.length - 10] ^= 1;
        assertThrows(MkcException.class, () -> bob.mikeyProcessImessage(BOB, T0, 60, null, tampered));
        assertThrows(
                MikeyException.class,
                () -> bob.mikeyProcessImessage(BOB, T0, 60, null, Arrays.copyOf(message, 20)));
        // A key ID of another kind, a key of the wrong length.
        assertThrows(
                InvalidInputException.class,
                () -> alice.mikeyCreateImessage(ALICE, BOB, T0, KeyKind.GMK, pck.key(), pck.keyId(), false, false));
        assertEquals(
                MkcException.INVALID_LENGTH,
                assertThrows(
                                InvalidInputException.class,
                                () ->
                                        alice.mikeyCreateImessage(
                                                ALICE, BOB, T0, KeyKind.PCK, new byte[15], pck.keyId(), false, false))
                        .code());
        // Bob has no SSK of Alice's.
        assertThrows(
                NoKeyMaterialException.class,
                () -> bob.mikeyCreateImessage(ALICE, BOB, T0, KeyKind.PCK, pck.key(), pck.keyId(), false, false));
        pck.wipe();
    }

    /** Shared calls (sign, verify) run on several threads while exclusive ones (poll) go on. */
    @Test
    public void threadsShareTheClient() throws Exception {
        byte[] msg = {7, 7, 7};
        java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread thread =
                    new Thread(
                            () -> {
                                try {
                                    for (int i = 0; i < 5; i++) {
                                        bob.verify(ALICE, T0, msg, alice.sign(ALICE, T0, msg));
                                        assertEquals(Output.Kind.WAKE_UP, alice.pollOutput(T0).kind());
                                    }
                                } catch (Throwable e) {
                                    failure.set(e);
                                }
                            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertNull(failure.get());
    }

    /** A group management server sends a GMK: the member gets it with its GUK-ID. */
    @Test
    public void aGmkFromTheGroupManagementServer() {
        String gmsUri = "sip:gms@example.org";
        try (Client gms = provisioned(gmsUri)) {
            GeneratedKey gmk = GeneratedKey.generate(KeyKind.GMK);
            byte[] message =
                    gms.mikeyCreateImessage(gmsUri, ALICE, T0, KeyKind.GMK, gmk.key(), gmk.keyId(), false, true);
            ReceivedKey got = alice.mikeyProcessImessage(ALICE, T0, 60, gmsUri, message);
            assertEquals(KeyKind.GMK, got.kind());
            assertArrayEquals(gmk.key(), got.key());
            assertEquals(gmk.keyId(), got.keyId());
            assertNotNull(got.gukId());
            assertEquals((int) got.gukId(), got.csbId());
            // SAKKE-to-self: another device of the GMS opens it too.
            try (Client otherDevice = provisioned(gmsUri)) {
                ReceivedKey own = otherDevice.mikeyProcessImessage(gmsUri, T0, 60, null, message);
                assertTrue(own.viaSakkeToSelf());
                assertArrayEquals(gmk.key(), own.key());
            }
            gmk.wipe();
        }
    }

    @Test
    public void partnerDomains() {
        assertEquals(PartnerStatus.VALID, alice.partnerStatus(KMS_URI, T0));
        assertEquals(PartnerStatus.UNKNOWN, alice.partnerStatus("partner.example.net", T0));
        MikeyException unknown =
                assertThrows(
                        MikeyException.class,
                        () ->
                                alice.mikeyCreateImessage(
                                        ALICE, "sip:carol@partner.example.net",
                                        "partner.example.net", T0, KeyKind.PCK, new byte[16],
                                        0x10000001, false, false));
        assertEquals(MkcException.MIKEY_UNKNOWN_KMS, unknown.code());
        try (Client c = new Client(config(ALICE))) {
            c.setAccessToken(token(ALICE));
            drive(c, ALICE, T0);
            c.setCertcacheInterval(86_400);
            Request r = c.pollOutput(T0).request();
            assertTrue(r.url(), r.url().endsWith(API_PATH + "certcache"));
            assertThrows(InvalidInputException.class, () -> c.setCertcacheInterval(-1));
        }
    }

    /** The retry times (RequestFailed's retryAt) of `failures` failed requests of a client. */
    static List<Long> retryTimes(Long seed, int failures) {
        List<Long> times = new ArrayList<>();
        ClientConfig config = config(ALICE);
        config.retryInitialSeconds = 64;
        config.retryMaxSeconds = 100_000;
        config.maxAttempts = failures + 1;
        try (Client c = new Client(config)) {
            if (seed != null) {
                c.setJitterSeed(seed);
            }
            c.setAccessToken(token(ALICE));
            long now = T0;
            while (times.size() < failures) {
                Output out = c.pollOutput(now);
                switch (out.kind()) {
                    case REQUEST:
                        c.handleFailure(now, out.request().id());
                        break;
                    case EVENT:
                        if (out.event().kind() == Event.Kind.REQUEST_FAILED) {
                            times.add(out.event().retryAt() - now);
                        }
                        break;
                    case WAKE_UP:
                        now = out.wakeUpAt();
                        break;
                    default:
                        fail("NONE before " + failures + " failures");
                }
            }
        }
        return times;
    }

    /** The same jitter seed replays the same retry times; other seeds (checked) give others. */
    @Test
    public void retryTimesReplayFromTheJitterSeed() {
        List<Long> one = retryTimes(1L, 6);
        assertEquals(6, one.size());
        assertEquals(one, retryTimes(1L, 6));
        assertNotEquals(one, retryTimes(2L, 6));
        assertEquals(retryTimes(-1L, 6), retryTimes(-1L, 6));
        assertNotEquals(one, retryTimes(-1L, 6));
        for (int i = 0; i < one.size(); i++) {
            long d = 64L << i;
            assertTrue(one.toString(), one.get(i) >= d / 2 && one.get(i) <= d);
        }
    }

    /** An event kind a newer native library reports comes as OTHER with its description. */
    @Test
    public void unknownEventKindsComeAsOther() {
        Event e = Event.of(99, null, false, 0, 0, 0, 0, false, false, false, null, false, 0, "NewKind", 0, 0, 0);
        assertEquals(Event.Kind.OTHER, e.kind());
        assertEquals("NewKind", e.text());
        assertEquals(Event.Kind.KMS_ERROR, Event.of(5, null, false, 0, 0, 0, 0, false, false, false, null, true, 7, "x", 0, 0, 0).kind());
        assertEquals(
                Event.Kind.KEY_MATERIAL_PARTIAL,
                Event.of(10, "a", true, 1, 1, 0, 1, true, false, false, null, false, 0, null, 0, 0, 0).kind());
    }

    @Test
    public void aClosedClientThrows() {
        Client c = new Client(config(ALICE));
        c.close();
        c.close();
        assertThrows(IllegalStateException.class, () -> c.pollOutput(T0));
        assertThrows(IllegalStateException.class, () -> c.sign(ALICE, T0, new byte[1]));
        assertThrows(IllegalStateException.class, () -> c.setAccessToken(token(ALICE)));
        assertThrows(IllegalStateException.class, () -> c.exportStore(new byte[32]));
    }

    @Test
    public void nullArgumentsThrowNullPointerException() {
        assertThrows(NullPointerException.class, () -> alice.sign(null, T0, new byte[1]));
        assertThrows(NullPointerException.class, () -> alice.sign(ALICE, T0, null));
        assertThrows(NullPointerException.class, () -> alice.verify(ALICE, T0, new byte[1], null));
        assertThrows(NullPointerException.class, () -> alice.setAccessToken(null));
        assertThrows(NullPointerException.class, () -> alice.importStore(T0, null, new byte[1]));
        assertThrows(
                NullPointerException.class, () -> alice.mikeyProcessImessage(BOB, T0, 60, null, null));
        assertThrows(NullPointerException.class, () -> Sdp.toKeyMgmt(null));
        assertThrows(NullPointerException.class, () -> GeneratedKey.generate(null));
    }
}
