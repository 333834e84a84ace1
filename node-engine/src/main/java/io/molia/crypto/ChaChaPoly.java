package io.molia.crypto;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * ChaCha20-Poly1305 (RFC 8439) with WireGuard's nonce: 4 zero bytes then the 64-bit counter little-endian.
 * Owned by one thread; not thread-safe.
 */
public final class ChaChaPoly {
    public static final int TAG_BYTES = 16;

    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    private final byte[] nonce = new byte[12];

    /** Encrypts {@code in[inOff, +len)} into {@code out[outOff, +len+16)}; returns the bytes written. */
    public int seal(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
        init(true, key, counter, ad);
        int n = aead.processBytes(in, inOff, len, out, outOff);
        try {
            return n + aead.doFinal(out, outOff + n);
        } catch (InvalidCipherTextException e) {
            throw new AssertionError("encryption cannot fail", e);
        }
    }

    /** Decrypts and authenticates; returns the plaintext length, or -1 when the tag does not verify. */
    public int open(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
        if (len < TAG_BYTES) {
            return -1;
        }
        init(false, key, counter, ad);
        int n = aead.processBytes(in, inOff, len, out, outOff);
        try {
            return n + aead.doFinal(out, outOff + n);
        } catch (InvalidCipherTextException e) {
            return -1;
        }
    }

    private void init(boolean encrypt, byte[] key, long counter, byte[] ad) {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        aead.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_BYTES * 8, nonce, ad));
    }
}
