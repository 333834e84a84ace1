package io.molia.admin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.Error;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin client: a reader thread that takes its frames, checks them (the token of a TCP client, the API
 * version, at most {@link AdminServer.Options#maxInFlight} requests at once) and hands them to the dispatcher or its
 * {@link AdminSubscriptions}; a writer thread that writes the answers from a bounded queue. A client that does not
 * read fills the queue and is disconnected, never buffered without bound.
 */
final class AdminConnection {
    /** The server's logger: operators read and set the admin socket's log under one name. */
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private record Outgoing(ByteBuffer frame, Runnable afterWrite) {
    }

    private final AdminServer server;
    private final SocketChannel ch;
    private final int id;
    private final ArrayBlockingQueue<Outgoing> queue;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AdminSubscriptions subscriptions;
    private final AtomicBoolean open = new AtomicBoolean(true);
    /** Unix-socket clients passed the credential check at accept; TCP clients pass by their token. */
    private volatile boolean authenticated;
    private Thread reader;
    private Thread writer;

    AdminConnection(AdminServer server, SocketChannel ch, int id, boolean authenticated) {
        this.server = server;
        this.ch = ch;
        this.id = id;
        this.authenticated = authenticated;
        this.queue = new ArrayBlockingQueue<>(server.options.queueFrames());
        this.subscriptions = new AdminSubscriptions(this, server.streams, server.dispatcher,
                server.options.maxSubscriptions());
    }

    void start() {
        reader = new Thread(this::readLoop, "molia-admin-read-" + id);
        writer = new Thread(this::writeLoop, "molia-admin-write-" + id);
        reader.setDaemon(true);
        writer.setDaemon(true);
        server.threads.add(reader);
        server.threads.add(writer);
        // The writer first: a reader that meets a bad frame at once answers and closes, and close() waits for the
        // writer with join(), which returns at once for a thread not started yet (then the answer was lost: CI).
        writer.start();
        reader.start();
    }

    private void readLoop() {
        try {
            while (open.get()) {
                AdminProtocol.Incoming in = AdminProtocol.readRequest(ch);
                if (in == null) {
                    break;
                }
                if (in.error() != null) {
                    server.malformedRequests.incrementAndGet();
                    // TOO_LARGE cannot skip what it will not read: answer, then close once the answer is out.
                    send(AdminResponses.error(0, in.error(), in.message()), in.close() ? this::close : null);
                    if (in.close()) {
                        return;
                    }
                    continue;
                }
                AdminRequest request = in.request();
                onRequest(request);
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            close();
            server.threads.retireCurrent();
        }
    }

    private void onRequest(AdminRequest request) {
        AdminServer.Options options = server.options;
        long rid = request.getId();
        if (!authenticated) {
            if (!java.security.MessageDigest.isEqual(request.getToken().toByteArray(), options.token())) {
                server.refusedTokens.incrementAndGet();
                send(AdminResponses.error(rid, Error.Code.UNAUTHENTICATED,
                        "a TCP client must present the node's token"), null);
                close(); // the answer is written first (close waits for the writer)
                return;
            }
            authenticated = true;
        }
        Error.Code refused = AdminProtocol.refusal(request);
        if (refused == Error.Code.UNKNOWN_REQUEST) {
            send(AdminResponses.error(rid, refused, "no request this node knows (admin API version "
                    + AdminProtocol.API_VERSION + ")"), null);
            return;
        }
        if (refused == Error.Code.UNSUPPORTED_VERSION) {
            send(AdminResponse.newBuilder().setVersion(AdminProtocol.API_VERSION).setId(rid)
                    .setError(Error.newBuilder().setCode(Error.Code.UNSUPPORTED_VERSION)
                            .setMessage("admin API version " + request.getVersion() + " is not supported")
                            .setMinVersion(AdminProtocol.MIN_API_VERSION).setMaxVersion(AdminProtocol.API_VERSION))
                    .build(), null);
            return;
        }
        switch (request.getBodyCase()) {
            case SUBSCRIBE -> {
                subscriptions.subscribe(request);
                return;
            }
            case UNSUBSCRIBE -> {
                subscriptions.unsubscribe(request);
                return;
            }
            default -> {
            }
        }
        if (inFlight.incrementAndGet() > options.maxInFlight()) {
            inFlight.decrementAndGet();
            send(AdminResponses.error(rid, Error.Code.BUSY, "more than " + options.maxInFlight()
                    + " requests in flight on this connection"), null);
            return;
        }
        boolean shutdown = request.getBodyCase() == AdminRequest.BodyCase.SHUTDOWN && options.shutdown() != null;
        // Answers are serialized and queued on the admin's own thread, never on the protocol loop.
        server.dispatcher.serve(request).whenCompleteAsync((response, failure) -> {
            inFlight.decrementAndGet();
            server.requestsServed.incrementAndGet();
            AdminResponse r = failure != null ? AdminResponses.failure(rid, failure) : response;
            send(r, shutdown && failure == null ? () -> {
                Thread t = new Thread(options.shutdown(), "molia-admin-shutdown");
                t.setDaemon(false);
                t.start();
            } : null);
        }, server.streams);
    }

    /** Queues an answer; a full queue means the client does not read: it is disconnected. */
    void send(AdminResponse response, Runnable afterWrite) {
        if (!open.get()) {
            return;
        }
        if (!queue.offer(new Outgoing(AdminProtocol.frame(response), afterWrite))) {
            server.slowClientsDropped.incrementAndGet();
            LOG.atWarn().addKeyValue("event", "admin.slow_client").addKeyValue("connection", id).log("admin client too slow to read: disconnected");
            close();
        }
    }

    private void writeLoop() {
        try {
            while (open.get() || !queue.isEmpty()) {
                Outgoing o = queue.poll(200, TimeUnit.MILLISECONDS);
                if (o == null) {
                    continue;
                }
                AdminProtocol.writeFully(ch, o.frame());
                if (o.afterWrite() != null) {
                    o.afterWrite().run();
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, or the server closes
        } finally {
            close();
            server.threads.retireCurrent();
        }
    }

    void close() {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        subscriptions.cancelAll();
        server.forget(this);
        // Let the writer finish what is queued (an error before closing), then close the socket.
        Thread w = writer;
        if (w != null && Thread.currentThread() != w) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    w.join(2_000);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                closeChannel();
            });
        } else {
            closeChannel();
        }
    }

    private void closeChannel() {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
