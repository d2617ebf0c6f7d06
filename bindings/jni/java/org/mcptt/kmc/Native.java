package org.mcptt.kmc;

/**
 * The native methods of libmcptt_kmc_jni (bindings/jni/src). Package-private: the public
 * classes check arguments and handle state, then call these. Handles are the {@code long}
 * values the {@code ...New} functions return; each is freed once by its {@code ...Free}.
 */
final class Native {
    private Native() {}

    static {
        // -Dmcptt.kmc.library=/path/to/libmcptt_kmc_jni.so loads a given file (host tests);
        // otherwise the library is found on java.library.path (an app's jniLibs on Android).
        String path = System.getProperty("mcptt.kmc.library");
        if (path != null && !path.isEmpty()) {
            System.load(path);
        } else {
            System.loadLibrary("mcptt_kmc_jni");
        }
    }

    /** Makes sure the library is loaded (the class initializer does it). */
    static void load() {}

    // ECCSI (RFC 6507)
    static native long eccsiPublicNew(byte[] kpak);
    static native void eccsiPublicFree(long handle);
    static native void eccsiVerify(long handle, byte[] id, byte[] msg, byte[] signature);
    static native long eccsiSignerNew(byte[] kpak, byte[] id, byte[] ssk, byte[] pvt);
    static native void eccsiSignerFree(long handle);
    static native byte[] eccsiSign(long handle, byte[] msg);
    static native byte[] eccsiSignerPvt(long handle);

    // SAKKE (RFC 6508)
    static native long sakkePublicNew(byte[] zT);
    static native void sakkePublicFree(long handle);
    static native byte[] sakkeEncapsulate(long handle, byte[] id, byte[] ssv);
    static native long sakkeReceiverNew(byte[] zT, byte[] id, byte[] rsk);
    static native long sakkeReceiverWithPublic(long publicHandle, byte[] id, byte[] rsk);
    static native void sakkeReceiverFree(long handle);
    static native byte[] sakkeDecapsulate(long handle, byte[] sed);

    // The provisioning client
    static native long clientNew(
            String kmsUrl,
            String userUri,
            String[] extraIdentities,
            String expectedKmsUri,
            long prefetchS,
            long graceS,
            long retryInitialS,
            long retryMaxS,
            int maxAttempts,
            int idEncoding,
            boolean allowInsecureHttp);
    static native void clientFree(long handle);
    static native void clientSetAccessToken(long handle, byte[] token);
    static native void clientRefresh(long handle);
    static native void clientSetCertcacheInterval(long handle, long intervalS);
    static native void clientSetJitterSeed(long handle, long seed);
    static native int clientPartnerStatus(long handle, String kmsUri, long now);
    static native Output clientPollOutput(long handle, long now);
    static native void clientHandleResponse(
            long handle, long now, long requestId, int httpStatus, byte[] body);
    static native void clientHandleFailure(long handle, long now, long requestId);
    static native long[] clientKeyPeriod(long handle, long now);
    static native byte[] clientUid(long handle, String uri, long now);
    static native byte[] clientSign(long handle, String identity, long now, byte[] msg);
    static native void clientVerify(
            long handle, String peerUri, long now, byte[] msg, byte[] signature);
    static native byte[] clientEncapsulate(long handle, String peerUri, long now, byte[] ssv);
    static native byte[] clientDecapsulate(long handle, String identity, long now, byte[] sed);
    static native byte[] clientExport(long handle, byte[] storageKey);
    static native int clientImport(long handle, long now, byte[] storageKey, byte[] blob);

    // MIKEY-SAKKE (RFC 6509, TS 33.180 Annex E)
    static native byte[] clientMikeyCreate(
            long handle,
            String identity,
            String responderUri,
            String responderKmsUri,
            long now,
            int kind,
            byte[] key,
            int keyId,
            boolean hideIdentities,
            boolean sakkeToSelf);
    static native ReceivedKey clientMikeyProcess(
            long handle,
            String identity,
            long now,
            long replayWindowS,
            String initiatorUri,
            byte[] message);
    static native GeneratedKey mikeyNewKey(int kind);
    static native String mikeyToSdp(byte[] message);
    static native byte[] mikeyFromSdp(String text);
    static native byte[] mikeyDeriveKey(
            byte[] tgk, int constant, int csId, int csbId, byte[] rand, int outLen);

    // The KMS side
    static native long kmsGenerate();
    static native long kmsFromSecrets(byte[] ksak, byte[] z);
    static native void kmsFree(long handle);
    static native byte[] kmsKpak(long handle);
    static native byte[] kmsZt(long handle);
    static native byte[][] kmsIssueEccsi(long handle, byte[] id);
    static native byte[] kmsIssueSakke(long handle, byte[] id);
    static native byte[] kmsInitResponse(
            long handle,
            String kmsUri,
            long periodS,
            long offsetS,
            int idEncoding,
            String userUri,
            String clientReqUrl,
            long now);
    static native byte[] kmsKeyProvResponse(
            long handle,
            String kmsUri,
            long periodS,
            long offsetS,
            int idEncoding,
            String userUri,
            String clientReqUrl,
            long now,
            long periodNo);

    // Stateless helpers
    static native byte[] deriveUid(
            String userUri, String kmsUri, long keyPeriodS, long keyOffsetS, long periodNo);
    static native byte[] random(int len);
    static native String version();
    static native void panicForTest();
}
