package org.mcptt.kmc;

import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of a {@link Client}: where the KMS is, who we are, how eagerly to fetch and
 * retry. A plain mutable value: set what you need, then pass it to {@link Client#Client}, which
 * copies it. All durations are seconds. The defaults are the core's: prefetch one day ahead, one
 * hour of grace, retries from 2 s up to 600 s, 8 attempts, raw UID identifiers.
 */
public final class ClientConfig {
    /** Base URL of the KMS, e.g. {@code https://kms.example.org}; https:// only by default. */
    public String kmsUrl;
    /** The user's URI (MCPTT ID), as the KMS writes it in {@code UserUri}. */
    public String userUri;
    /** Further identities to fetch keys for (functional aliases, a GMS identity). */
    public List<String> extraIdentities = new ArrayList<>();
    /** The {@code KmsUri} the certificate must carry, or null when not known in advance. */
    public String expectedKmsUri;
    /** Fetch the next key period this long before the current one ends. */
    public long prefetchSeconds = 86_400;
    /** Keep a period's material this long after the period ends, then erase it. */
    public long graceSeconds = 3_600;
    /** First retry delay after a failure; doubled after each further failure. */
    public long retryInitialSeconds = 2;
    /** The cap on the retry delay. */
    public long retryMaxSeconds = 600;
    /** Attempts per request before {@link Event.Kind#RETRIES_EXHAUSTED}. */
    public int maxAttempts = 8;
    /** How a UID is fed to ECCSI and SAKKE. */
    public IdEncoding idEncoding = IdEncoding.RAW_UID;
    /** Accept an http:// KMS URL. For tests only: key material would cross in the clear. */
    public boolean allowInsecureHttp;

    /**
     * @param kmsUrl the KMS base URL
     * @param userUri the user's URI
     */
    public ClientConfig(String kmsUrl, String userUri) {
        this.kmsUrl = kmsUrl;
        this.userUri = userUri;
    }
}
