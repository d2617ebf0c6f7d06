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

    // Stateless helpers
    static native byte[] deriveUid(
            String userUri, String kmsUri, long keyPeriodS, long keyOffsetS, long periodNo);
    static native byte[] random(int len);
    static native String version();
    static native void panicForTest();
}
