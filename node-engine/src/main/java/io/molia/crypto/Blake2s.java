package io.molia.crypto;

/**
 * The BLAKE2s functions of WireGuard's construction: HASH (BLAKE2s-256), MAC (keyed BLAKE2s with a 16-byte digest,
 * not a truncation), HMAC over BLAKE2s-256 and the HKDF-style KDF1..3, on one {@link Blake2sStream}: a handshake
 * allocates nothing for them.
 *
 * <p>Owned by one thread, not thread-safe.
 */
public final class Blake2s {
    public static final int HASH_BYTES = 32;
    public static final int MAC_BYTES = 16;
    private static final int BLOCK_BYTES = Blake2sStream.BLOCK_BYTES;

    private final Blake2sStream stream = new Blake2sStream();
    private final byte[] pad = new byte[BLOCK_BYTES];
    private final byte[] inner = new byte[HASH_BYTES];
    private final byte[] prk = new byte[HASH_BYTES];
    private final byte[] block = new byte[HASH_BYTES + 1];
    /** The states after a KDF's PRK padded with ipad and with opad: its 2-3 HMACs under the PRK share them. */
    private final int[] innerState = new int[8];
    private final int[] outerState = new int[8];

    /** HASH(a || b) into {@code out[0, 32)}; {@code b} may be null. */
    public void hash(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen, byte[] out) {
        stream.init(null, 0, HASH_BYTES);
        stream.update(a, aOff, aLen);
        if (b != null) {
            stream.update(b, bOff, bLen);
        }
        stream.doFinal(out, 0);
    }

    public byte[] hash(byte[] a, byte[] b) {
        byte[] out = new byte[HASH_BYTES];
        hash(a, 0, a.length, b, 0, b == null ? 0 : b.length, out);
        return out;
    }

    /** MAC(key, msg): keyed BLAKE2s-128 (the key is in BLAKE2s's parameter block) into {@code out[outOff, +16)}. */
    public void mac(byte[] key, byte[] msg, int off, int len, byte[] out, int outOff) {
        stream.digest(key, key.length, msg, off, len, MAC_BYTES, out, outOff);
    }

    /** HMAC-BLAKE2s-256(key, msg) (RFC 2104, 64-byte blocks) into {@code out[0, 32)}, which may be {@code key}. */
    public void hmac(byte[] key, byte[] msg, int off, int len, byte[] out) {
        if (key.length > BLOCK_BYTES) {
            throw new IllegalArgumentException("HMAC keys here are at most one block: " + key.length + " bytes");
        }
        keyPad(key, (byte) 0x36);
        stream.init(null, 0, HASH_BYTES);
        stream.update(pad, 0, BLOCK_BYTES);
        stream.update(msg, off, len);
        stream.doFinal(inner, 0);
        keyPad(key, (byte) 0x5c);
        stream.init(null, 0, HASH_BYTES);
        stream.update(pad, 0, BLOCK_BYTES);
        stream.update(inner, 0, HASH_BYTES);
        stream.doFinal(out, 0);
    }

    private void keyPad(byte[] key, byte xor) {
        for (int i = 0; i < BLOCK_BYTES; i++) {
            pad[i] = (byte) ((i < key.length ? key[i] : 0) ^ xor);
        }
    }

    /**
     * The ipad and opad blocks of an HMAC key compressed once, for a key that is a constant (WireGuard's first
     * chaining key): each HMAC under it then compresses two blocks fewer. Immutable.
     */
    public static final class HmacKey {
        private final int[] innerState = new int[8];
        private final int[] outerState = new int[8];

        public HmacKey(byte[] key) {
            if (key.length > BLOCK_BYTES) {
                throw new IllegalArgumentException("HMAC keys here are at most one block: " + key.length + " bytes");
            }
            Blake2s b = new Blake2s();
            b.keyPad(key, (byte) 0x36);
            b.stream.initWithBlock(b.pad, HASH_BYTES, innerState);
            b.keyPad(key, (byte) 0x5c);
            b.stream.initWithBlock(b.pad, HASH_BYTES, outerState);
        }
    }

    /**
     * KDF_n(key, input) for n = 1..3: T1 into {@code t1}, T2 into {@code t2} (if not null), T3 into {@code t3} (if
     * not null), each 32 bytes. Outputs may alias {@code key}.
     */
    public void kdf(byte[] key, byte[] input, int off, int len, byte[] t1, byte[] t2, byte[] t3) {
        hmac(key, input, off, len, prk);
        expand(t1, t2, t3);
    }

    /** {@link #kdf} under a key whose pads are compressed already; {@code len} > 0. */
    public void kdf(HmacKey key, byte[] input, int off, int len, byte[] t1, byte[] t2, byte[] t3) {
        if (len <= 0) {
            throw new IllegalArgumentException("a KDF under a precomputed key needs input");
        }
        hmacFrom(key.innerState, key.outerState, input, off, len, prk);
        expand(t1, t2, t3);
    }

    /** HKDF's expand of {@link #prk}: T1..T3 as {@link #kdf} says. */
    private void expand(byte[] t1, byte[] t2, byte[] t3) {
        prkPads();
        block[0] = 1;
        hmacUnderPrk(block, 1, t1);
        if (t2 == null) {
            return;
        }
        System.arraycopy(t1, 0, block, 0, HASH_BYTES);
        block[HASH_BYTES] = 2;
        hmacUnderPrk(block, HASH_BYTES + 1, t2);
        if (t3 == null) {
            return;
        }
        System.arraycopy(t2, 0, block, 0, HASH_BYTES);
        block[HASH_BYTES] = 3;
        hmacUnderPrk(block, HASH_BYTES + 1, t3);
    }

    private void prkPads() {
        keyPad(prk, (byte) 0x36);
        stream.initWithBlock(pad, HASH_BYTES, innerState);
        keyPad(prk, (byte) 0x5c);
        stream.initWithBlock(pad, HASH_BYTES, outerState);
    }

    /** HMAC(prk, msg[0, len)) from the pads {@link #prkPads} compressed; {@code len} > 0. */
    private void hmacUnderPrk(byte[] msg, int len, byte[] out) {
        hmacFrom(innerState, outerState, msg, 0, len, out);
    }

    /** HMAC from compressed pads ({@link Blake2sStream#initWithBlock}); {@code len} > 0. */
    private void hmacFrom(int[] innerPad, int[] outerPad, byte[] msg, int off, int len, byte[] out) {
        stream.resume(innerPad, HASH_BYTES);
        stream.update(msg, off, len);
        stream.doFinal(inner, 0);
        stream.resume(outerPad, HASH_BYTES);
        stream.update(inner, 0, HASH_BYTES);
        stream.doFinal(out, 0);
    }
}
