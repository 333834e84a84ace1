package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.Ed25519Identity;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;

/**
 * The admission puzzle's two messages (type 0x50, the puzzle reply; type 0x51, the solved initiation) fed hostile
 * bytes. Invariants: a solved initiation admits a handshake only with its token, and the initiation it wraps, intact
 * (only the nonce may differ, if it solves too); an initiator never re-sends for a puzzle reply it cannot
 * authenticate. Both sides use real session layers; the responder is under load and asks for the easiest puzzle.
 */
class PuzzleFuzzTest {
    private static final long S = 1_000_000_000L;
    private static final long NOW = 1_000 * S;
    private static final long WALL = 1_790_000_000L * S;
    private static final int BITS = 10;
    private static final NodeAddress INITIATOR_ADDRESS = NodeAddress.ipv4(0x0a000001, 4000);
    private static final byte[] RESPONDER_SEED = seed(2);
    private static final Contact RESPONDER = contact(RESPONDER_SEED, NodeAddress.ipv4(0x0a000002, 4000));
    private static final byte[][] GENUINE = genuineExchange();
    /** The puzzle reply the responder sent to the initiation, and the solved initiation that answered it. */
    private static final byte[] REPLY = GENUINE[0];
    private static final byte[] SOLVED = GENUINE[1];

    private static byte[] seed(long seed) {
        byte[] s = new byte[32];
        new SplittableRandom(seed).nextBytes(s);
        return s;
    }

    private static Contact contact(byte[] seed, NodeAddress address) {
        byte[] key = Ed25519Identity.fromSeed(seed).publicKey();
        return new Contact(NodeId.ofPublicKey(key), key, 0, address);
    }

    private static SessionManager manager(byte[] seed, long randomSeed) {
        return new SessionManager(StaticIdentity.fromEd25519Seed(seed), Ed25519Identity.fromSeed(seed).publicKey(),
                new byte[32], 0, 2, 64, new SplittableRandom(randomSeed), (id, key, pow) -> true);
    }

    /** A responder whose puzzle secret is the one the genuine exchange used (same random seed, same clock). */
    private static SessionManager responder() {
        SessionManager r = manager(RESPONDER_SEED, 7);
        r.setUnderLoad(true);
        r.setPuzzleBits(BITS);
        return r;
    }

    /** An initiator with its initiation to the responder in flight, and that initiation's bytes. */
    private static SessionManager initiatorInFlight(byte[][] initiationOut) {
        SessionManager i = manager(seed(1), 9);
        assertTrue(i.send(NOW, WALL + NOW, RESPONDER, new byte[24], 0, 24));
        initiationOut[0] = i.pollTransmit().copy();
        return i;
    }

    private static byte[][] genuineExchange() {
        SessionManager responder = responder();
        byte[][] initiation = new byte[1][];
        SessionManager initiator = initiatorInFlight(initiation);
        responder.onDatagram(NOW, WALL + NOW, INITIATOR_ADDRESS, initiation[0], 0, initiation[0].length);
        byte[] reply = responder.pollTransmit().copy();
        initiator.onDatagram(NOW, WALL + NOW, RESPONDER.address(), reply, 0, reply.length);
        return new byte[][] {reply, initiator.pollTransmit().copy()};
    }

    @FuzzTest(maxDuration = "30s")
    void editedSolvedInitiationsAdmitOnlyIntact(FuzzedDataProvider edits) {
        byte[] message = HandshakeResponderFuzzTest.edit(SOLVED, edits);
        SessionManager responder = responder();
        int status = responder.onDatagram(NOW, WALL + NOW, INITIATOR_ADDRESS, message, 0, message.length);
        responder.finishResponses(NOW);
        if (status == SessionManager.DELIVERED) {
            assertEquals(SOLVED.length, message.length, "admitted a solved initiation of another length");
            byte[] a = SOLVED.clone();
            byte[] b = message.clone();
            for (byte[] m : new byte[][] {a, b}) {
                Arrays.fill(m, 24, 32, (byte) 0); // the nonce: another one may solve the puzzle too
                Arrays.fill(m, 36, 40, (byte) 0); // the wrapped initiation's sender index (outside the transcript)
                Arrays.fill(m, m.length - 16, m.length, (byte) 0); // its mac2 (not checked with a puzzle)
            }
            assertArrayEquals(a, b, "admitted an altered token, difficulty or initiation");
        } else if ((message[0] & 0xff) == SessionManager.TYPE_SOLVED_INITIATION) {
            assertNull(responder.pollTransmit(), "answered a solved initiation it did not admit");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void forgedPuzzleRepliesAreIgnored(byte[] data) {
        byte[] reply = Arrays.copyOf(data, Math.max(4, data.length));
        reply[0] = (byte) SessionManager.TYPE_PUZZLE_REPLY;
        reply[1] = reply[2] = reply[3] = 0;
        SessionManager initiator = initiatorInFlight(new byte[1][]);
        int status = initiator.onDatagram(NOW, WALL + NOW, RESPONDER.address(), reply, 0, reply.length);
        if (status != SessionManager.DROPPED) {
            assertArrayEquals(REPLY, reply, "acted on a puzzle reply the responder did not send");
        } else {
            assertNull(initiator.pollTransmit(), "re-sent for a dropped puzzle reply");
            assertEquals(0, initiator.counters().retriesWithPuzzle);
        }
    }

    /** The invariants above are not vacuous: the genuine messages do what they should. */
    @org.junit.jupiter.api.Test
    void theGenuineExchangeWorks() {
        assertEquals(SessionManager.TYPE_PUZZLE_REPLY, REPLY[0] & 0xff);
        assertEquals(SessionManager.TYPE_SOLVED_INITIATION, SOLVED[0] & 0xff);
        SessionManager responder = responder();
        assertEquals(SessionManager.DELIVERED,
                responder.onDatagram(NOW, WALL + NOW, INITIATOR_ADDRESS, SOLVED, 0, SOLVED.length));
        assertEquals(1, responder.counters().puzzlesSolved);
        SessionManager initiator = initiatorInFlight(new byte[1][]);
        assertEquals(SessionManager.HANDLED,
                initiator.onDatagram(NOW, WALL + NOW, RESPONDER.address(), REPLY, 0, REPLY.length));
        assertEquals(SessionManager.TYPE_SOLVED_INITIATION, initiator.pollTransmit().data()[0] & 0xff);
    }
}
