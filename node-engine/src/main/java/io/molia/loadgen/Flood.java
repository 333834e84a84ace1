package io.molia.loadgen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.crypto.Ed25519Identity;
import io.molia.node.MoliaAddress;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;

/**
 * A load generator for one node (DESIGN §5, "molia bench flood"): P real sessions (their own identities and
 * source ports), at most C requests outstanding in all, PING or FIND_NODE; reports answered requests per second,
 * the unanswered share, latency percentiles, and, given the node's PID, its CPU time per answered request and its
 * RSS from /proc. T threads share the sessions, the requests and C between them, each with its own sockets,
 * selector and sessions (nothing shared while they run), so one generator can saturate a node's core; all warm up
 * first, then the measured phase starts for all at once. Bounded by a request count or a duration, whichever ends
 * first.
 */
public final class Flood {
    /** What to run. */
    public record Plan(MoliaAddress target, long requests, double durationSeconds, int concurrency, int sessions,
            boolean findNode, long warmup, long nodePid, int threads) {
        public Plan {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
        }

        /** One thread. */
        public Plan(MoliaAddress target, long requests, double durationSeconds, int concurrency, int sessions,
                boolean findNode, long warmup, long nodePid) {
            this(target, requests, durationSeconds, concurrency, sessions, findNode, warmup, nodePid, 1);
        }

        /** Thread {@code i}'s share of {@code total}. */
        static long share(long total, int threads, int i) {
            return total / threads + (i < total % threads ? 1 : 0);
        }
    }

    /**
     * What it measured. {@code nodeCores}: the node's CPU time per wall second (1.0 = one core busy all the time, the
     * ceiling of a node pinned to one core); 10⁶ / {@code nodeCpuMicrosPerRequest} is its rate per core.
     */
    public record Result(long sent, long answered, long unanswered, double seconds, double answeredPerSecond,
            double p50Micros, double p99Micros, double nodeCpuMicrosPerRequest, long nodeRssKiB,
            double ownCpuMicrosPerRequest, double nodeCores) {
    }

    private static final long REQUEST_TIMEOUT_NS = 1_000_000_000L;
    /** Requests older than the timeout are dropped this often (a pass over the outstanding ones), not per loop. */
    private static final long EXPIRY_PERIOD_NS = 100_000_000L;
    /** Wall time = this + System.nanoTime(): the TAI64N in an initiation must be the wall clock's (a node's window). */
    private static final long WALL_OFFSET_NS = System.currentTimeMillis() * 1_000_000L - System.nanoTime();

    private final Plan plan;
    private final InetSocketAddress target;
    private final Contact targetContact;

    public Flood(Plan plan) {
        this.plan = plan;
        this.target = new InetSocketAddress(plan.target().host(), plan.target().port());
        this.targetContact = plan.target().toContact();
    }

    public Result run() throws IOException {
        int threads = plan.threads();
        List<Worker> workers = new ArrayList<>();
        long seed = new SecureRandom().nextLong();
        try {
            for (int i = 0; i < threads; i++) {
                // Each thread has at least one session and one request outstanding.
                workers.add(new Worker(new SplittableRandom(seed + i),
                        (int) Math.max(1, Plan.share(plan.sessions(), threads, i)),
                        (int) Math.max(1, Plan.share(plan.concurrency(), threads, i)),
                        Plan.share(plan.requests(), threads, i), Plan.share(plan.warmup(), threads, i)));
            }
            double[] nodeCpuBefore = new double[1];
            long[] ownCpuBefore = new long[1];
            long[] start = new long[1];
            // Every worker warms up (sessions up, JIT warm, not measured); the last to arrive starts the clocks.
            CyclicBarrier measured = new CyclicBarrier(threads, () -> {
                nodeCpuBefore[0] = nodeCpuMicros();
                ownCpuBefore[0] = ProcessStats.ownCpuNanos();
                start[0] = System.nanoTime();
            });
            List<Thread> running = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Worker w = workers.get(i);
                running.add(Thread.ofPlatform().name("flood-" + i).start(() -> w.run(measured)));
            }
            for (Thread t : running) {
                t.join();
            }
            double seconds = (System.nanoTime() - start[0]) / 1e9;
            double nodeCpu = nodeCpuMicros() - nodeCpuBefore[0];
            long ownCpu = ProcessStats.ownCpuNanos() - ownCpuBefore[0];
            long sent = 0;
            long answered = 0;
            Latencies latencies = new Latencies();
            for (Worker w : workers) {
                if (w.failure != null) {
                    throw w.failure;
                }
                sent += w.sent;
                answered += w.answered;
                latencies.addAll(w.latencies);
            }
            return new Result(sent, answered, sent - answered, seconds, answered / seconds,
                    latencies.percentileNs(0.50) / 1e3, latencies.percentileNs(0.99) / 1e3,
                    plan.nodePid() > 0 && answered > 0 ? nodeCpu / answered : -1,
                    plan.nodePid() > 0 ? ProcessStats.rssKiB(plan.nodePid()) : -1,
                    answered > 0 ? ownCpu / 1e3 / answered : -1, plan.nodePid() > 0 ? nodeCpu / 1e6 / seconds : -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            for (Worker w : workers) {
                w.close();
            }
        }
    }

