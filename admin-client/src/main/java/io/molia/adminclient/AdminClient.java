package io.molia.adminclient;

import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.molia.admin.AdminProtocol;
import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.Subscribe;
import io.molia.admin.proto.Unsubscribe;

/**
 * A connection to a node's admin socket, used by the shell, one-shot {@code molia admin} and the dashboard: requests
 * matched to answers by id, subscriptions delivered to a callback. Thread-safe. One reader thread per connection.
 */
public final class AdminClient implements AutoCloseable {
    private final Path socket;
    private final SocketChannel ch;
    private final Map<Long, CompletableFuture<AdminResponse>> waiting = new ConcurrentHashMap<>();
    private final Map<Long, Consumer<AdminResponse>> streams = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final Thread reader;
    private final Object writeLock = new Object();
    private volatile Runnable onClose;
    private final com.google.protobuf.ByteString token;

    /** Why a client cannot talk to a node, in one line for the operator. */
    public static final class ConnectException extends IOException {
        private static final long serialVersionUID = 1L;

        public ConnectException(String message) {
            super(message);
        }
    }

    private AdminClient(Path socket, SocketChannel ch, byte[] token) {
        this.socket = socket;
        this.ch = ch;
        this.token = token == null ? com.google.protobuf.ByteString.EMPTY
                : com.google.protobuf.ByteString.copyFrom(token);
        this.reader = new Thread(this::readLoop, "molia-admin-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects; a missing socket, a refused connection and a permission problem each give a clear one line. */
    public static AdminClient connect(Path socket) throws ConnectException {
        if (!Files.exists(socket)) {
            Path dir = socket.toAbsolutePath().getParent();
            if (dir != null && Files.isDirectory(dir) && !Files.isExecutable(dir)) {
                throw new ConnectException("permission denied: cannot enter " + dir + " (run as the node's user)");
            }
            throw new ConnectException("no admin socket at " + socket + " (is the node running with this data dir?)");
        }
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new AdminClient(socket, ch, null);
        } catch (AccessDeniedException e) {
            closeQuietly(ch);
            throw new ConnectException("permission denied on " + socket + " (run as the node's user or root)");
        } catch (IOException e) {
            closeQuietly(ch);
            String m = String.valueOf(e.getMessage());
            if (m.contains("Permission denied")) {
                throw new ConnectException("permission denied on " + socket + " (run as the node's user or root)");
            }
            if (m.contains("Connection refused")) {
                throw new ConnectException("nobody listens on " + socket + " (the node stopped)");
            }
            throw new ConnectException("cannot connect to " + socket + ": " + m);
        }
    }

    /**
     * Connects to a node's TCP admin listener (configured explicitly on the node, with a token); every request
     * carries the token.
     */
    public static AdminClient connectTcp(java.net.InetSocketAddress address, byte[] token) throws ConnectException {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(address);
            return new AdminClient(Path.of("tcp:" + address.getHostString() + ":" + address.getPort()), ch, token);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new ConnectException("cannot connect to " + address + ": " + e.getMessage());
        }
    }

    public Path socket() {
        return socket;
    }

    public boolean isOpen() {
        return open.get();
    }

    /** Runs once, when the connection ends (the node went away or {@link #close}). */
    public void onClose(Runnable r) {
        this.onClose = r;
        if (!open.get()) {
            r.run();
        }
    }

    /** Sends {@code request} (version and id are filled in) and waits for its answer. */
    public AdminResponse call(AdminRequest.Builder request, long timeout, TimeUnit unit) throws IOException,
            InterruptedException, TimeoutException {
        long id = ids.incrementAndGet();
        CompletableFuture<AdminResponse> f = new CompletableFuture<>();
        waiting.put(id, f);
        try {
            write(request.setVersion(AdminProtocol.API_VERSION).setId(id).setToken(token).build());
            return f.get(timeout, unit);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } finally {
            waiting.remove(id);
        }
    }

    /** Asks the node to push {@code view} every {@code intervalMs}; close the result to stop. */
    public AutoCloseable subscribe(AdminRequest.Builder view, int intervalMs, Consumer<AdminResponse> updates)
            throws IOException {
        long id = ids.incrementAndGet();
        streams.put(id, updates);
        write(AdminRequest.newBuilder().setVersion(AdminProtocol.API_VERSION).setId(id).setToken(token)
                .setSubscribe(Subscribe.newBuilder().setView(view).setIntervalMs(intervalMs)).build());
        return () -> {
            streams.remove(id);
            if (open.get()) {
                try {
                    write(AdminRequest.newBuilder().setVersion(AdminProtocol.API_VERSION).setId(ids.incrementAndGet())
                            .setToken(token).setUnsubscribe(Unsubscribe.newBuilder().setSubscriptionId(id)).build());
                } catch (IOException ignored) {
                    // the connection is going away anyway
                }
            }
        };
    }

    private void write(AdminRequest r) throws IOException {
        if (!open.get()) {
            throw new SocketException("not connected");
        }
        // A channel closes when the thread writing to it is interrupted; Ctrl-C in the shell interrupts a command to
        // stop its waiting, not to lose the connection: a pending interrupt is kept for after the write.
        boolean interrupted = Thread.interrupted();
        try {
            synchronized (writeLock) {
                AdminProtocol.writeFully(ch, AdminProtocol.frame(r));
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void readLoop() {
        try {
            while (open.get()) {
                int len = AdminProtocol.readLength(ch);
                if (len < 0 || len > AdminProtocol.MAX_RESPONSE_BYTES) {
                    break;
                }
                AdminResponse r = AdminResponse.parseFrom(AdminProtocol.readBody(ch, len));
                if (r.getSequence() > 0) {
                    Consumer<AdminResponse> s = streams.get(r.getId());
                    if (s != null) {
                        s.accept(r);
                    }
                    continue;
                }
                CompletableFuture<AdminResponse> f = waiting.remove(r.getId());
                if (f != null) {
                    f.complete(r);
                } else {
                    Consumer<AdminResponse> s = streams.get(r.getId());
                    if (s != null) {
                        s.accept(r); // a subscription refused at once (an error with sequence 0)
                    }
                }
            }
        } catch (IOException e) {
            // the node went away
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        closeQuietly(ch);
        for (CompletableFuture<AdminResponse> f : waiting.values()) {
            f.completeExceptionally(new SocketException("the node closed the connection"));
        }
        Runnable r = onClose;
        if (r != null) {
            r.run();
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
