package io.molia.loadgen;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.MessageKind;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import io.molia.crypto.Ed25519Identity;
import io.molia.node.MoliaAddress;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;
import io.molia.session.WireGuardConstants;

/**
 * Cold sessions per second against one node ({@code molia bench handshakes}, DESIGN §5 "handshakes ≥ 5k/s per
 * core"). Every handshake comes from an identity the node has never seen, generated before the timed part so the
 * client's key generation is not measured, and is a Molia initiation carrying a PING: it is <em>completed</em> when
 * the node's response established the session and delivered the answer to that PING (one round trip, DESIGN §3.4);
 * the client then confirms the keys with its keepalive, as a real peer does.
 *
 * <p>At most C handshakes are outstanding, one per slot; each slot has its own source port, on the address the plan
 * binds (the target's by default: another loopback address stands for another host). A <em>cookie reply</em> (the
 * node is under load and wants a mac2) is counted and the handshake goes on: the session layer re-sends the
 * initiation at once with mac2, as every Molia initiator does; a <em>puzzle reply</em> (the node is past cookies)
 * likewise: the session layer solves the puzzle and sends the initiation again at once, solved. Other outcomes: a response that established no
 * session or carried no answer is <em>failed</em>; nothing within {@link #HANDSHAKE_TIMEOUT_NS} is <em>timed
 * out</em> (a node under load drops what a source sends beyond its rate). A warm-up of W more handshakes runs first, unmeasured (the node's and this JVM's JIT). Node
 * CPU is the whole process's (from /proc: GC and JIT threads included). Single-threaded; each phase is bounded by a
 * count and the duration, whichever ends first.
 */
