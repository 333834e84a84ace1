package io.molia.session;

import static io.molia.session.WireGuardConstants.INIT_EPHEMERAL;
import static io.molia.session.WireGuardConstants.INIT_SENDER;
import static io.molia.session.WireGuardConstants.INIT_STATIC;
import static io.molia.session.WireGuardConstants.INIT_TIMESTAMP;
import static io.molia.session.WireGuardConstants.RESP_EMPTY;
import static io.molia.session.WireGuardConstants.RESP_EPHEMERAL;
import static io.molia.session.WireGuardConstants.RESP_RECEIVER;
import static io.molia.session.WireGuardConstants.RESP_SENDER;

import java.util.Arrays;

import io.molia.crypto.Blake2s;
import io.molia.crypto.ChaChaPoly;
import io.molia.crypto.X25519Keys;

/**
 * WireGuard's handshake (Noise IKpsk2 with WireGuard's construction, identifier and framing), for both roles,
 * as byte-array functions with no I/O. The first message's payload is the TAI64N timestamp, optionally followed by
 * more bytes, and the second's is empty or carries bytes: with no extra bytes these are exactly WireGuard's
 * 148-byte initiation and 92-byte response; Molia's one-round-trip variant puts its first request and answer
 * there (see {@link SessionManager}).
 *
 * <p>Owned by one thread; not thread-safe.
 */
public final class WireGuardHandshake {
    public static final int MAC_BYTES = 16;
    /** Initiation bytes before the payload's ciphertext, and after it (mac1, mac2). */
    public static final int INITIATION_FIXED_BYTES = INIT_TIMESTAMP;
    public static final int RESPONSE_FIXED_BYTES = RESP_EMPTY;

    private final Blake2s blake2s = new Blake2s();
    private final byte[] dh = new byte[32];
    private final byte[] scratch = new byte[32];

    /** What one side keeps between the two messages of a handshake. */
    public static final class State {
        final NoiseHandshake noise;
        final byte[] ephemeralPrivate = new byte[32];
        final byte[] ephemeralPublic = new byte[32];
        final byte[] remoteEphemeral = new byte[32];
        final byte[] remoteStatic = new byte[32];
        final byte[] sendKey = new byte[32];
        final byte[] receiveKey = new byte[32];
        int localIndex;
        int remoteIndex;

        public State() {
            this.noise = new NoiseHandshake(new Blake2s(), new ChaChaPoly());
        }

        public byte[] remoteStatic() {
            return remoteStatic;
        }

        public byte[] sendKey() {
            return sendKey;
        }

        public byte[] receiveKey() {
            return receiveKey;
        }

        public int localIndex() {
            return localIndex;
        }

        public int remoteIndex() {
            return remoteIndex;
        }
    }

    /**
     * Writes an initiation to {@code responderStatic}: the fixed part, the encrypted {@code payload} (timestamp
     * first), then mac1 over everything before it and a zero or cookie mac2. Returns the message length.
     */
    public int createInitiation(State s, StaticIdentity local, byte[] responderStatic, byte[] ephemeralPrivate,
            int senderIndex, byte[] payload, int payloadLen, byte[] cookie, int type, byte[] out) {
        System.arraycopy(responderStatic, 0, s.remoteStatic, 0, 32);
        System.arraycopy(ephemeralPrivate, 0, s.ephemeralPrivate, 0, 32);
        X25519Keys.clamp(s.ephemeralPrivate);
        X25519Keys.publicKey(s.ephemeralPrivate, s.ephemeralPublic);
        s.localIndex = senderIndex;
        NoiseHandshake n = s.noise;
        n.start(HandshakeStart.CHAINING_KEY, HandshakeStart.CHAINING_HMAC_KEY, HandshakeStart.HASH);
        n.mixHash(responderStatic, 0, 32);

        Arrays.fill(out, 0, 4, (byte) 0);
        out[0] = (byte) type;
        WireGuardConstants.writeIntLe(out, INIT_SENDER, senderIndex);
        System.arraycopy(s.ephemeralPublic, 0, out, INIT_EPHEMERAL, 32);
        n.mixHash(s.ephemeralPublic, 0, 32);
        n.mixKey(s.ephemeralPublic, 0, 32);
        X25519Keys.dh(s.ephemeralPrivate, responderStatic, dh);
        n.mixKey(dh, 0, 32);
        n.encryptAndHash(local.publicKeyRef(), 0, 32, out, INIT_STATIC);
        X25519Keys.dh(local.privateKey(), responderStatic, dh);
        n.mixKey(dh, 0, 32);
        int end = INIT_TIMESTAMP + n.encryptAndHash(payload, 0, payloadLen, out, INIT_TIMESTAMP);
        return addMacs(out, end, StaticIdentity.mac1KeyOf(blake2s, responderStatic), cookie);
    }

