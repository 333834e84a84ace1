package io.molia.crypto;

/**
 * BLAKE2s (RFC 7693) over any number of updates, optionally keyed, 1-32 bytes out, with no allocation: a session's
 * handshake hashes, MACs and HMACs ({@link Blake2s}), the admission puzzle's hash and its token's MAC, which a
 * responder under a flood computes for every initiation it turns away or checks. Reused for one digest after
 * another; owned by one thread, not thread-safe.
 */
public final class Blake2sStream {
    public static final int BLOCK_BYTES = 64;
    private static final int[] IV = {0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C,
        0x1F83D9AB, 0x5BE0CD19};
    private static final byte[][] SIGMA = {
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
        {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
        {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
        {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
        {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
        {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
        {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
        {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
        {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
        {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0}};

    private final int[] h = new int[8];
    private final int[] m = new int[16];
    /** Input not yet compressed: BLAKE2s compresses the last block differently, so a full block waits for more. */
    private final byte[] buffer = new byte[BLOCK_BYTES];
    private int buffered;
    private long counter;
    private int outLen;

    /** Starts a digest of {@code outLen} (1..32) bytes, keyed with {@code key[0, keyLen)} (0..32; 0 = unkeyed). */
    public void init(byte[] key, int keyLen, int outLen) {
        if (keyLen < 0 || keyLen > 32 || outLen < 1 || outLen > 32) {
            throw new IllegalArgumentException("BLAKE2s: key <= 32 bytes, 1..32 bytes out");
        }
        System.arraycopy(IV, 0, h, 0, 8);
        h[0] ^= 0x01010000 ^ (keyLen << 8) ^ outLen;
        this.outLen = outLen;
        counter = 0;
        buffered = 0;
        if (keyLen > 0) { // the key is the first block, zero-padded
            System.arraycopy(key, 0, buffer, 0, keyLen);
            java.util.Arrays.fill(buffer, keyLen, BLOCK_BYTES, (byte) 0);
            buffered = BLOCK_BYTES;
        }
    }

    public void update(byte[] in, int off, int len) {
        while (len > 0) {
            if (buffered == BLOCK_BYTES) {
                counter += BLOCK_BYTES;
                compress(false);
                buffered = 0;
            }
            int n = Math.min(BLOCK_BYTES - buffered, len);
            System.arraycopy(in, off, buffer, buffered, n);
            buffered += n;
            off += n;
            len -= n;
        }
    }

    /**
     * Starts an unkeyed digest of {@code outLen} bytes whose first block (not its last) is {@code block[0, 64)}, and
     * saves the state after that block into {@code saved} (8 words) for {@link #resume}: an HMAC under one key
     * several times (a KDF's outputs) compresses each key pad once.
     */
    public void initWithBlock(byte[] block, int outLen, int[] saved) {
        init(null, 0, outLen);
        System.arraycopy(block, 0, buffer, 0, BLOCK_BYTES);
        counter = BLOCK_BYTES;
        compress(false);
        System.arraycopy(h, 0, saved, 0, 8);
    }

    /**
     * Continues the digest {@link #initWithBlock} saved, right after its first block. What follows must not be empty:
     * with nothing after it, that block would have been the last one, compressed differently.
     */
    public void resume(int[] saved, int outLen) {
        System.arraycopy(saved, 0, h, 0, 8);
        this.outLen = outLen;
        counter = BLOCK_BYTES;
        buffered = 0;
    }

    /** Ends the digest: its {@code outLen} bytes into {@code out[outOff, ...)}. */
    public void doFinal(byte[] out, int outOff) {
        counter += buffered;
        java.util.Arrays.fill(buffer, buffered, BLOCK_BYTES, (byte) 0);
        compress(true);
        for (int i = 0; i < outLen; i++) {
            out[outOff + i] = (byte) (h[i >>> 2] >>> (8 * (i & 3)));
        }
    }

    /** One whole digest: {@link #init}, one {@link #update}, {@link #doFinal}. */
    public void digest(byte[] key, int keyLen, byte[] msg, int off, int len, int outLen, byte[] out, int outOff) {
        init(key, keyLen, outLen);
        update(msg, off, len);
        doFinal(out, outOff);
    }

    /**
     * The state in locals rather than in {@code v[]}: C2 keeps them in registers, where the array version stored and
     * reloaded every word of each G (a handshake compresses about a hundred blocks).
     */
    private void compress(boolean last) {
        int[] m = this.m;
        for (int i = 0; i < 16; i++) {
            int at = i * 4;
            m[i] = (buffer[at] & 0xff) | (buffer[at + 1] & 0xff) << 8 | (buffer[at + 2] & 0xff) << 16
                    | (buffer[at + 3] & 0xff) << 24;
        }
        int v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3], v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7];
        int v8 = IV[0], v9 = IV[1], v10 = IV[2], v11 = IV[3];
        int v12 = IV[4] ^ (int) counter, v13 = IV[5] ^ (int) (counter >>> 32);
        int v14 = last ? ~IV[6] : IV[6], v15 = IV[7];
        for (int r = 0; r < 10; r++) {
            byte[] s = SIGMA[r];
            v0 += v4 + m[s[0]];
            v12 = Integer.rotateRight(v12 ^ v0, 16);
            v8 += v12;
            v4 = Integer.rotateRight(v4 ^ v8, 12);
            v0 += v4 + m[s[1]];
            v12 = Integer.rotateRight(v12 ^ v0, 8);
            v8 += v12;
            v4 = Integer.rotateRight(v4 ^ v8, 7);
            v1 += v5 + m[s[2]];
            v13 = Integer.rotateRight(v13 ^ v1, 16);
            v9 += v13;
            v5 = Integer.rotateRight(v5 ^ v9, 12);
            v1 += v5 + m[s[3]];
            v13 = Integer.rotateRight(v13 ^ v1, 8);
            v9 += v13;
            v5 = Integer.rotateRight(v5 ^ v9, 7);
            v2 += v6 + m[s[4]];
            v14 = Integer.rotateRight(v14 ^ v2, 16);
            v10 += v14;
            v6 = Integer.rotateRight(v6 ^ v10, 12);
            v2 += v6 + m[s[5]];
            v14 = Integer.rotateRight(v14 ^ v2, 8);
            v10 += v14;
            v6 = Integer.rotateRight(v6 ^ v10, 7);
            v3 += v7 + m[s[6]];
            v15 = Integer.rotateRight(v15 ^ v3, 16);
            v11 += v15;
            v7 = Integer.rotateRight(v7 ^ v11, 12);
            v3 += v7 + m[s[7]];
            v15 = Integer.rotateRight(v15 ^ v3, 8);
            v11 += v15;
            v7 = Integer.rotateRight(v7 ^ v11, 7);
            v0 += v5 + m[s[8]];
            v15 = Integer.rotateRight(v15 ^ v0, 16);
            v10 += v15;
            v5 = Integer.rotateRight(v5 ^ v10, 12);
            v0 += v5 + m[s[9]];
            v15 = Integer.rotateRight(v15 ^ v0, 8);
            v10 += v15;
            v5 = Integer.rotateRight(v5 ^ v10, 7);
            v1 += v6 + m[s[10]];
            v12 = Integer.rotateRight(v12 ^ v1, 16);
            v11 += v12;
            v6 = Integer.rotateRight(v6 ^ v11, 12);
            v1 += v6 + m[s[11]];
            v12 = Integer.rotateRight(v12 ^ v1, 8);
            v11 += v12;
            v6 = Integer.rotateRight(v6 ^ v11, 7);
            v2 += v7 + m[s[12]];
            v13 = Integer.rotateRight(v13 ^ v2, 16);
            v8 += v13;
            v7 = Integer.rotateRight(v7 ^ v8, 12);
            v2 += v7 + m[s[13]];
            v13 = Integer.rotateRight(v13 ^ v2, 8);
            v8 += v13;
            v7 = Integer.rotateRight(v7 ^ v8, 7);
            v3 += v4 + m[s[14]];
            v14 = Integer.rotateRight(v14 ^ v3, 16);
            v9 += v14;
            v4 = Integer.rotateRight(v4 ^ v9, 12);
            v3 += v4 + m[s[15]];
            v14 = Integer.rotateRight(v14 ^ v3, 8);
            v9 += v14;
            v4 = Integer.rotateRight(v4 ^ v9, 7);
        }
        h[0] ^= v0 ^ v8;
        h[1] ^= v1 ^ v9;
        h[2] ^= v2 ^ v10;
        h[3] ^= v3 ^ v11;
        h[4] ^= v4 ^ v12;
        h[5] ^= v5 ^ v13;
        h[6] ^= v6 ^ v14;
        h[7] ^= v7 ^ v15;
    }
}
