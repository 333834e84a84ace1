package io.molia.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * ChaCha20-Poly1305 (RFC 8439 §2.8) with WireGuard's nonce: 4 zero bytes then the 64-bit counter little-endian.
 *
 * <p>Our own implementation, in place and without allocation: the key, nonce, keystream block and Poly1305 state
 * live in fields of this instance, so sealing or opening a packet allocates nothing (the JDK's {@code Cipher}
 * allocated about 4.5 KB per packet in {@code init}; docs/benchmarks.md has both measured). ChaCha20 is the
 * scalar 32-bit form (unrolled quarter rounds); Poly1305 uses five 26-bit limbs in {@code long} products (the
 * "donna-32" layout); bytes are read and written as little-endian words through a {@link VarHandle}.
 *
 * <p>{@code in} and {@code out} may be the same array, at the same offset (in place) or at any other (an
 * overlapping range is moved first). {@link #open} checks the tag before it decrypts anything: a forged packet
 * leaves {@code out} untouched, and the comparison takes the same time wherever the tags differ.
 *
 * <p>Owned by one thread; not thread-safe.
 */
public final class ChaChaPoly implements AeadEngine {
    public static final int TAG_BYTES = 16;
    public static final int KEY_BYTES = 32;

    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE64 =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int SIGMA0 = 0x61707865;
    private static final int SIGMA1 = 0x3320646e;
    private static final int SIGMA2 = 0x79622d32;
    private static final int SIGMA3 = 0x6b206574;
    private static final int MASK26 = 0x3ffffff;

    // ChaCha20 input: key and nonce words of the current operation.
    private int k0, k1, k2, k3, k4, k5, k6, k7;
    private int n0, n1, n2;
    /** The current keystream block as 16 words. */
    private final int[] ks = new int[16];
    /** A zero-padded Poly1305 block (partial AD or ciphertext tail, the lengths block). */
    private final byte[] pad16 = new byte[16];

    // Poly1305: r clamped in 26-bit limbs, s = 5 r, the accumulator h, and the final pad (key bytes 16..31).
    private long r0, r1, r2, r3, r4, s1, s2, s3, s4;
    private long h0, h1, h2, h3, h4;
    private int p0, p1, p2, p3;
    private int tag0, tag1, tag2, tag3;

    @Override
    public String name() {
        return "molia";
    }

    /**
     * Encrypts {@code in[inOff, +len)} into {@code out[outOff, +len)} and writes the tag after it; returns
     * {@code len + 16}. {@code ad} may be null (no associated data).
     */
    @Override
    public int seal(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
        return seal(key, 0, (int) counter, (int) (counter >>> 32), in, inOff, len, ad, out, outOff);
    }

    /** Decrypts and authenticates; returns the plaintext length, or -1 when the tag does not verify. */
    @Override
    public int open(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
        return open(key, 0, (int) counter, (int) (counter >>> 32), in, inOff, len, ad, out, outOff);
    }

    /** RFC 8439's general form: the 96-bit nonce as three little-endian words (for its test vectors). */
    int seal(byte[] key, int nonce0, int nonce1, int nonce2, byte[] in, int inOff, int len, byte[] ad, byte[] out,
            int outOff) {
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, len + TAG_BYTES, out.length);
        start(key, nonce0, nonce1, nonce2);
        if (in == out && inOff != outOff && overlaps(inOff, outOff, len)) {
            System.arraycopy(in, inOff, out, outOff, len);
            inOff = outOff;
        }
        crypt(in, inOff, len, out, outOff);
        authenticate(ad, out, outOff, len);
        put32(out, outOff + len, tag0);
        put32(out, outOff + len + 4, tag1);
        put32(out, outOff + len + 8, tag2);
        put32(out, outOff + len + 12, tag3);
        return len + TAG_BYTES;
    }

    int open(byte[] key, int nonce0, int nonce1, int nonce2, byte[] in, int inOff, int len, byte[] ad, byte[] out,
            int outOff) {
        if (len < TAG_BYTES) {
            return -1;
        }
        int plainLen = len - TAG_BYTES;
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, plainLen, out.length);
        start(key, nonce0, nonce1, nonce2);
        authenticate(ad, in, inOff, plainLen);
        int t = inOff + plainLen;
        int diff = (tag0 ^ le32(in, t)) | (tag1 ^ le32(in, t + 4)) | (tag2 ^ le32(in, t + 8))
                | (tag3 ^ le32(in, t + 12)); // no early exit: constant time in where the tags differ
        if (diff != 0) {
            return -1;
        }
        if (in == out && inOff != outOff && overlaps(inOff, outOff, plainLen)) {
            System.arraycopy(in, inOff, out, outOff, plainLen);
            inOff = outOff;
        }
        crypt(in, inOff, plainLen, out, outOff);
        return plainLen;
    }

    private static boolean overlaps(int a, int b, int len) {
        return a < b + len && b < a + len;
    }

    /** Loads key and nonce, and derives the one-time Poly1305 key from keystream block 0 (RFC 8439 §2.6). */
    private void start(byte[] key, int nonce0, int nonce1, int nonce2) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a ChaCha20-Poly1305 key is 32 bytes");
        }
        k0 = le32(key, 0);
        k1 = le32(key, 4);
        k2 = le32(key, 8);
        k3 = le32(key, 12);
        k4 = le32(key, 16);
        k5 = le32(key, 20);
        k6 = le32(key, 24);
        k7 = le32(key, 28);
        n0 = nonce0;
        n1 = nonce1;
        n2 = nonce2;
        block(0);
        int[] k = ks;
        long t0 = k[0] & 0xffffffffL;
        long t1 = k[1] & 0xffffffffL;
        long t2 = k[2] & 0xffffffffL;
        long t3 = k[3] & 0xffffffffL;
        // r with RFC 8439 §2.5's clamping, split into 26-bit limbs.
        r0 = t0 & 0x3ffffff;
        r1 = ((t0 >>> 26) | (t1 << 6)) & 0x3ffff03;
        r2 = ((t1 >>> 20) | (t2 << 12)) & 0x3ffc0ff;
        r3 = ((t2 >>> 14) | (t3 << 18)) & 0x3f03fff;
        r4 = (t3 >>> 8) & 0x00fffff;
        s1 = r1 * 5;
        s2 = r2 * 5;
        s3 = r3 * 5;
        s4 = r4 * 5;
        p0 = k[4];
        p1 = k[5];
        p2 = k[6];
        p3 = k[7];
        h0 = 0;
        h1 = 0;
        h2 = 0;
        h3 = 0;
        h4 = 0;
    }

    /** XORs the keystream from block counter 1 on over {@code in} into {@code out} (forward, word by word). */
    private void crypt(byte[] in, int inOff, int len, byte[] out, int outOff) {
        int[] k = ks;
        int counter = 1;
        int done = 0;
        for (; len - done >= 64; done += 64) {
            block(counter++);
            int i = inOff + done;
            int o = outOff + done;
            for (int w = 0; w < 16; w++) {
                put32(out, o + 4 * w, le32(in, i + 4 * w) ^ k[w]);
            }
        }
        if (done < len) {
            block(counter);
            for (int j = 0; done + j < len; j++) {
                out[outOff + done + j] = (byte) (in[inOff + done + j] ^ (k[j >>> 2] >>> (8 * (j & 3))));
            }
        }
    }

    /** One ChaCha20 block (RFC 8439 §2.3) into {@link #ks}: 20 rounds then the feed-forward. */
    private void block(int counter) {
        int x0 = SIGMA0, x1 = SIGMA1, x2 = SIGMA2, x3 = SIGMA3;
        int x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
        int x12 = counter, x13 = n0, x14 = n1, x15 = n2;
        for (int round = 0; round < 10; round++) {
            // columns
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);
            // diagonals
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }
        int[] k = ks;
        k[0] = x0 + SIGMA0;
        k[1] = x1 + SIGMA1;
        k[2] = x2 + SIGMA2;
        k[3] = x3 + SIGMA3;
        k[4] = x4 + k0;
        k[5] = x5 + k1;
        k[6] = x6 + k2;
        k[7] = x7 + k3;
        k[8] = x8 + k4;
        k[9] = x9 + k5;
        k[10] = x10 + k6;
        k[11] = x11 + k7;
        k[12] = x12 + counter;
        k[13] = x13 + n0;
        k[14] = x14 + n1;
        k[15] = x15 + n2;
    }

    /**
     * Poly1305 over RFC 8439 §2.8's mac_data: AD, zero padding to 16, the ciphertext, zero padding to 16, then
     * both lengths as 64-bit little-endian; leaves the tag in {@code tag0..3}.
     */
    private void authenticate(byte[] ad, byte[] c, int cOff, int cLen) {
        int adLen = ad == null ? 0 : ad.length;
        if (adLen > 0) {
            absorbPadded(ad, 0, adLen);
        }
        absorbPadded(c, cOff, cLen);
        LE64.set(pad16, 0, (long) adLen);
        LE64.set(pad16, 8, (long) cLen);
        absorb(pad16, 0, 1);
        finish();
    }

    private void absorbPadded(byte[] m, int off, int len) {
        int full = len >>> 4;
        if (full > 0) {
            absorb(m, off, full);
        }
        int rest = len & 15;
        if (rest > 0) {
            byte[] p = pad16;
            System.arraycopy(m, off + (full << 4), p, 0, rest);
            for (int i = rest; i < 16; i++) {
                p[i] = 0;
            }
            absorb(p, 0, 1);
        }
    }

    /** Full 16-byte blocks (every block of mac_data is full: it is zero-padded), so the 2^128 bit is always set. */
    private void absorb(byte[] m, int off, int blocks) {
        final long r0 = this.r0, r1 = this.r1, r2 = this.r2, r3 = this.r3, r4 = this.r4;
        final long s1 = this.s1, s2 = this.s2, s3 = this.s3, s4 = this.s4;
        long h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;
        for (int b = 0; b < blocks; b++, off += 16) {
            long t0 = le32(m, off) & 0xffffffffL;
            long t1 = le32(m, off + 4) & 0xffffffffL;
            long t2 = le32(m, off + 8) & 0xffffffffL;
            long t3 = le32(m, off + 12) & 0xffffffffL;
            h0 += t0 & MASK26;
            h1 += ((t0 >>> 26) | (t1 << 6)) & MASK26;
            h2 += ((t1 >>> 20) | (t2 << 12)) & MASK26;
            h3 += ((t2 >>> 14) | (t3 << 18)) & MASK26;
            h4 += (t3 >>> 8) | (1L << 24);

            long d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
            long d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
            long d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
            long d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
            long d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;

            d1 += d0 >>> 26;
            h0 = d0 & MASK26;
            d2 += d1 >>> 26;
            h1 = d1 & MASK26;
            d3 += d2 >>> 26;
            h2 = d2 & MASK26;
            d4 += d3 >>> 26;
            h3 = d3 & MASK26;
            h0 += (d4 >>> 26) * 5;
            h4 = d4 & MASK26;
            h1 += h0 >>> 26;
            h0 &= MASK26;
        }
        this.h0 = h0;
        this.h1 = h1;
        this.h2 = h2;
        this.h3 = h3;
        this.h4 = h4;
    }

    /** Full reduction mod 2^130 − 5 (constant time), then + pad mod 2^128. */
    private void finish() {
        long h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;
        long c;
        c = h1 >>> 26;
        h1 &= MASK26;
        h2 += c;
        c = h2 >>> 26;
        h2 &= MASK26;
        h3 += c;
        c = h3 >>> 26;
        h3 &= MASK26;
        h4 += c;
        c = h4 >>> 26;
        h4 &= MASK26;
        h0 += c * 5;
        c = h0 >>> 26;
        h0 &= MASK26;
        h1 += c;

        // g = h + 5 - 2^130: if it does not borrow, h >= p and g is the result.
        long g0 = h0 + 5;
        c = g0 >>> 26;
        g0 &= MASK26;
        long g1 = h1 + c;
        c = g1 >>> 26;
        g1 &= MASK26;
        long g2 = h2 + c;
        c = g2 >>> 26;
        g2 &= MASK26;
        long g3 = h3 + c;
        c = g3 >>> 26;
        g3 &= MASK26;
        long g4 = h4 + c - (1L << 26);
        long useG = (g4 >>> 63) - 1; // all ones when g4 >= 0 (no borrow), else 0
        h0 = (h0 & ~useG) | (g0 & useG);
        h1 = (h1 & ~useG) | (g1 & useG);
        h2 = (h2 & ~useG) | (g2 & useG);
        h3 = (h3 & ~useG) | (g3 & useG);
        h4 = (h4 & ~useG) | (g4 & useG);

        long w0 = (h0 | (h1 << 26)) & 0xffffffffL;
        long w1 = ((h1 >>> 6) | (h2 << 20)) & 0xffffffffL;
        long w2 = ((h2 >>> 12) | (h3 << 14)) & 0xffffffffL;
        long w3 = ((h3 >>> 18) | (h4 << 8)) & 0xffffffffL;
        long f = w0 + (p0 & 0xffffffffL);
        tag0 = (int) f;
        f = w1 + (p1 & 0xffffffffL) + (f >>> 32);
        tag1 = (int) f;
        f = w2 + (p2 & 0xffffffffL) + (f >>> 32);
        tag2 = (int) f;
        f = w3 + (p3 & 0xffffffffL) + (f >>> 32);
        tag3 = (int) f;
    }

    private static int le32(byte[] b, int off) {
        return (int) LE32.get(b, off);
    }

    private static void put32(byte[] b, int off, int v) {
        LE32.set(b, off, v);
    }
}