    /**
     * Reads an initiation whose mac1 the caller already checked. On success fills {@code s} (remote static key,
     * remote index, ready to respond) and decrypts the payload into {@code payloadOut}; returns the payload length,
     * or -1 when it does not authenticate.
     */
    public int consumeInitiation(State s, StaticIdentity local, byte[] msg, int off, int len, byte[] payloadOut) {
        int macsStart = off + len - 2 * MAC_BYTES;
        if (len < INITIATION_FIXED_BYTES + ChaChaPoly.TAG_BYTES + 2 * MAC_BYTES) {
            return -1;
        }
        NoiseHandshake n = s.noise;
        n.start(HandshakeStart.CHAINING_KEY, HandshakeStart.CHAINING_HMAC_KEY, local.responderHash());
        System.arraycopy(msg, off + INIT_EPHEMERAL, s.remoteEphemeral, 0, 32);
        n.mixHash(s.remoteEphemeral, 0, 32);
        n.mixKey(s.remoteEphemeral, 0, 32);
        if (!X25519Keys.dh(local.privateKey(), s.remoteEphemeral, dh)) {
            return -1;
        }
        n.mixKey(dh, 0, 32);
        if (n.decryptAndHash(msg, off + INIT_STATIC, 48, s.remoteStatic, 0) != 32) {
            return -1;
        }
        if (!X25519Keys.dh(local.privateKey(), s.remoteStatic, dh)) {
            return -1;
        }
        n.mixKey(dh, 0, 32);
        int payloadLen = n.decryptAndHash(msg, off + INIT_TIMESTAMP, macsStart - (off + INIT_TIMESTAMP),
                payloadOut, 0);
        if (payloadLen < Tai64n.BYTES) {
            return -1;
        }
        s.remoteIndex = WireGuardConstants.readIntLe(msg, off + INIT_SENDER);
        return payloadLen;
    }

    /** Writes the response to a consumed initiation and derives the transport keys into {@code s}. */
    public int createResponse(State s, byte[] ephemeralPrivate, int senderIndex, byte[] psk, byte[] payload,
            int payloadLen, byte[] cookie, int type, byte[] out) {
        System.arraycopy(ephemeralPrivate, 0, s.ephemeralPrivate, 0, 32);
        X25519Keys.clamp(s.ephemeralPrivate);
        X25519Keys.publicKey(s.ephemeralPrivate, s.ephemeralPublic);
        s.localIndex = senderIndex;
        NoiseHandshake n = s.noise;
        Arrays.fill(out, 0, 4, (byte) 0);
        out[0] = (byte) type;
        WireGuardConstants.writeIntLe(out, RESP_SENDER, senderIndex);
        WireGuardConstants.writeIntLe(out, RESP_RECEIVER, s.remoteIndex);
        System.arraycopy(s.ephemeralPublic, 0, out, RESP_EPHEMERAL, 32);
        n.mixHash(s.ephemeralPublic, 0, 32);
        n.mixKey(s.ephemeralPublic, 0, 32);
        X25519Keys.dh(s.ephemeralPrivate, s.remoteEphemeral, dh);
        n.mixKey(dh, 0, 32);
        X25519Keys.dh(s.ephemeralPrivate, s.remoteStatic, dh);
        n.mixKey(dh, 0, 32);
        n.mixKeyAndHash(psk);
        int end = RESP_EMPTY + n.encryptLast(payload, 0, payloadLen, out, RESP_EMPTY);
        n.split(s.receiveKey, s.sendKey); // the initiator's send key is the responder's receive key
        return addMacs(out, end, StaticIdentity.mac1KeyOf(blake2s, s.remoteStatic), cookie);
    }

