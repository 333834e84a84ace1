package io.molia.session;

import java.util.random.RandomGenerator;

import io.molia.contact.NodeAddress;
import io.molia.crypto.Blake2sStream;

/**
 * The dynamic puzzle of DESIGN §3.5, Molia's own step beyond WireGuard cookies: when cookies are not enough (the
 * handshakes a shard still does in full, with valid mac2s, cost over half its budget: many addresses, or addresses
 * that really receive), a Molia initiation without a solved puzzle gets a puzzle reply instead of a handshake. The
 * reply carries a token the responder issued, bound to the source address and the difficulty {@code d} by a secret
 * that rotates every two minutes (the previous one is still accepted, so a token lives 2 to 4 minutes); the initiator
 * finds a nonce such that BLAKE2s-256(token ‖ mac1 ‖ nonce) starts with {@code d} zero bits, where mac1 is the
 * mac1 of the initiation it wraps (mac1 covers the ephemeral key, the encrypted static key, the timestamp and the
 * request: a solution is good for that one initiation), and sends the initiation again at once inside a solved
 * initiation. About 2^d BLAKE2s compressions to solve (d 10..14: 1-10 ms on this machine's cores), two to check:
 * well under a handshake's 0.4 ms. The token also proves the sender receives at its address, so a solved
 * initiation needs no mac2. Plain WireGuard types never see a puzzle (their peers speak only cookies).
 *
 * <pre>
 * type 0x50, puzzle reply (44):      0 type | 1..3 0 | 4 receiver | 8 d | 9..11 0 | 12 token(16) | 28 tag(16)
 * type 0x51, solved initiation (32+): 0 type | 1..3 0 | 4 d | 5..7 0 | 8 token(16) | 24 nonce(8) | 32 initiation
 * </pre>
 * The receiver index is the sender index of the initiation answered (little-endian, as WireGuard's). The tag is
 * MAC(HASH("cookie--" ‖ responder's static key), reply[0, 28) ‖ mac1 answered): only someone who saw the initiation
 * can forge it, as a cookie reply. The wrapped initiation is a whole Molia initiation (type 0x4D), checked as one.
 * Owned by the shard thread; not thread-safe; checking allocates nothing.
 */
final class AdmissionPuzzle {
    static final int TYPE_PUZZLE_REPLY = 0x50;
    static final int TYPE_SOLVED_INITIATION = 0x51;
    static final int REPLY_BYTES = 44;
    static final int SOLVED_HEADER_BYTES = 32;
    static final int TOKEN_BYTES = 16;
    static final int NONCE_BYTES = 8;
    /** The easiest puzzle asked: about a millisecond of an initiator's core. */
    static final int MIN_BITS = 10;
    /** The hardest a responder asks: tens of ms at worst. An initiator refuses harder ones (a forged reply). */
    static final int MAX_BITS = 14;
    static final long SECRET_ROTATION_NS = WireGuardConstants.COOKIE_REFRESH_TIME_NS;

    /** Outcomes of {@link #check}. */
    static final int SOLVED = 0;
    static final int BAD_TOKEN = 1;
    static final int UNSOLVED = 2;
    static final int TOO_EASY = 3;

    private static final int REPLY_BITS = 8;
    private static final int REPLY_TOKEN = 12;
    private static final int REPLY_TAG = 28;
    private static final int SOLVED_BITS = 4;
    private static final int SOLVED_TOKEN = 8;
    private static final int SOLVED_NONCE = 24;

    private final StaticIdentity local;
    private final RandomGenerator random;
    private final Blake2sStream blake = new Blake2sStream();
    private final byte[] secret = new byte[32];
    private final byte[] previousSecret = new byte[32];
    private long secretBornNs = Long.MIN_VALUE;
    private final byte[] tokenInput = new byte[NodeAddress.IPV6_WIRE_BYTES + 1];
    private final byte[] token = new byte[TOKEN_BYTES];
    private final byte[] hashInput = new byte[TOKEN_BYTES + WireGuardHandshake.MAC_BYTES + NONCE_BYTES];
    private final byte[] hash = new byte[32];
    private final byte[] tagInput = new byte[REPLY_TAG + WireGuardHandshake.MAC_BYTES];

