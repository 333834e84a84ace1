package io.molia.session;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.ChaChaPoly;
import io.molia.crypto.Ed25519Identity;

/**
 * Session-layer figures on one core: complete one-round-trip handshakes per second, and transport seal + open
 * time and allocation per packet. A main program, not a test (figures, not assertions):
 * {@code java -cp "node-engine/target/classes:node-engine/target/test-classes:packaging/target/lib/*"
 * io.molia.session.SessionBench}.
 */
public final class SessionBench {
    private SessionBench() {
    }

    /** Argument {@code aead}: only the seal + open comparison. */
    public static void main(String[] args) {
        if (args.length == 0 || !args[0].equals("aead")) {
            handshakeFigures();
        }
        for (int size : new int[] {64, 512, 1280}) {
            transport(size);
        }
    }

    private static void handshakeFigures() {
        long wall = System.currentTimeMillis() * 1_000_000L;
        handshakes(wall, 2_000); // warm-up
        long start = System.nanoTime();
        int n = handshakes(wall, 5_000);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("one-round-trip handshakes, both sides on one core: %.0f /s (responder side alone: about"
                + " %.0f /s, it does 5 of the 9 X25519 operations)%n", n / seconds, n / seconds * 9 / 5);
    }

    private static final SplittableRandom RANDOM = new SplittableRandom(1);
    private static final Side RESPONDER = new Side(RANDOM, 2);
    private static final Side[] INITIATORS = new Side[64];

    static {
        for (int i = 0; i < INITIATORS.length; i++) {
            INITIATORS[i] = new Side(RANDOM, 3 + i);
        }
    }

    private static long clock;

    /** Complete handshakes between one responder and 64 initiators (keys made beforehand, not timed). */
    private static int handshakes(long wall, int count) {
        Side b = RESPONDER;
        byte[] request = new byte[48];
        int done = 0;
        for (int i = 0; i < count; i++) {
            clock += 1_000_000_000L; // a second apart: no rate limit, fresh timestamps
            long now = clock;
            Side initiator = INITIATORS[i % INITIATORS.length].fresh(); // no session yet: a cold contact
            initiator.sessions.send(now, wall + now, b.contact, request, 0, request.length);
            byte[] init = initiator.sessions.pollTransmit().copy();
            b.sessions.onDatagram(now, wall + now, initiator.contact.address(), init, 0, init.length);
            b.sessions.send(now, wall + now, b.sessions.delivery().from, request, 0, request.length);
            byte[] response = b.sessions.pollTransmit().copy();
            if (initiator.sessions.onDatagram(now, wall + now, b.contact.address(), response, 0, response.length)
                    == SessionManager.DELIVERED) {
                done++;
            }
        }
        return done;
    }

    /**
     * Seal + open of one {@code size}-byte payload, Molia's AEAD and the JDK's alternately (five rounds each, so
     * both see the same load on a shared machine); the best round of each, as thread CPU time (the wall time of
     * a descheduled thread says little on a busy machine), wall time and bytes allocated per packet.
     */
    private static void transport(int size) {
        ChaChaPoly ours = new ChaChaPoly();
        io.molia.crypto.JdkChaChaPoly jdk = new io.molia.crypto.JdkChaChaPoly();
        byte[] key = new byte[32];
        byte[] plain = new byte[size];
        byte[] sealed = new byte[size + 16];
        byte[] opened = new byte[size + 16];
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        int iterations = 100_000;
        long[][] best = {{Long.MAX_VALUE, Long.MAX_VALUE, 0}, {Long.MAX_VALUE, Long.MAX_VALUE, 0}};
        long counter = 0;
        for (int round = 0; round < 7; round++) {
            for (int which = 0; which < 2; which++) {
                long bytesBefore = threads.getThreadAllocatedBytes(thread);
                long cpuBefore = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                for (int i = 0; i < iterations; i++, counter++) {
                    if (which == 0) {
                        ours.seal(key, counter, plain, 0, size, null, sealed, 0);
                        ours.open(key, counter, sealed, 0, size + 16, null, opened, 0);
                    } else {
                        jdk.seal(key, counter, plain, 0, size, null, sealed, 0);
                        jdk.open(key, counter, sealed, 0, size + 16, null, opened, 0);
                    }
                }
                long wall = System.nanoTime() - start;
                long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
                long bytes = threads.getThreadAllocatedBytes(thread) - bytesBefore;
                if (round >= 2) { // rounds 0 and 1 warm up
                    best[which][0] = Math.min(best[which][0], cpu);
                    best[which][1] = Math.min(best[which][1], wall);
                    best[which][2] = bytes;
                }
            }
        }
        for (int which = 0; which < 2; which++) {
            System.out.printf("seal+open %4d B, %-5s: %6.0f ns CPU/packet (wall %6.0f ns), %4d B allocated/packet%n",
                    size, which == 0 ? "Molia" : "JDK", (double) best[which][0] / iterations,
                    (double) best[which][1] / iterations, best[which][2] / iterations);
        }
    }

    private static final class Side {
        final Contact contact;
        final StaticIdentity staticKey;
        final SplittableRandom random;
        final SessionManager sessions;

        Side(SplittableRandom random, int ip) {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            Ed25519Identity identity = Ed25519Identity.fromSeed(seed);
            this.contact = new Contact(NodeId.ofPublicKey(identity.publicKey()), identity.publicKey(), 0,
                    NodeAddress.ipv4(0x0a000000 | ip, 4000));
            this.staticKey = StaticIdentity.fromEd25519Seed(seed);
            this.random = random.split();
            this.sessions = newManager();
        }

        private Side(Side keys) {
            this.contact = keys.contact;
            this.staticKey = keys.staticKey;
            this.random = keys.random;
            this.sessions = newManager();
        }

        private SessionManager newManager() {
            return new SessionManager(staticKey, contact.publicKeyBytes(), new byte[32], 0, 2, 1 << 16, random,
                    (id, key, pow) -> true);
        }

        Side fresh() {
            return new Side(this);
        }
    }
}
