package org.mcptt.kmc;

/**
 * What {@link Client#pollOutput} returns: a request to send, an event, or when to poll again.
 * Poll until {@link Kind#WAKE_UP} or {@link Kind#NONE}.
 */
public final class Output {
    /** The kinds of output. */
    public enum Kind {
        /** Nothing to do until a response, a failure or a new access token arrives. */
        NONE,
        /** {@link #request()} is a request to send. */
        REQUEST,
        /** {@link #event()} is an event. */
        EVENT,
        /** Nothing more now: poll again at {@link #wakeUpAt()} or when a response arrives. */
        WAKE_UP
    }

    private static final Output NONE = new Output(Kind.NONE, null, null, 0);

    private final Kind kind;
    private final Request request;
    private final Event event;
    private final long wakeUpAt;

    private Output(Kind kind, Request request, Event event, long wakeUpAt) {
        this.kind = kind;
        this.request = request;
        this.event = event;
        this.wakeUpAt = wakeUpAt;
    }

    static Output none() {
        return NONE;
    }

    static Output request(
            long id, String method, String url, String[] names, byte[][] values, byte[] body) {
        return new Output(Kind.REQUEST, Request.of(id, method, url, names, values, body), null, 0);
    }

    static Output event(Event event) {
        return new Output(Kind.EVENT, null, event, 0);
    }

    static Output wakeUp(long at) {
        return new Output(Kind.WAKE_UP, null, null, at);
    }

    /** @return the kind */
    public Kind kind() {
        return kind;
    }

    /** @return the request for {@link Kind#REQUEST}, else null */
    public Request request() {
        return request;
    }

    /** @return the event for {@link Kind#EVENT}, else null */
    public Event event() {
        return event;
    }

    /** @return the Unix time to poll again at, for {@link Kind#WAKE_UP} (else 0) */
    public long wakeUpAt() {
        return wakeUpAt;
    }

    @Override
    public String toString() {
        switch (kind) {
            case REQUEST:
                return "Output[REQUEST " + request.id() + " " + request.url() + "]";
            case EVENT:
                return "Output[" + event + "]";
            case WAKE_UP:
                return "Output[WAKE_UP at " + wakeUpAt + "]";
            default:
                return "Output[NONE]";
        }
    }
}