    AdmissionPuzzle(StaticIdentity local, RandomGenerator random) {
        this.local = local;
        this.random = random;
    }

    /**
     * Writes into {@code out} the puzzle reply of difficulty {@code bits} to the Molia initiation
     * {@code msg[off, +len)} from {@code from}; returns its length.
     */
    int reply(long nowNs, NodeAddress from, int bits, byte[] msg, int off, int len, byte[] out) {
        rotate(nowNs);
        java.util.Arrays.fill(out, 0, REPLY_BYTES, (byte) 0);
        out[0] = (byte) TYPE_PUZZLE_REPLY;
        System.arraycopy(msg, off + WireGuardConstants.INIT_SENDER, out, 4, 4);
        out[REPLY_BITS] = (byte) bits;
        tokenFor(secret, from, bits, out, REPLY_TOKEN);
        System.arraycopy(out, 0, tagInput, 0, REPLY_TAG);
        System.arraycopy(msg, off + len - 2 * WireGuardHandshake.MAC_BYTES, tagInput, REPLY_TAG,
                WireGuardHandshake.MAC_BYTES);
        blake.digest(local.cookieKey(), 32, tagInput, 0, tagInput.length, WireGuardHandshake.MAC_BYTES, out,
                REPLY_TAG);
        return REPLY_BYTES;
    }

    /**
     * Checks the solved initiation {@code buf[off, +len)} from {@code from} (its length is at least
     * {@link #SOLVED_HEADER_BYTES} plus a whole initiation's macs): the token must be one this shard issued to that
     * address for the difficulty the message names, at least {@code minBits}, and the hash must start with that
     * many zero bits.
     */
    int check(long nowNs, NodeAddress from, int minBits, byte[] buf, int off, int len) {
        rotate(nowNs);
        int bits = buf[off + SOLVED_BITS] & 0xff;
        if (!tokenMatches(secret, from, bits, buf, off + SOLVED_TOKEN)
                && !tokenMatches(previousSecret, from, bits, buf, off + SOLVED_TOKEN)) {
            return BAD_TOKEN;
        }
        if (bits < minBits) {
            return TOO_EASY;
        }
        System.arraycopy(buf, off + SOLVED_TOKEN, hashInput, 0, TOKEN_BYTES);
        System.arraycopy(buf, off + len - 2 * WireGuardHandshake.MAC_BYTES, hashInput, TOKEN_BYTES,
                WireGuardHandshake.MAC_BYTES);
        System.arraycopy(buf, off + SOLVED_NONCE, hashInput, TOKEN_BYTES + WireGuardHandshake.MAC_BYTES, NONCE_BYTES);
        blake.digest(null, 0, hashInput, 0, hashInput.length, 32, hash, 0);
        return leadingZeroBits(hash, 0) >= bits ? SOLVED : UNSOLVED;
    }

    /**
     * Whether bytes 5..7 of the solved initiation at {@code off} are zero, as the format says: neither the token nor
     * the hash covers them, so anything else would be a second form of the same message (found by fuzzing).
     */
    static boolean reservedBytesZero(byte[] buf, int off) {
        return buf[off + SOLVED_BITS + 1] == 0 && buf[off + SOLVED_BITS + 2] == 0 && buf[off + SOLVED_BITS + 3] == 0;
    }