    private double nodeCpuMicros() {
        try {
            return plan.nodePid() > 0 ? ProcessStats.cpuMicros(plan.nodePid()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One thread's share: its own sessions, sockets, selector, codec and buffers. */
    private final class Worker {
        private final MessageCodec codec = new MessageCodec(1);
        private final WireMessage answer = new WireMessage();
        private final byte[] request = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
        private final SplittableRandom random;
        private final List<Client> clients = new ArrayList<>();
        private final Map<Long, Long> outstanding = new HashMap<>();
        private final ByteBuffer rx = ByteBuffer.allocate(2048);
        private final Latencies latencies = new Latencies();
        private final Selector selector;
        private final int concurrency;
        private final long requests;
        private final long warmup;
        private long nextExpiryNs;
        long sent;
        long answered;
        IOException failure;

        Worker(SplittableRandom random, int sessions, int concurrency, long requests, long warmup)
                throws IOException {
            this.random = random;
            this.concurrency = concurrency;
            this.requests = requests;
            this.warmup = warmup;
            this.selector = Selector.open();
            for (int i = 0; i < sessions; i++) {
                byte[] seed = new byte[32];
                random.nextBytes(seed);
                Ed25519Identity id = Ed25519Identity.fromSeed(seed);
                DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress(target.getAddress(), 0));
                ch.configureBlocking(false);
                SessionManager m = new SessionManager(StaticIdentity.fromEd25519Seed(seed), id.publicKey(),
                        new byte[32], 0, 2, 16, random.split(), (nodeId, key, pow) -> true);
                Client c = new Client(ch, m);
                ch.register(selector, SelectionKey.OP_READ, c);
                clients.add(c);
            }
        }

        void run(CyclicBarrier measured) {
            try {
                phase(warmup, Double.MAX_VALUE);
                latencies.clear();
                measured.await();
                long[] counts = phase(requests, plan.durationSeconds());
                sent = counts[0];
                answered = counts[1];
            } catch (IOException e) {
                failure = e;
                measured.reset(); // the others stop waiting for this one
            } catch (InterruptedException | BrokenBarrierException e) {
                failure = new IOException("another flood thread failed", e);
            }
        }

        void close() {
            for (Client c : clients) {
                try {
                    c.channel.close();
                } catch (IOException e) {
                    // closing a UDP socket at the end of a bench: nothing to do about it
                }
            }
            try {
                selector.close();
            } catch (IOException e) {
                // as above
            }
        }

        /** Sends up to {@code requests} requests (bounded by {@code seconds}); returns {sent, answered}. */
        private long[] phase(long requests, double seconds) throws IOException {
            long deadline = seconds == Double.MAX_VALUE ? Long.MAX_VALUE
                    : System.nanoTime() + (long) (seconds * 1e9);
            long sent = 0;
            long answered = 0;
            int next = 0;
            outstanding.clear();
            while ((sent < requests || !outstanding.isEmpty()) && System.nanoTime() < deadline) {
                while (sent < requests && outstanding.size() < concurrency) {
                    Client c = clients.get(next++ % clients.size());
                    long id = random.nextLong();
                    int len = plan.findNode()
                            ? codec.encodeFindNode(request, 0, id, new NodeId(random.nextLong(), random.nextLong(),
                                    random.nextLong(), random.nextLong()))
                            : codec.encodePing(request, 0, id);
                    long now = System.nanoTime();
                    c.sessions.send(now, WALL_OFFSET_NS + now, targetContact, request, 0, len);
                    flush(c);
                    outstanding.put(id, now);
                    sent++;
                }
                if (selector.select(5) > 0) {
                    for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext();) {
                        Client c = (Client) it.next().attachment();
                        it.remove();
                        answered += receive(c);
                    }
                }
                long now = System.nanoTime();
                if (now >= nextExpiryNs) {
                    outstanding.values().removeIf(sentAt -> now - sentAt > REQUEST_TIMEOUT_NS);
                    runSessionTimers(now);
                    nextExpiryNs = now + EXPIRY_PERIOD_NS;
                }
            }
            return new long[] {sent, answered};
        }

        private int receive(Client c) throws IOException {
            int answered = 0;
            while (c.channel.receive(rx.clear()) != null) {
                long now = System.nanoTime();
                int status = c.sessions.onDatagram(now, WALL_OFFSET_NS + now, targetContact.address(), rx.array(), 0,
                        rx.position());
                flush(c);
                if (status != SessionManager.DELIVERED) {
                    continue;
                }
                SessionManager.Delivery del = c.sessions.delivery();
                if (codec.decode(del.data, del.offset, del.length, answer) != DecodeStatus.OK) {
                    continue;
                }
                Long sentAt = outstanding.remove(answer.requestId());
                if (sentAt != null) {
                    latencies.record(now - sentAt);
                    answered++;
                }
            }
            return answered;
        }

        private void flush(Client c) throws IOException {
            SessionManager.Transmit t;
            while ((t = c.sessions.pollTransmit()) != null) {
                c.channel.send(ByteBuffer.wrap(t.data(), 0, t.length()), target);
            }
        }

        /** A lost initiation is sent again (every 5 s, as WireGuard does): a flood never stalls on one loss. */
        private void runSessionTimers(long now) throws IOException {
            for (Client c : clients) {
                if (now >= c.sessions.nextDeadlineNs()) {
                    c.sessions.onTimer(now, WALL_OFFSET_NS + now);
                    flush(c);
                }
            }
        }
    }

    private static final class Client {
        final DatagramChannel channel;
        final SessionManager sessions;

        Client(DatagramChannel channel, SessionManager sessions) {
            this.channel = channel;
            this.sessions = sessions;
        }
    }
}
