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
    private final int[] v = new int[16];
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

    private void compress(boolean last) {
        for (int i = 0; i < 16; i++) {
            int at = i * 4;
            m[i] = (buffer[at] & 0xff) | (buffer[at + 1] & 0xff) << 8 | (buffer[at + 2] & 0xff) << 16
                    | (buffer[at + 3] & 0xff) << 24;
        }
        System.arraycopy(h, 0, v, 0, 8);
        System.arraycopy(IV, 0, v, 8, 8);
        v[12] ^= (int) counter;
        v[13] ^= (int) (counter >>> 32);
        if (last) {
            v[14] = ~v[14];
        }
        for (int r = 0; r < 10; r++) {
            byte[] s = SIGMA[r];
            g(0, 4, 8, 12, m[s[0]], m[s[1]]);
            g(1, 5, 9, 13, m[s[2]], m[s[3]]);
            g(2, 6, 10, 14, m[s[4]], m[s[5]]);
            g(3, 7, 11, 15, m[s[6]], m[s[7]]);
            g(0, 5, 10, 15, m[s[8]], m[s[9]]);
            g(1, 6, 11, 12, m[s[10]], m[s[11]]);
            g(2, 7, 8, 13, m[s[12]], m[s[13]]);
            g(3, 4, 9, 14, m[s[14]], m[s[15]]);
        }
        for (int i = 0; i < 8; i++) {
            h[i] ^= v[i] ^ v[i + 8];
        }
    }

    private void g(int a, int b, int c, int d, int x, int y) {
        v[a] += v[b] + x;
        v[d] = Integer.rotateRight(v[d] ^ v[a], 16);
        v[c] += v[d];
        v[b] = Integer.rotateRight(v[b] ^ v[c], 12);
        v[a] += v[b] + y;
        v[d] = Integer.rotateRight(v[d] ^ v[a], 8);
        v[c] += v[d];
        v[b] = Integer.rotateRight(v[b] ^ v[c], 7);
    }
}
