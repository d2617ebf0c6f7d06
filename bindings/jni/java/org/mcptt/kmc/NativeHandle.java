package org.mcptt.kmc;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * An object that owns one native handle (a pointer in a {@code long}). {@link #close()} frees
 * it at once, erasing the secrets it holds; it is idempotent and thread-safe. If the app
 * forgets to close, a {@link Cleaner} frees it after the object becomes unreachable. Using a
 * closed object throws {@link IllegalStateException}.
 *
 * <p>Every call holds a lock on the handle while native code uses it: shared for calls that only
 * read (several threads may run them at once), exclusive for calls that change the object and
 * for the free, which therefore waits for calls in progress.
 */
abstract class NativeHandle implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    /** Native objects freed so far, by close or by the Cleaner (for the tests). */
    static final AtomicLong FREED = new AtomicLong();

    /**
     * The handle and its lock, apart from the Java object: the Cleaner's action must not
     * reference the object, or the object would never become unreachable.
     */
    private static final class State implements Runnable {
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private final LongConsumer free;
        private long handle;

        State(long handle, LongConsumer free) {
            this.handle = handle;
            this.free = free;
        }

        @Override
        public void run() {
            Lock write = lock.writeLock();
            write.lock();
            try {
                long h = handle;
                handle = 0;
                if (h != 0) {
                    free.accept(h);
                    FREED.incrementAndGet();
                }
            } finally {
                write.unlock();
            }
        }
    }

    private final State state;
    private final Cleaner.Cleanable cleanable;

    /**
     * @param handle a non-zero handle just returned by a native constructor
     * @param free the static native function that frees it (not a lambda over {@code this})
     */
    NativeHandle(long handle, LongConsumer free) {
        this.state = new State(handle, free);
        this.cleanable = CLEANER.register(this, state);
    }

    /** Frees the native object now; later calls do nothing. Waits for calls in progress. */
    @Override
    public final void close() {
        cleanable.clean();
    }

    /** @return whether {@link #close()} was called (or the Cleaner ran) */
    public final boolean isClosed() {
        Lock read = state.lock.readLock();
        read.lock();
        try {
            return state.handle == 0;
        } finally {
            read.unlock();
        }
    }

    /** Runs {@code op} on the handle with the shared lock held. */
    final <R> R shared(LongFunction<R> op) {
        return with(state.lock.readLock(), op);
    }

    /** Runs {@code op} on the handle with the exclusive lock held. */
    final <R> R exclusive(LongFunction<R> op) {
        return with(state.lock.writeLock(), op);
    }

    private <R> R with(Lock lock, LongFunction<R> op) {
        lock.lock();
        try {
            long h = state.handle;
            if (h == 0) {
                throw new IllegalStateException(getClass().getSimpleName() + " is closed");
            }
            return op.apply(h);
        } finally {
            lock.unlock();
        }
    }
}
