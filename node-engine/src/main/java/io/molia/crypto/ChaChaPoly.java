package io.molia.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * ChaCha20-Poly1305 (RFC 8439 §2.8) with WireGuard's nonce: 4 zero bytes then the 64-bit counter little-endian.
 *
 * <p>Our own implementation, in place and without allocation: the key, nonce, keystream block and Poly1305 state
 * live in fields of this instance, so sealing or opening a packet allocates nothing (the JDK's {@code Cipher}
 * allocated about 4.5 KB per packet in {@code init}; docs/benchmarks.md has both measured). ChaCha20 is the
 * scalar 32-bit form (unrolled quarter rounds, its keystream XORed 8 bytes at a time); Poly1305 uses two 64-bit
 * limbs and 128-bit products from {@link Math#unsignedMultiplyHigh} (OpenSSL's "poly1305-64" layout); bytes are
 * read and written as little-endian words through a {@link VarHandle}.
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

    // ChaCha20 input: key and nonce words of the current operation.
    private int k0, k1, k2, k3, k4, k5, k6, k7;
    private int n0, n1, n2;
    /** The current keystream block as 8 little-endian 64-bit words. */
    private final long[] ks = new long[8];
    /** A zero-padded Poly1305 block (partial AD or ciphertext tail, the lengths block). */
    private final byte[] pad16 = new byte[16];

    // Poly1305: r clamped in two 64-bit limbs, s1 = 5 r1 / 4, the accumulator h, the final pad (key bytes 16..31).
    private long r0, r1, s1;
    private long h0, h1, h2;
    private long pad0, pad1;
    private long tag0, tag1;

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
        put64(out, outOff + len, tag0);
        put64(out, outOff + len + 8, tag1);
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
        long diff = (tag0 ^ le64(in, t)) | (tag1 ^ le64(in, t + 8)); // no early exit: constant time
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
        long[] k = ks;
        // r with RFC 8439 §2.5's clamping: r1's low two bits are clear, so 2^130 r1 / 4 folds to 5 r1 / 4 = s1.
        r0 = k[0] & 0x0ffffffc0fffffffL;
        r1 = k[1] & 0x0ffffffc0ffffffcL;
        s1 = r1 + (r1 >>> 2);
        pad0 = k[2];
        pad1 = k[3];
        h0 = 0;
        h1 = 0;
        h2 = 0;
    }

    /** XORs the keystream from block counter 1 on over {@code in} into {@code out}, forward, 8 bytes at a time. */
    private void crypt(byte[] in, int inOff, int len, byte[] out, int outOff) {
        long[] k = ks;
        int counter = 1;
        int done = 0;
        for (; len - done >= 64; done += 64) {
            block(counter++);
            int i = inOff + done;
            int o = outOff + done;
            for (int w = 0; w < 8; w++) {
                put64(out, o + 8 * w, le64(in, i + 8 * w) ^ k[w]);
            }
        }
        if (done < len) {
            block(counter);
            int w = 0;
            for (; len - done >= 8; done += 8, w++) {
                put64(out, outOff + done, le64(in, inOff + done) ^ k[w]);
            }
            for (long stream = k[w & 7]; done < len; done++, stream >>>= 8) {
                out[outOff + done] = (byte) (in[inOff + done] ^ stream);
            }
        }
    }

    /** One ChaCha20 block (RFC 8439 §2.3) into {@link #ks}: 20 rounds, the feed-forward, two words per long. */
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
        long[] k = ks;
        k[0] = words(x0 + SIGMA0, x1 + SIGMA1);
        k[1] = words(x2 + SIGMA2, x3 + SIGMA3);
        k[2] = words(x4 + k0, x5 + k1);
        k[3] = words(x6 + k2, x7 + k3);
        k[4] = words(x8 + k4, x9 + k5);
        k[5] = words(x10 + k6, x11 + k7);
        k[6] = words(x12 + counter, x13 + n0);
        k[7] = words(x14 + n1, x15 + n2);
    }

    /** Two little-endian 32-bit words as one little-endian 64-bit word. */
    private static long words(int low, int high) {
        return (low & 0xffffffffL) | ((long) high << 32);
    }

    /**
     * Poly1305 over RFC 8439 §2.8's mac_data: AD, zero padding to 16, the ciphertext, zero padding to 16, then
     * both lengths as 64-bit little-endian; leaves the tag in {@code tag0, tag1}.
     */
    private void authenticate(byte[] ad, byte[] c, int cOff, int cLen) {
        int adLen = ad == null ? 0 : ad.length;
        if (adLen > 0) {
            absorbPadded(ad, 0, adLen);
        }
        absorbPadded(c, cOff, cLen);
        put64(pad16, 0, adLen);
        put64(pad16, 8, cLen);
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
            Arrays.fill(p, rest, 16, (byte) 0);
            absorb(p, 0, 1);
        }
    }

    /**
     * Full 16-byte blocks (every block of mac_data is full: it is zero-padded), so the 2^128 bit is always set.
     * h is two 64-bit limbs and a small top limb (h2 of at most a few bits); h r is summed in 128-bit halves from
     * {@link Math#unsignedMultiplyHigh}, then the bits from 2^130 up fold back in times 5 (OpenSSL's "poly1305-64").
     */
    private void absorb(byte[] m, int off, int blocks) {
        final long r0 = this.r0, r1 = this.r1, s1 = this.s1;
        long h0 = this.h0, h1 = this.h1, h2 = this.h2;
        for (int b = 0; b < blocks; b++, off += 16) {
            long m0 = le64(m, off);
            long m1 = le64(m, off + 8);
            long a0 = h0 + m0;
            long a1 = h1 + m1 + carry(h0, m0, a0);
            h2 += carry(h1, m1, a1) + 1;
            h0 = a0;
            h1 = a1;

            // d0 = h0 r0 + h1 s1, d1 = h0 r1 + h1 r0 + h2 s1 (128-bit each), h2 r0 at 2^128
            long lo = h0 * r0;
            long add = h1 * s1;
            long d0 = lo + add;
            long d0High = Math.unsignedMultiplyHigh(h0, r0) + Math.unsignedMultiplyHigh(h1, s1) + carry(lo, add, d0);
            lo = h0 * r1;
            add = h1 * r0;
            long d1 = lo + add;
            long d1High = Math.unsignedMultiplyHigh(h0, r1) + Math.unsignedMultiplyHigh(h1, r0) + carry(lo, add, d1);
            add = h2 * s1;
            lo = d1;
            d1 = lo + add;
            d1High += carry(lo, add, d1);
            h2 *= r0;

            h0 = d0;
            h1 = d1 + d0High;
            h2 += d1High + carry(d1, d0High, h1);
            // h mod 2^130, plus 5 times what was above it
            long fold = (h2 >>> 2) + (h2 & ~3L);
            h2 &= 3;
            lo = h0;
            h0 = lo + fold;
            long c = carry(lo, fold, h0);
            lo = h1;
            h1 = lo + c;
            h2 += carry(lo, c, h1);
        }
        this.h0 = h0;
        this.h1 = h1;
        this.h2 = h2;
    }

    /** The carry out of {@code sum = a + b (+ a carry in)}, as 0 or 1, without a branch. */
    private static long carry(long a, long b, long sum) {
        return ((a & b) | ((a | b) & ~sum)) >>> 63;
    }

    /** Full reduction mod 2^130 − 5 (constant time), then + pad mod 2^128. */
    private void finish() {
        long h0 = this.h0, h1 = this.h1;
        // g = h + 5: it reaches 2^130 exactly when h >= p, and is then h - p mod 2^130.
        long g0 = h0 + 5;
        long c = carry(h0, 5, g0);
        long g1 = h1 + c;
        long g2 = h2 + carry(h1, c, g1);
        long useG = -(g2 >>> 2); // all ones when g >= 2^130, else 0
        h0 = (h0 & ~useG) | (g0 & useG);
        h1 = (h1 & ~useG) | (g1 & useG);
        long t0 = h0 + pad0;
        tag0 = t0;
        tag1 = h1 + pad1 + carry(h0, pad0, t0);
    }

    private static int le32(byte[] b, int off) {
        return (int) LE32.get(b, off);
    }

    private static long le64(byte[] b, int off) {
        return (long) LE64.get(b, off);
    }

    private static void put64(byte[] b, int off, long v) {
        LE64.set(b, off, v);
    }
}
