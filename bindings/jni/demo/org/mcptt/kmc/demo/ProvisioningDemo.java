package org.mcptt.kmc.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.mcptt.kmc.Client;
import org.mcptt.kmc.ClientConfig;
import org.mcptt.kmc.Event;
import org.mcptt.kmc.GeneratedKey;
import org.mcptt.kmc.KeyKind;
import org.mcptt.kmc.Mkc;
import org.mcptt.kmc.Output;
import org.mcptt.kmc.ReceivedKey;
import org.mcptt.kmc.Request;
import org.mcptt.kmc.Sdp;

/**
 * The Java API end to end: alice and bob get their keys from a KMS over HTTPS (java.net.http,
 * trusting only the KMS's certificate), alice signs and bob verifies, bob sends alice a key with
 * SAKKE, alice sends bob a private call key in a MIKEY-SAKKE I_MESSAGE (SDP form), and alice's
 * sealed key store is exported and restored into a new client.
 *
 * <p>Usage: {@code ProvisioningDemo KMS_URL KMS_CA_PEM TOKEN_ALICE TOKEN_BOB} (make demo-java runs
 * it against the reference KMS through scripts/run-with-kms.sh).
 */
public final class ProvisioningDemo {
    private static final String ALICE = "sip:alice@example.org";
    private static final String BOB = "sip:bob@example.org";

    private ProvisioningDemo() {}

    /** An HTTP client that trusts only the certificate in {@code caPem} (and checks the host). */
    static HttpClient httpClient(String caPem) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(Paths.get(caPem))) {
            trust.setCertificateEntry("kms", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /**
     * Runs the client's loop until it has nothing to do now: sends its requests, feeds back the
     * answers or transport failures, and prints its events. Fails on a token refusal or
     * exhausted retries; sleeps (at most 30 s in all) for retries.
     */
    static void provision(HttpClient http, Client client, String user, byte[] token) throws InterruptedException {
        client.setAccessToken(token);
        Arrays.fill(token, (byte) 0);
        boolean ready = false;
        long deadline = now() + 30;
        while (true) {
            Output out = client.pollOutput(now());
            switch (out.kind()) {
                case REQUEST:
                    send(http, client, out.request());
                    break;
                case EVENT:
                    Event e = out.event();
                    System.out.println("  " + user + ": " + e);
                    if (e.kind() == Event.Kind.KEY_MATERIAL_READY && user.equals(e.identity())) {
                        ready = e.canSign() && e.canDecrypt();
                    }
                    if (e.kind() == Event.Kind.ACCESS_TOKEN_NEEDED
                            || e.kind() == Event.Kind.RETRIES_EXHAUSTED
                            || e.kind() == Event.Kind.MATERIAL_REJECTED) {
                        throw new IllegalStateException(user + ": provisioning failed: " + e);
                    }
                    break;
                case WAKE_UP:
                    if (ready) {
                        return;
                    }
                    if (out.wakeUpAt() > deadline) {
                        throw new IllegalStateException(user + ": no key material before the deadline");
                    }
                    Thread.sleep(Math.max(0, out.wakeUpAt() - now()) * 1000);
                    break;
                default:
                    if (!ready) {
                        throw new IllegalStateException(user + ": the client stopped without key material");
                    }
                    return;
            }
        }
    }

    /** Sends one request and feeds the outcome back to the client. */
    static void send(HttpClient http, Client client, Request request) throws InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(request.url()))
                        .timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()));
        for (Request.Header h : request.headers()) {
            b.header(h.name(), h.valueAsString());
        }
        HttpRequest httpRequest = b.build();
        try {
            HttpResponse<byte[]> response = http.send(httpRequest, HttpResponse.BodyHandlers.ofByteArray());
            byte[] body = response.body();
            client.handleResponse(now(), request.id(), response.statusCode(), body);
            // The body of a key set holds the SSK and RSK.
            Arrays.fill(body, (byte) 0);
        } catch (IOException e) {
            System.out.println("  transport failure: " + e.getClass().getSimpleName());
            client.handleFailure(now(), request.id());
        } finally {
            // The body publisher reads the array while sending: wipe the token and body after.
            request.wipe();
        }
    }

    static ClientConfig config(String kmsUrl, String user) {
        return new ClientConfig(kmsUrl, user);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ProvisioningDemo KMS_URL KMS_CA_PEM TOKEN_ALICE TOKEN_BOB");
            System.exit(2);
        }
        String kmsUrl = args[0];
        HttpClient http = httpClient(args[1]);
        System.out.println("mcptt-kmc " + Mkc.version() + " (Java API), KMS " + kmsUrl);
        try (Client alice = new Client(config(kmsUrl, ALICE));
                Client bob = new Client(config(kmsUrl, BOB))) {
            provision(http, alice, ALICE, args[2].getBytes(StandardCharsets.UTF_8));
            provision(http, bob, BOB, args[3].getBytes(StandardCharsets.UTF_8));
            long now = now();
            Client.KeyPeriod period = alice.keyPeriod(now);
            System.out.println("key period " + period.number + ": [" + period.start + ", " + period.end + ")");

            byte[] msg = "alice requests the floor".getBytes(StandardCharsets.UTF_8);
            byte[] sig = alice.sign(ALICE, now, msg);
            bob.verify(ALICE, now, msg, sig);
            System.out.println("alice signed " + sig.length + " octets; bob verified them");

            byte[] ssv = Mkc.random(16);
            byte[] sed = bob.encapsulate(ALICE, now, ssv);
            byte[] opened = alice.decapsulate(ALICE, now, sed);
            check(Arrays.equals(ssv, opened), "SAKKE: alice got another SSV");
            Arrays.fill(ssv, (byte) 0);
            Arrays.fill(opened, (byte) 0);
            System.out.println("bob sent alice a 16-octet key in a " + sed.length + "-octet SAKKE SED");

            GeneratedKey pck = GeneratedKey.generate(KeyKind.PCK);
            byte[] imessage =
                    alice.mikeyCreateImessage(ALICE, BOB, now, KeyKind.PCK, pck.key(), pck.keyId(), false, false);
            String sdp = "a=key-mgmt:" + Sdp.toKeyMgmt(imessage);
            ReceivedKey got = bob.mikeyProcessImessage(BOB, now(), 60, null, Sdp.fromKeyMgmt(sdp));
            check(Arrays.equals(pck.key(), got.key()) && got.keyId() == pck.keyId(), "MIKEY: bob got another key");
            check(ALICE.equals(got.initiatorUri()), "MIKEY: wrong initiator");
            System.out.printf(
                    "alice sent bob PCK-ID %08x in a %d-octet I_MESSAGE (%d characters of SDP)%n",
                    got.keyId(), imessage.length, sdp.length());
            pck.wipe();
            got.wipe();

            byte[] storageKey = Mkc.random(32);
            byte[] blob = alice.exportStore(storageKey);
            try (Client restored = new Client(config(kmsUrl, ALICE))) {
                int installed = restored.importStore(now(), storageKey, blob);
                check(installed >= 1, "the restored store holds no key set");
                bob.verify(ALICE, now(), msg, restored.sign(ALICE, now(), msg));
                System.out.println(
                        "alice's sealed store (" + blob.length + " octets) restored " + installed
                                + " key set(s); the restored client signs");
            }
            Arrays.fill(storageKey, (byte) 0);
        }
        System.out.println("demo-java: OK");
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }
}
