package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
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
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * The WireGuard responder fed hostile bytes. Invariants: no reply to anything without a valid mac1 (checked
 * with an independent BLAKE2s from BouncyCastle), no session from anything but an intact handshake, and no
 * state left behind by garbage.
 */
class HandshakeResponderFuzzTest {
    private static final long S = 1_000_000_000L;
    private static final long NOW = 1_000 * S;
    private static final long WALL = 1_790_000_000L * S;
    private static final byte[] PUBLIC_NETWORK = new byte[32];
    private static final NodeAddress INITIATOR_ADDRESS = NodeAddress.ipv4(0x0a000001, 4000);
    private static final Peer RESPONDER = new Peer(2, 0x0a000002);
    /** A real Molia initiation (type 0x4D, first request inside) from a fixed initiator to {@link #RESPONDER}. */
    private static final byte[] INITIATION = realInitiation();

    /** Lives across inputs: garbage must leave it as it found it. */
    private final SessionManager longLived = RESPONDER.newSessionManager();

    private record Peer(Ed25519Identity identity, byte[] seed, Contact contact) {
        Peer(long seed, int ip) {
            this(seed(seed), ip);
        }

        private Peer(byte[] seed, int ip) {
            this(Ed25519Identity.fromSeed(seed), seed, new Contact(NodeId.ofPublicKey(
                    Ed25519Identity.fromSeed(seed).publicKey()), Ed25519Identity.fromSeed(seed).publicKey(), 0,
                    NodeAddress.ipv4(ip, 4000)));
        }

        private static byte[] seed(long seed) {
            byte[] s = new byte[32];
            new SplittableRandom(seed).nextBytes(s);
            return s;
        }

        SessionManager newSessionManager() {
            return new SessionManager(StaticIdentity.fromEd25519Seed(seed), identity.publicKey(), PUBLIC_NETWORK, 0,
                    2, 64, new SplittableRandom(7), (id, key, pow) -> true);
        }
    }

    private static byte[] realInitiation() {
        Peer initiator = new Peer(1, 0x0a000001);
        SessionManager sessions = initiator.newSessionManager();
        byte[] request = "FIND_NODE, as a first request".getBytes(StandardCharsets.UTF_8);
        assertTrue(sessions.send(NOW, WALL + NOW, RESPONDER.contact(), request, 0, request.length));
        return sessions.pollTransmit().copy(); // exactly the datagram: data() is the whole ring slot
    }

    @FuzzTest(maxDuration = "30s")
    void strangersGetNothing(byte[] data) {
        // DELIVERED is the handshake accepted (its first request handed up); sessionCount counts confirmed ones.
        int status = longLived.onDatagram(NOW, WALL + NOW, INITIATOR_ADDRESS, data, 0, data.length);
        longLived.finishResponses(NOW);
        SessionManager.Transmit reply = longLived.pollTransmit();
        if (reply != null) {
            assertTrue(mac1Valid(data), "replied to a message without a valid mac1");
        }
        assertEquals(0, longLived.sessionCount(), "a session from arbitrary bytes");
        assertTrue(status != SessionManager.DELIVERED, "delivered arbitrary bytes");
    }

    @FuzzTest(maxDuration = "30s")
    void editedInitiationsNeverOpenASession(FuzzedDataProvider edits) {
        byte[] message = edit(INITIATION, edits);
        SessionManager responder = RESPONDER.newSessionManager();
        int status = responder.onDatagram(NOW, WALL + NOW, INITIATOR_ADDRESS, message, 0, message.length);
        responder.finishResponses(NOW);
        SessionManager.Transmit reply = responder.pollTransmit();
        if (reply != null) {
            assertTrue(mac1Valid(message), "replied to an initiation without a valid mac1");
            assertNull(responder.pollTransmit(), "one initiation, at most one reply");
        }
        if (status == SessionManager.DELIVERED || responder.sessionCount() > 0) {
            // Only the sender index (bytes 4..8, outside the Noise transcript) and the macs may differ.
            assertEquals(INITIATION.length, message.length, "a session from an initiation of another length");
            byte[] a = Arrays.copyOf(INITIATION, INITIATION.length - 32);
            byte[] b = Arrays.copyOf(message, message.length - 32);
            Arrays.fill(a, 4, 8, (byte) 0);
            Arrays.fill(b, 4, 8, (byte) 0);
            assertArrayEquals(a, b, "a session from an altered initiation");
        }
    }

    /** The invariants above are not vacuous: the unedited initiation does open a session and get its answer. */
    @org.junit.jupiter.api.Test
    void theIntactInitiationOpensASession() {
        SessionManager responder = RESPONDER.newSessionManager();
        assertEquals(SessionManager.DELIVERED,
                responder.onDatagram(NOW, WALL + NOW, INITIATOR_ADDRESS, INITIATION, 0, INITIATION.length));
        responder.finishResponses(NOW);
        assertEquals(SessionManager.TYPE_MOLIA_RESPONSE, responder.pollTransmit().data()[0]);
        assertTrue(mac1Valid(INITIATION));
    }

    /** Applies up to eight edits chosen by the fuzzer: overwrite a field, flip bits, cut or extend. */
    static byte[] edit(byte[] original, FuzzedDataProvider edits) {
        byte[] m = original.clone();
        int count = edits.consumeInt(0, 8);
        for (int i = 0; i < count && edits.remainingBytes() > 0; i++) {
            switch (edits.consumeInt(0, 3)) {
                case 0 -> { // overwrite a run at a chosen offset (a field: type, index, ephemeral, payload, macs)
                    int at = edits.consumeInt(0, m.length - 1);
                    byte[] with = edits.consumeBytes(edits.consumeInt(1, 32));
                    System.arraycopy(with, 0, m, at, Math.min(with.length, m.length - at));
                }
                case 1 -> { // flip one bit
                    int bit = edits.consumeInt(0, m.length * 8 - 1);
                    m[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                case 2 -> m = Arrays.copyOf(m, edits.consumeInt(1, m.length)); // truncate
                default -> { // extend with fuzzer bytes
                    byte[] tail = edits.consumeBytes(edits.consumeInt(1, 64));
                    byte[] longer = Arrays.copyOf(m, m.length + tail.length);
                    System.arraycopy(tail, 0, longer, m.length, tail.length);
                    m = longer;
                }
            }
        }
        return m;
    }

    /** mac1 = BLAKE2s-128 keyed with BLAKE2s-256("mac1----" ‖ responder static key), over all before the macs. */
    private static boolean mac1Valid(byte[] message) {
        if (message.length < 32) {
            return false;
        }
        byte[] key = blake2s(null, 32, "mac1----".getBytes(StandardCharsets.US_ASCII),
                StaticIdentity.fromEd25519Seed(RESPONDER.seed()).publicKey());
        byte[] mac = blake2s(key, 16, Arrays.copyOf(message, message.length - 32));
        return Arrays.equals(mac, Arrays.copyOfRange(message, message.length - 32, message.length - 16));
    }

    private static byte[] blake2s(byte[] key, int outBytes, byte[]... parts) {
        Blake2sDigest d = new Blake2sDigest(key, outBytes, null, null);
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[outBytes];
        d.doFinal(out, 0);
        return out;
    }
}
