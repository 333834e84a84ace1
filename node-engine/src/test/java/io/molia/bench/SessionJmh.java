package io.molia.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.ChaChaPoly;
import io.molia.crypto.Ed25519Identity;
import io.molia.crypto.JdkChaChaPoly;
import io.molia.crypto.X25519Keys;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;
import io.molia.session.Tai64n;
import io.molia.session.WireGuardHandshake;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The session layer's costs: the responder's side of a Molia handshake; transport seal + open with Molia's AEAD
 * and with the JDK's; and the whole data path of a {@link SessionManager} pair (send, poll, receive, deliver).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SessionJmh {
    /** A transport packet of each size; only {@link #sealAndOpen} uses it. */
    @State(Scope.Thread)
    public static class Packet {
        @Param({"64", "512", "1280"})
        int size;
        final byte[] key = new byte[32];
        byte[] plain;
        byte[] sealed;
        byte[] opened;
        long counter;

        @Setup
        public void setUp() {
            plain = new byte[size];
            sealed = new byte[size + 16];
            opened = new byte[size + 16];
        }
    }

    /** Two session managers with an established session: the data path of {@link #dataPath}. */
    @State(Scope.Thread)
    public static class Established {
        static final long WALL = 1_790_000_000_000_000_000L;
        @Param({"64", "512", "1280"})
        int size;
        SessionManager a;
        SessionManager b;
        Contact aContact;
        Contact bContact;
        byte[] inner;
        long now = 1_000_000_000L;

        @Setup
        public void setUp() {
            SplittableRandom random = new SplittableRandom(3);
            byte[] aSeed = new byte[32];
            byte[] bSeed = new byte[32];
            random.nextBytes(aSeed);
            random.nextBytes(bSeed);
            aContact = contact(aSeed, 0x0a000001);
            bContact = contact(bSeed, 0x0a000002);
            a = new SessionManager(StaticIdentity.fromEd25519Seed(aSeed), aContact.publicKeyBytes(), new byte[32], 0,
                    2, 64, random.split(), (id, key, pow) -> true);
            b = new SessionManager(StaticIdentity.fromEd25519Seed(bSeed), bContact.publicKeyBytes(), new byte[32], 1,
                    2, 64, random.split(), (id, key, pow) -> true);
            inner = new byte[size - 32]; // the datagram is `size` bytes: 16 (header) + inner + 16 (tag)
            a.send(now, WALL, bContact, inner, 0, inner.length);
            carry(a, b, aContact);
            b.send(now, WALL, aContact, inner, 0, inner.length);
            carry(b, a, bContact);
            carry(a, b, aContact); // the key confirmation
        }

        private void carry(SessionManager from, SessionManager to, Contact sender) {
            SessionManager.Transmit t;
            while ((t = from.pollTransmit()) != null) {
                to.onDatagram(now, WALL, sender.address(), t.data(), 0, t.length());
            }
        }

        private static Contact contact(byte[] seed, int ip) {
            byte[] key = Ed25519Identity.fromSeed(seed).publicKey();
            return new Contact(NodeId.ofPublicKey(key), key, 0, NodeAddress.ipv4(ip, 4000));
        }
    }

    private final WireGuardHandshake wg = new WireGuardHandshake();
    private final ChaChaPoly aead = new ChaChaPoly();
    private final JdkChaChaPoly jdk = new JdkChaChaPoly();
    private StaticIdentity responder;
    private byte[] initiation;
    private int initiationLength;
    private byte[] initiatorEd25519;
    private final byte[] payload = new byte[2048];
    private final byte[] out = new byte[2048];
    private final byte[] ephemeral = new byte[32];
    private SessionManager underLoad;
    private long underLoadNow = 1_000_000_000_000L;
    private byte[] paddedInitiation; // a Molia initiation as sent: padded to MOLIA_INITIATION_MIN_BYTES
    private int paddedInitiationLength;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        responder = StaticIdentity.fromEd25519Seed(seed);
        underLoad = new SessionManager(StaticIdentity.fromEd25519Seed(seed), Ed25519Identity.fromSeed(seed).publicKey(),
                new byte[32], 0, 0, 16, new SplittableRandom(2), (id, key, pow) -> true);
        underLoad.setUnderLoad(true);
        random.nextBytes(seed);
        StaticIdentity initiator = StaticIdentity.fromEd25519Seed(seed);
        initiatorEd25519 = Ed25519Identity.fromSeed(seed).publicKey();
        byte[] hsPayload = new byte[SessionManager.MOLIA_INITIATION_MIN_BYTES - 196];
        System.arraycopy(initiatorEd25519, 0, hsPayload, 0, 32);
        Tai64n.write(1_790_000_000_000_000_000L, hsPayload, 32);
        random.nextBytes(ephemeral);
        initiation = new byte[1024];
        initiationLength = wg.createInitiation(new WireGuardHandshake.State(), initiator, responder.publicKey(),
                ephemeral, 1, hsPayload, hsPayload.length, null, SessionManager.TYPE_MOLIA_INITIATION, initiation);
        byte[] padded = Arrays.copyOf(hsPayload, SessionManager.MOLIA_INITIATION_MIN_BYTES
                - WireGuardHandshake.INITIATION_FIXED_BYTES - 16 - 2 * WireGuardHandshake.MAC_BYTES);
        paddedInitiation = new byte[1024];
        paddedInitiationLength = wg.createInitiation(new WireGuardHandshake.State(), initiator, responder.publicKey(),
                ephemeral, 3, padded, padded.length, null, SessionManager.TYPE_MOLIA_INITIATION, paddedInitiation);
    }

    /**
     * The responder's work for one Molia handshake: mac1, the Noise IK first message, the Ed25519 → X25519 check
     * of the carried identity, and the response.
     */
    @Benchmark
    public int responderHandshake() {
        WireGuardHandshake.State s = new WireGuardHandshake.State();
        if (!wg.mac1Valid(responder, initiation, 0, initiationLength)
                || wg.consumeInitiation(s, responder, initiation, 0, initiationLength, payload) < 0) {
            throw new AssertionError("the prepared initiation must verify");
        }
        X25519Keys.fromEd25519PublicKey(initiatorEd25519);
        return wg.createResponse(s, ephemeral, 2, new byte[32], payload, 0, null, SessionManager.TYPE_MOLIA_RESPONSE,
                out);
    }

    /**
     * What the same initiation costs a responder under load when it carries no mac2: mac1, the cookie for its source
     * address, and the cookie reply (the whole {@link SessionManager} path, the load signal included).
     */
    @Benchmark
    public int cookieReplyUnderLoad() {
        underLoadNow += 1_000;
        if (underLoad.onDatagram(underLoadNow, Established.WALL, NodeAddress.ipv4(0x0a000009, 4000),
                paddedInitiation, 0, paddedInitiationLength) != SessionManager.HANDLED) {
            throw new AssertionError("under load, an initiation without mac2 gets a cookie reply");
        }
        return underLoad.pollTransmit().length();
    }

    /**
     * The session layer's data path for one datagram of {@code size} bytes: A seals it into its transmit ring
     * ({@code send}, {@code pollTransmit}), B finds the session, checks the replay window, opens and delivers it.
     */
    @Benchmark
    public int dataPath(Established e) {
        e.now++; // simulated time barely moves: no rekey or keepalive timer comes due
        e.a.send(e.now, Established.WALL, e.bContact, e.inner, 0, e.inner.length);
        SessionManager.Transmit t = e.a.pollTransmit();
        if (e.b.onDatagram(e.now, Established.WALL, e.aContact.address(), t.data(), 0, t.length())
                != SessionManager.DELIVERED) {
            throw new AssertionError("an established session must deliver");
        }
        return e.b.delivery().length;
    }

    /** Molia's ChaCha20-Poly1305 ({@link ChaChaPoly}): seal then open one transport payload. */
    @Benchmark
    public int sealAndOpen(Packet p) {
        long c = p.counter++;
        aead.seal(p.key, c, p.plain, 0, p.size, null, p.sealed, 0);
        return aead.open(p.key, c, p.sealed, 0, p.size + 16, null, p.opened, 0);
    }

    /** The same with the JDK's {@code Cipher} (intrinsics, but keyed through objects): the baseline. */
    @Benchmark
    public int sealAndOpenJdk(Packet p) {
        long c = p.counter++;
        jdk.seal(p.key, c, p.plain, 0, p.size, null, p.sealed, 0);
        return jdk.open(p.key, c, p.sealed, 0, p.size + 16, null, p.opened, 0);
    }
}