    /**
     * Reads the response to the initiation {@code s} sent (mac1 already checked); derives the transport keys and
     * decrypts the payload into {@code payloadOut}. Returns the payload length, or -1.
     */
    public int consumeResponse(State s, StaticIdentity local, byte[] psk, byte[] msg, int off, int len,
            byte[] payloadOut) {
        if (len < RESPONSE_FIXED_BYTES + ChaChaPoly.TAG_BYTES + 2 * MAC_BYTES) {
            return -1;
        }
        NoiseHandshake n = s.noise;
        System.arraycopy(msg, off + RESP_EPHEMERAL, s.remoteEphemeral, 0, 32);
        n.mixHash(s.remoteEphemeral, 0, 32);
        n.mixKey(s.remoteEphemeral, 0, 32);
        if (!X25519Keys.dh(s.ephemeralPrivate, s.remoteEphemeral, dh)) {
            return -1;
        }
        n.mixKey(dh, 0, 32);
        if (!X25519Keys.dh(local.privateKey(), s.remoteEphemeral, dh)) {
            return -1;
        }
        n.mixKey(dh, 0, 32);
        n.mixKeyAndHash(psk);
        int macsStart = off + len - 2 * MAC_BYTES;
        int payloadLen = n.decryptLast(msg, off + RESP_EMPTY, macsStart - (off + RESP_EMPTY), payloadOut, 0);
        if (payloadLen < 0) {
            return -1;
        }
        s.remoteIndex = WireGuardConstants.readIntLe(msg, off + RESP_SENDER);
        n.split(s.sendKey, s.receiveKey);
        return payloadLen;
    }

    /** True when the message's mac1 (16 bytes before its last 16) is right for a message sent to {@code local}. */
    public boolean mac1Valid(StaticIdentity local, byte[] msg, int off, int len) {
        int mac1At = off + len - 2 * MAC_BYTES;
        blake2s.mac(local.mac1Key(), msg, off, mac1At - off, scratch, 0);
        return constantTimeEquals(scratch, 0, msg, mac1At, MAC_BYTES);
    }

    /** True when mac2 is right for {@code cookie} (16 bytes). */
    public boolean mac2Valid(byte[] cookie, byte[] msg, int off, int len) {
        int mac2At = off + len - MAC_BYTES;
        blake2s.mac(cookie, msg, off, mac2At - off, scratch, 0);
        return constantTimeEquals(scratch, 0, msg, mac2At, MAC_BYTES);
    }

    private int addMacs(byte[] out, int end, byte[] mac1Key, byte[] cookie) {
        blake2s.mac(mac1Key, out, 0, end, out, end);
        if (cookie != null) {
            blake2s.mac(cookie, out, 0, end + MAC_BYTES, out, end + MAC_BYTES);
        } else {
            Arrays.fill(out, end + MAC_BYTES, end + 2 * MAC_BYTES, (byte) 0);
        }
        return end + 2 * MAC_BYTES;
    }

    static boolean constantTimeEquals(byte[] a, int aOff, byte[] b, int bOff, int len) {
        int diff = 0;
        for (int i = 0; i < len; i++) {
            diff |= a[aOff + i] ^ b[bOff + i];
        }
        return diff == 0;
    }
}
