package io.molia.crypto;

/**
 * XChaCha20-Poly1305 (24-byte nonce) as WireGuard's cookie replies use it: HChaCha20(key, nonce[0..16)) gives a
 * subkey, then ChaCha20-Poly1305 with the nonce 0x00000000 || nonce[16..24). Cold path (cookies only).
 */
public final class XChaChaPoly {
    public static final int NONCE_BYTES = 24;

    private XChaChaPoly() {
    }

    public static int seal(byte[] key, byte[] nonce, byte[] in, int inOff, int len, byte[] ad, byte[] out,
            int outOff) {
        return new ChaChaPoly().seal(hChaCha20(key, nonce), counterOf(nonce), in, inOff, len, ad, out, outOff);
    }

    /** Returns the plaintext length, or -1 when the tag does not verify. */
    public static int open(byte[] key, byte[] nonce, byte[] in, int inOff, int len, byte[] ad, byte[] out,
            int outOff) {
        return new ChaChaPoly().open(hChaCha20(key, nonce), counterOf(nonce), in, inOff, len, ad, out, outOff);
    }

    /** The last 8 nonce bytes as ChaChaPoly's little-endian counter (it prefixes 4 zero bytes). */
    private static long counterOf(byte[] nonce) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (nonce[16 + i] & 0xff);
        }
        return v;
    }

    /** HChaCha20 (draft-irtf-cfrg-xchacha §2.2): 20 rounds, no final addition, words 0..3 and 12..15 out. */
    static byte[] hChaCha20(byte[] key, byte[] nonce) {
        int[] x = new int[16];
        x[0] = 0x61707865;
        x[1] = 0x3320646e;
        x[2] = 0x79622d32;
        x[3] = 0x6b206574;
        for (int i = 0; i < 8; i++) {
            x[4 + i] = le32(key, 4 * i);
        }
        for (int i = 0; i < 4; i++) {
            x[12 + i] = le32(nonce, 4 * i);
        }
        for (int round = 0; round < 10; round++) {
            quarter(x, 0, 4, 8, 12);
            quarter(x, 1, 5, 9, 13);
            quarter(x, 2, 6, 10, 14);
            quarter(x, 3, 7, 11, 15);
            quarter(x, 0, 5, 10, 15);
            quarter(x, 1, 6, 11, 12);
            quarter(x, 2, 7, 8, 13);
            quarter(x, 3, 4, 9, 14);
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 4; i++) {
            put32(out, 4 * i, x[i]);
            put32(out, 16 + 4 * i, x[12 + i]);
        }
        return out;
    }

    private static void quarter(int[] x, int a, int b, int c, int d) {
        x[a] += x[b];
        x[d] = Integer.rotateLeft(x[d] ^ x[a], 16);
        x[c] += x[d];
        x[b] = Integer.rotateLeft(x[b] ^ x[c], 12);
        x[a] += x[b];
        x[d] = Integer.rotateLeft(x[d] ^ x[a], 8);
        x[c] += x[d];
        x[b] = Integer.rotateLeft(x[b] ^ x[c], 7);
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    private static void put32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
