package io.molia.crypto;

import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The BLAKE2s functions of WireGuard's construction: HASH (BLAKE2s-256), MAC (keyed BLAKE2s with a 16-byte digest,
 * not a truncation), HMAC over BLAKE2s-256 and the HKDF-style KDF1..3.
 *
 * <p>Reuses its digests; owned by one thread, not thread-safe.
 */
public final class Blake2s {
    public static final int HASH_BYTES = 32;
    public static final int MAC_BYTES = 16;

    private final Blake2sDigest hash = new Blake2sDigest(256);
    private final HMac hmac = new HMac(new Blake2sDigest(256));
    private final byte[] prk = new byte[HASH_BYTES];
    private final byte[] block = new byte[HASH_BYTES + 1];

    /** HASH(a || b) into {@code out[0, 32)}; {@code b} may be null. */
    public void hash(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen, byte[] out) {
        hash.reset();
        hash.update(a, aOff, aLen);
        if (b != null) {
            hash.update(b, bOff, bLen);
        }
        hash.doFinal(out, 0);
    }

    public byte[] hash(byte[] a, byte[] b) {
        byte[] out = new byte[HASH_BYTES];
        hash(a, 0, a.length, b, 0, b == null ? 0 : b.length, out);
        return out;
    }

    /** MAC(key, msg): keyed BLAKE2s-128 (a fresh digest: the key is part of BLAKE2s's parameter block). */
    public static void mac(byte[] key, byte[] msg, int off, int len, byte[] out, int outOff) {
        Blake2sDigest keyed = new Blake2sDigest(key, MAC_BYTES, null, null);
        keyed.update(msg, off, len);
        keyed.doFinal(out, outOff);
    }

    public void hmac(byte[] key, byte[] msg, int off, int len, byte[] out) {
        hmac.init(new KeyParameter(key));
        hmac.update(msg, off, len);
        hmac.doFinal(out, 0);
    }

    /**
     * KDF_n(key, input) for n = 1..3: T1 into {@code t1}, T2 into {@code t2} (if not null), T3 into {@code t3} (if
     * not null), each 32 bytes. Outputs may alias {@code key}.
     */
    public void kdf(byte[] key, byte[] input, int off, int len, byte[] t1, byte[] t2, byte[] t3) {
        hmac(key, input, off, len, prk);
        block[0] = 1;
        hmac(prk, block, 0, 1, t1);
        if (t2 == null) {
            return;
        }
        System.arraycopy(t1, 0, block, 0, HASH_BYTES);
        block[HASH_BYTES] = 2;
        hmac(prk, block, 0, HASH_BYTES + 1, t2);
        if (t3 == null) {
            return;
        }
        System.arraycopy(t2, 0, block, 0, HASH_BYTES);
        block[HASH_BYTES] = 3;
        hmac(prk, block, 0, HASH_BYTES + 1, t3);
    }
}