    /**
     * The initiator's side: the difficulty of the puzzle reply {@code buf[off, +REPLY_BYTES)} from the owner of
     * {@code remoteStatic}, answering the initiation whose mac1 was {@code mac1Sent}, with its token copied into
     * {@code tokenOut}; -1 when the tag does not authenticate or the difficulty is out of range.
     */
    static int openReply(Blake2sStream blake, byte[] remoteStatic, byte[] mac1Sent, byte[] buf, int off,
            byte[] tokenOut) {
        byte[] key = new io.molia.crypto.Blake2s().hash(WireGuardConstants.LABEL_COOKIE, remoteStatic);
        byte[] input = new byte[REPLY_TAG + WireGuardHandshake.MAC_BYTES];
        System.arraycopy(buf, off, input, 0, REPLY_TAG);
        System.arraycopy(mac1Sent, 0, input, REPLY_TAG, WireGuardHandshake.MAC_BYTES);
        byte[] tag = new byte[WireGuardHandshake.MAC_BYTES];
        blake.digest(key, 32, input, 0, input.length, tag.length, tag, 0);
        int bits = buf[off + REPLY_BITS] & 0xff;
        if (!WireGuardHandshake.constantTimeEquals(tag, 0, buf, off + REPLY_TAG, tag.length)
                || bits < 1 || bits > MAX_BITS) {
            return -1;
        }
        System.arraycopy(buf, off + REPLY_TOKEN, tokenOut, 0, TOKEN_BYTES);
        return bits;
    }

    /**
     * The initiator's side: wraps the initiation {@code initiation[0, len)} into {@code out} as a solved initiation
     * of {@code token} and {@code bits}, searching nonces from a random start; returns the length, or -1 after
     * 2^(bits + 8) tries (a search that unlikely means something is wrong: give up, the 5 s timer retries).
     */
    static int solve(Blake2sStream blake, RandomGenerator random, byte[] token, int bits, byte[] initiation, int len,
            byte[] out) {
        byte[] input = new byte[TOKEN_BYTES + WireGuardHandshake.MAC_BYTES + NONCE_BYTES];
        byte[] hash = new byte[32];
        System.arraycopy(token, 0, input, 0, TOKEN_BYTES);
        System.arraycopy(initiation, len - 2 * WireGuardHandshake.MAC_BYTES, input, TOKEN_BYTES,
                WireGuardHandshake.MAC_BYTES);
        long nonce = random.nextLong();
        for (long tries = 0; tries < 1L << (bits + 8); tries++, nonce++) {
            WireGuardConstants.writeLongLe(input, TOKEN_BYTES + WireGuardHandshake.MAC_BYTES, nonce);
            blake.digest(null, 0, input, 0, input.length, 32, hash, 0);
            if (leadingZeroBits(hash, 0) >= bits) {
                java.util.Arrays.fill(out, 0, SOLVED_HEADER_BYTES, (byte) 0);
                out[0] = (byte) TYPE_SOLVED_INITIATION;
                out[SOLVED_BITS] = (byte) bits;
                System.arraycopy(token, 0, out, SOLVED_TOKEN, TOKEN_BYTES);
                WireGuardConstants.writeLongLe(out, SOLVED_NONCE, nonce);
                System.arraycopy(initiation, 0, out, SOLVED_HEADER_BYTES, len);
                return SOLVED_HEADER_BYTES + len;
            }
        }
        return -1;
    }

    private void rotate(long nowNs) {
        if (secretBornNs == Long.MIN_VALUE) {
            random.nextBytes(secret);
            random.nextBytes(previousSecret);
            secretBornNs = nowNs;
        } else if (nowNs - secretBornNs >= SECRET_ROTATION_NS) {
            System.arraycopy(secret, 0, previousSecret, 0, secret.length);
            random.nextBytes(secret);
            secretBornNs = nowNs;
        }
    }

    private void tokenFor(byte[] key, NodeAddress from, int bits, byte[] out, int outOff) {
        int n = from.writeTo(tokenInput, 0);
        tokenInput[n] = (byte) bits;
        blake.digest(key, 32, tokenInput, 0, n + 1, TOKEN_BYTES, out, outOff);
    }

    private boolean tokenMatches(byte[] key, NodeAddress from, int bits, byte[] buf, int at) {
        tokenFor(key, from, bits, token, 0);
        return WireGuardHandshake.constantTimeEquals(token, 0, buf, at, TOKEN_BYTES);
    }

    /** The leading zero bits of the first 8 bytes of {@code hash} (big-endian order, as a puzzle counts them). */
    static int leadingZeroBits(byte[] hash, int off) {
        long first = 0;
        for (int i = 0; i < 8; i++) {
            first = (first << 8) | (hash[off + i] & 0xff);
        }
        return Long.numberOfLeadingZeros(first);
    }
}
