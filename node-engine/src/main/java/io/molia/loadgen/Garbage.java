package io.molia.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.crypto.Ed25519Identity;
import io.molia.node.MoliaAddress;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;

/**
 * A live-socket fuzz of a running node ({@code molia bench garbage}): N hostile datagrams from one source, in six
 * kinds (random bytes; WireGuard headers with random bodies of the right size; Molia initiations with random
 * bodies; real Molia initiations with a bit flipped where mac1 covers it; real initiations cut short; oversized
 * datagrams), at a bounded pace. Every one is invalid, so the node must answer none. Then a real session pings the
 * node to show it still serves honest peers, and, given its PID, the node's RSS before and after is reported.
 */
public final class Garbage {
    /** The kinds of datagram sent, in turn. */
    public enum Kind { RANDOM, WIREGUARD_HEADER, MOLIA_INITIATION_BODY, EDITED_INITIATION, TRUNCATED_INITIATION, OVERSIZED }

    /** What to send. */
    public record Plan(MoliaAddress target, long packets, long seed, long nodePid) {
    }

    /** What happened: datagrams sent per kind, replies received, honest pings answered, node RSS. */
    public record Result(long[] sentByKind, long replies, long honestSent, long honestAnswered, long rssBeforeKiB,
            long rssAfterKiB) {
        public long sent() {
            return Arrays.stream(sentByKind).sum();
        }

        /** The node answered no garbage and kept serving. */
        public boolean passed() {
            return replies == 0 && honestAnswered == honestSent;
        }
    }

    private static final int[] WIREGUARD_SIZES = {148, 92, 64, 32};
    /** Wall time = this + System.nanoTime(): the TAI64N in an initiation must be the wall clock's (a node's window). */
    private static final long WALL_OFFSET_NS = System.currentTimeMillis() * 1_000_000L - System.nanoTime();

    private final Plan plan;
    private final SplittableRandom random;
    private final Contact targetContact;

    public Garbage(Plan plan) {
        this.plan = plan;
        this.random = new SplittableRandom(plan.seed());
        this.targetContact = plan.target().toContact();
    }

    public Result run() throws IOException, InterruptedException {
        InetSocketAddress to = new InetSocketAddress(plan.target().host(), plan.target().port());
        long rssBefore = plan.nodePid() > 0 ? ProcessStats.rssKiB(plan.nodePid()) : -1;
        long[] sent = new long[Kind.values().length];
        long replies = 0;
        byte[] initiation = realInitiation();
        try (DatagramChannel attacker = DatagramChannel.open()) {
            attacker.bind(new InetSocketAddress(to.getAddress(), 0)).configureBlocking(false);
            ByteBuffer rx = ByteBuffer.allocate(2048);
            for (long i = 0; i < plan.packets(); i++) {
                Kind kind = Kind.values()[(int) (i % sent.length)];
                attacker.send(ByteBuffer.wrap(datagram(kind, initiation)), to);
                sent[kind.ordinal()]++;
                if (i % 256 == 255) {
                    replies += drain(attacker, rx);
                    Thread.sleep(1); // a bounded pace: the node is measured, not the kernel's socket buffer
                }
            }
            Thread.sleep(500);
            replies += drain(attacker, rx);
        }
        Flood.Result honest = new Flood(new Flood.Plan(plan.target(), 200, 10, 8, 1, false, 0, 0)).run();
        long rssAfter = plan.nodePid() > 0 ? ProcessStats.rssKiB(plan.nodePid()) : -1;
        return new Result(sent, replies, honest.sent(), honest.answered(), rssBefore, rssAfter);
    }

    private static long drain(DatagramChannel ch, ByteBuffer rx) throws IOException {
        long n = 0;
        while (ch.receive(rx.clear()) != null) {
            n++;
        }
        return n;
    }

    private byte[] datagram(Kind kind, byte[] initiation) {
        return switch (kind) {
            case RANDOM -> randomBytes(1 + random.nextInt(1_500));
            case WIREGUARD_HEADER -> {
                int type = 1 + random.nextInt(4);
                byte[] b = randomBytes(WIREGUARD_SIZES[type - 1] + (type == 4 ? random.nextInt(1_200) : 0));
                b[0] = (byte) type;
                b[1] = b[2] = b[3] = 0;
                yield b;
            }
            case MOLIA_INITIATION_BODY -> {
                byte[] b = randomBytes(initiation.length + random.nextInt(64));
                b[0] = (byte) SessionManager.TYPE_MOLIA_INITIATION;
                b[1] = b[2] = b[3] = 0;
                yield b;
            }
            case EDITED_INITIATION -> {
                byte[] b = initiation.clone();
                // Anywhere mac1 covers except the sender index (bytes 4..8), which WireGuard leaves unauthenticated.
                int at = 8 + random.nextInt(b.length - 32 - 8);
                b[at] ^= (byte) (1 << random.nextInt(8));
                yield b;
            }
            case TRUNCATED_INITIATION -> Arrays.copyOf(initiation, 1 + random.nextInt(initiation.length - 1));
            case OVERSIZED -> randomBytes(1_500 + random.nextInt(8_000));
        };
    }

    /** A real Molia initiation to the target from a fresh identity, with its first request inside. */
    private byte[] realInitiation() {
        byte[] seed = randomBytes(32);
        SessionManager sessions = new SessionManager(StaticIdentity.fromEd25519Seed(seed),
                Ed25519Identity.fromSeed(seed).publicKey(), new byte[32], 0, 2, 4, random.split(),
                (id, key, pow) -> true);
        byte[] ping = {8, 1};
        long now = System.nanoTime();
        sessions.send(now, WALL_OFFSET_NS + now, targetContact, ping, 0, ping.length);
        return sessions.pollTransmit().copy();
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