public final class Handshakes {
    /** What to run. */
    public record Plan(MoliaAddress target, int count, int warmup, int concurrency, double durationSeconds,
            long nodePid, InetAddress bind) {
        /** Sources on the target's own address. */
        public Plan(MoliaAddress target, int count, int warmup, int concurrency, double durationSeconds,
                long nodePid) {
            this(target, count, warmup, concurrency, durationSeconds, nodePid, null);
        }

        public Plan {
            if (count < 1) {
                throw new IllegalArgumentException("--count must be at least 1");
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("--warmup must be at least 0");
            }
            if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
                throw new IllegalArgumentException("--concurrency must be between 1 and " + MAX_CONCURRENCY);
            }
            if (!(durationSeconds > 0)) {
                throw new IllegalArgumentException("--duration must be more than 0 seconds");
            }
        }
    }

    /**
     * What it measured. {@code unfinished} handshakes were still waiting when the duration ended; node figures are
     * -1 without a node PID.
     */
    public record Result(long started, long completed, long failed, long timedOut, long cookieReplies,
            long puzzleReplies, long unfinished, double seconds, double completedPerSecond, double p50Micros, double p99Micros,
            double nodeCpuMicrosPerHandshake, long nodeRssBeforeKiB, long nodeRssAfterKiB,
            double ownCpuMicrosPerHandshake) {
        /** What one core of the node completes per second when handshakes are all it does: the §5 target's unit. */
        public double perNodeCpuSecond() {
            return nodeCpuMicrosPerHandshake > 0 ? 1e6 / nodeCpuMicrosPerHandshake : -1;
        }
    }

    /** One slot per outstanding handshake, each with its own socket: file descriptors bound this. */
    public static final int MAX_CONCURRENCY = 1024;
    static final long HANDSHAKE_TIMEOUT_NS = 2_000_000_000L;
    /** Wall time = this + System.nanoTime(): the TAI64N in an initiation must be the wall clock's (a node's window). */
    private static final long WALL_OFFSET_NS = System.currentTimeMillis() * 1_000_000L - System.nanoTime();

    private final Plan plan;
    private final InetSocketAddress target;
    private final Contact targetContact;
    private final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
    private final MessageCodec codec = new MessageCodec(1);
    private final WireMessage answer = new WireMessage();
    private final byte[] ping = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
    private final ByteBuffer rx = ByteBuffer.allocate(2048);
    private final Latencies latencies = new Latencies();
    private long completed;
    private long failed;
    private long timedOut;
    private long cookieReplies;
    private long puzzleReplies;

    /** A fresh identity, its keys derived before the clock starts. */
    private record Identity(StaticIdentity x25519, byte[] ed25519PublicKey) {
    }

    /** One outstanding handshake at a time on its own socket. */
    private static final class Slot {
        final DatagramChannel channel;
        SessionManager sessions; // null while idle
        long requestId;
        long startedNs;

        Slot(DatagramChannel channel) {
            this.channel = channel;
        }
    }

    public Handshakes(Plan plan) {
        this.plan = plan;
        this.target = new InetSocketAddress(plan.target().host(), plan.target().port());
        this.targetContact = plan.target().toContact();
    }

    public Result run() throws IOException {
        List<Identity> warmup = identities(plan.warmup());
        List<Identity> measured = identities(plan.count());
        List<Slot> slots = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            ArrayDeque<Slot> idle = new ArrayDeque<>();
            for (int i = 0; i < Math.min(plan.concurrency(), plan.count()); i++) {
                DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress(
                        plan.bind() != null ? plan.bind() : target.getAddress(), 0));
                ch.configureBlocking(false);
                Slot slot = new Slot(ch);
                slots.add(slot);
                ch.register(selector, SelectionKey.OP_READ, slot);
                idle.add(slot);
            }
            drive(selector, slots, idle, warmup); // the node's and this JVM's JIT warm, not measured
            completed = failed = timedOut = cookieReplies = puzzleReplies = 0;
            latencies.clear();
            long rssBefore = plan.nodePid() > 0 ? ProcessStats.rssKiB(plan.nodePid()) : -1;
            double nodeCpuBefore = plan.nodePid() > 0 ? ProcessStats.cpuMicros(plan.nodePid()) : 0;
            long ownCpuBefore = ProcessStats.ownCpuNanos();
            long start = System.nanoTime();
            int started = drive(selector, slots, idle, measured);
            double seconds = (System.nanoTime() - start) / 1e9;
            double nodeCpu = plan.nodePid() > 0 ? ProcessStats.cpuMicros(plan.nodePid()) - nodeCpuBefore : 0;
            long ownCpu = ProcessStats.ownCpuNanos() - ownCpuBefore;
            return new Result(started, completed, failed, timedOut, cookieReplies, puzzleReplies,
                    slots.size() - idle.size(),
                    seconds, completed / seconds, latencies.percentileNs(0.50) / 1e3,
                    latencies.percentileNs(0.99) / 1e3,
                    plan.nodePid() > 0 && completed > 0 ? nodeCpu / completed : -1, rssBefore,
                    plan.nodePid() > 0 ? ProcessStats.rssKiB(plan.nodePid()) : -1,
                    completed > 0 ? ownCpu / 1e3 / completed : -1);
        } finally {
            for (Slot slot : slots) {
                slot.channel.close();
            }
        }
    }

    /** Fresh identities, their keys derived now so that deriving them is not measured. */
    private List<Identity> identities(int n) {
        List<Identity> identities = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] seed = new byte[Ed25519Identity.SEED_BYTES];
            random.nextBytes(seed);
            identities.add(new Identity(StaticIdentity.fromEd25519Seed(seed), Ed25519Identity.fromSeed(seed).publicKey()));
        }
        return identities;
    }

    /**
     * Runs one handshake per identity, at most one per slot at a time, until all have ended or the duration is
     * over; returns how many were started.
     */
    private int drive(Selector selector, List<Slot> slots, ArrayDeque<Slot> idle, List<Identity> identities)
            throws IOException {
        long deadline = System.nanoTime() + (long) (plan.durationSeconds() * 1e9);
        int started = 0;
        while ((started < identities.size() || idle.size() < slots.size()) && System.nanoTime() < deadline) {
            while (started < identities.size() && !idle.isEmpty()) {
                begin(idle.poll(), identities.get(started++));
            }
            if (selector.select(5) > 0) {
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext();) {
                    Slot slot = (Slot) it.next().attachment();
                    it.remove();
                    receive(slot, idle);
                }
            }
            expire(slots, idle);
        }
        return started;
    }

    /** Sends a Molia initiation from {@code identity} carrying a PING. */
    private void begin(Slot slot, Identity identity) throws IOException {
        slot.sessions = new SessionManager(identity.x25519(), identity.ed25519PublicKey(), new byte[32], 0, 0, 1,
                random.split(), (id, key, pow) -> true);
        slot.requestId = random.nextLong();
        int len = codec.encodePing(ping, 0, slot.requestId);
        slot.startedNs = System.nanoTime();
        slot.sessions.send(slot.startedNs, WALL_OFFSET_NS + slot.startedNs, targetContact, ping, 0, len);
        flush(slot);
    }

    private void receive(Slot slot, ArrayDeque<Slot> idle) throws IOException {
        while (slot.channel.receive(rx.clear()) != null) {
            if (slot.sessions == null) {
                continue; // late for a handshake already counted
            }
            long now = System.nanoTime();
            int type = rx.array()[0] & 0xff;
            int status = slot.sessions.onDatagram(now, WALL_OFFSET_NS + now, targetContact.address(), rx.array(), 0,
                    rx.position());
            flush(slot); // the keepalive that confirms the keys
            if (status == SessionManager.DROPPED) {
                continue; // not for this handshake (a late answer to the slot's previous one); counted by the manager
            }
            if (type == WireGuardConstants.TYPE_COOKIE_REPLY) {
                cookieReplies++;
                continue; // the initiation went again with mac2 (flushed above): still this slot's handshake
            }
            if (type == SessionManager.TYPE_PUZZLE_REPLY) {
                puzzleReplies++;
                continue; // the initiation went again, solved (flushed above)
            }
            if (status == SessionManager.DELIVERED && answersPing(slot)) {
                completed++;
                latencies.record(now - slot.startedNs);
            } else {
                failed++; // a session without the answer to its first request
            }
            slot.sessions = null;
            idle.add(slot);
        }
    }

    private boolean answersPing(Slot slot) {
        SessionManager.Delivery d = slot.sessions.delivery();
        return codec.decode(d.data, d.offset, d.length, answer) == DecodeStatus.OK
                && answer.kind() == MessageKind.PONG && answer.requestId() == slot.requestId;
    }

    private void expire(List<Slot> slots, ArrayDeque<Slot> idle) {
        long now = System.nanoTime();
        for (Slot slot : slots) {
            if (slot.sessions != null && now - slot.startedNs > HANDSHAKE_TIMEOUT_NS) {
                timedOut++;
                slot.sessions = null;
                idle.add(slot);
            }
        }
    }

    private void flush(Slot slot) throws IOException {
        SessionManager.Transmit t;
        while ((t = slot.sessions.pollTransmit()) != null) {
            slot.channel.send(ByteBuffer.wrap(t.data(), 0, t.length()), target);
        }
    }
}
