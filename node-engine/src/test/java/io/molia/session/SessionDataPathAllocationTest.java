package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.Ed25519Identity;
import io.molia.testing.SteadyStateAllocation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The session layer's data path allocates nothing once warm: on an established session pair, A seals a
 * 1280-byte datagram (send → pollTransmit), B opens and delivers it (onDatagram → delivery), and back. Runs in
 * the normal suite and again with escape analysis off (the "allocation" surefire execution).
 */
@Tag("allocation")
class SessionDataPathAllocationTest {
    private static final long S = 1_000_000_000L;
    private static final long WALL = 1_790_000_000L * S;
    /** Inner message size so the datagram is 1280 bytes: 16 (header) + 1248 + 16 (tag). */
    private static final int INNER = 1280 - 32;

    private static final class Side {
        final Contact contact;
        final SessionManager sessions;

        Side(long seed, int ip, int shard) {
            SplittableRandom random = new SplittableRandom(seed);
            byte[] edSeed = new byte[32];
            random.nextBytes(edSeed);
            Ed25519Identity identity = Ed25519Identity.fromSeed(edSeed);
            contact = new Contact(NodeId.ofPublicKey(identity.publicKey()), identity.publicKey(), 0,
                    NodeAddress.ipv4(ip, 4000));
            sessions = new SessionManager(StaticIdentity.fromEd25519Seed(edSeed), identity.publicKey(), new byte[32],
                    shard, 2, 64, random, (id, key, pow) -> true);
        }
    }

    private final Side a = new Side(1, 0x0a000001, 1);
    private final Side b = new Side(2, 0x0a000002, 3);
    private final byte[] message = new byte[INNER];
    private long now = 1_000 * S;

    private static int carry(Side from, Side to, long now) {
        int last = SessionManager.DROPPED;
        SessionManager.Transmit t;
        while ((t = from.sessions.pollTransmit()) != null) {
            last = to.sessions.onDatagram(now, WALL + now, from.contact.address(), t.data(), 0, t.length());
        }
        return last;
    }

    @Test
    void sealAndOpenOnAnEstablishedSessionAllocateNothing() {
        // Establish: A's request rides in the initiation, B answers in the response, A confirms the keys.
        a.sessions.send(now, WALL + now, b.contact, message, 0, 100);
        assertEquals(SessionManager.DELIVERED, carry(a, b, now));
        b.sessions.send(now, WALL + now, b.sessions.delivery().from, message, 0, 100);
        assertEquals(SessionManager.DELIVERED, carry(b, a, now));
        assertEquals(SessionManager.CONFIRMED, carry(a, b, now)); // the key confirmation
        assertEquals(1, a.sessions.sessionCount());
        assertEquals(1, b.sessions.sessionCount());

        long warm = roundTrips(300_000); // JIT, and every transmit ring slot's buffer
        assertEquals(300_000, warm, "every packet delivered");
        SteadyStateAllocation.assertAllocatesNothing("round trips of 1280-byte datagrams", 100_000,
                round -> roundTrips(100_000));
        assertEquals(0, a.sessions.counters().silentDrops() + b.sessions.counters().silentDrops());
    }

    /**
     * Round trips: A → B and B → A, each a seal then an open, and the timers when their deadline comes (a peer's
     * deadline moves with every datagram: that too must allocate nothing); returns those delivered both ways.
     */
    private long roundTrips(int count) {
        long delivered = 0;
        for (int i = 0; i < count; i++) {
            now += 100_000; // 100 µs apart: 40 s in all, far from the rekey after 120 s
            if (now >= a.sessions.nextDeadlineNs()) {
                a.sessions.onTimer(now, WALL + now);
            }
            if (now >= b.sessions.nextDeadlineNs()) {
                b.sessions.onTimer(now, WALL + now);
            }
            message[0] = (byte) i;
            a.sessions.send(now, WALL + now, b.contact, message, 0, INNER);
            SessionManager.Transmit t = a.sessions.pollTransmit();
            if (b.sessions.onDatagram(now, WALL + now, a.contact.address(), t.data(), 0, t.length())
                    != SessionManager.DELIVERED || b.sessions.delivery().length != INNER
                    || b.sessions.delivery().data[b.sessions.delivery().offset] != (byte) i) {
                continue;
            }
            b.sessions.send(now, WALL + now, b.sessions.delivery().from, message, 0, INNER);
            t = b.sessions.pollTransmit();
            if (a.sessions.onDatagram(now, WALL + now, b.contact.address(), t.data(), 0, t.length())
                    == SessionManager.DELIVERED && a.sessions.delivery().length == INNER) {
                delivered++;
            }
        }
        return delivered;
    }
}
