package org.mcptt.kmc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An HTTPS request the client wants sent (TS 33.180 D.2): send it, then answer with {@link
 * Client#handleResponse} or {@link Client#handleFailure} and its {@link #id()}.
 */
public final class Request {
    /** An HTTP header. The value of {@code Authorization} holds the access token. */
    public static final class Header {
        private final String name;
        private final byte[] value;

        Header(String name, byte[] value) {
            this.name = name;
            this.value = value;
        }

        /** @return the header name, e.g. {@code Authorization} */
        public String name() {
            return name;
        }

        /**
         * @return the value as UTF-8 octets (the array is this object's: {@link Request#wipe()}
         *     erases it)
         */
        public byte[] value() {
            return value;
        }

        /** @return the value as a String (for HTTP APIs that need one; it cannot be wiped) */
        public String valueAsString() {
            return new String(value, StandardCharsets.UTF_8);
        }
    }

    private final long id;
    private final String method;
    private final String url;
    private final List<Header> headers;
    private final byte[] body;

    private Request(long id, String method, String url, List<Header> headers, byte[] body) {
        this.id = id;
        this.method = method;
        this.url = url;
        this.headers = headers;
        this.body = body;
    }

    static Request of(long id, String method, String url, String[] names, byte[][] values, byte[] body) {
        Header[] headers = new Header[names.length];
        for (int i = 0; i < names.length; i++) {
            headers[i] = new Header(names[i], values[i]);
        }
        return new Request(id, method, url, Collections.unmodifiableList(Arrays.asList(headers)), body);
    }

    /** @return the id to answer with */
    public long id() {
        return id;
    }

    /** @return always {@code POST} */
    public String method() {
        return method;
    }

    /** @return the full URL */
    public String url() {
        return url;
    }

    /** @return Authorization ({@code Bearer <token>}), Content-Type, Accept */
    public List<Header> headers() {
        return headers;
    }

    /** @return the KmsRequest XML body (the array is this object's) */
    public byte[] body() {
        return body;
    }

    /** Overwrites the header values (the token) and the body with zeros once sent. */
    public void wipe() {
        for (Header header : headers) {
            Arrays.fill(header.value, (byte) 0);
        }
        Arrays.fill(body, (byte) 0);
    }
}
