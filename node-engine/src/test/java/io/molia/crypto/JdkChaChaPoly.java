package io.molia.crypto;

import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The JDK's ChaCha20-Poly1305 behind {@link ChaChaPoly}'s API: the reference of the differential tests and the
 * baseline of the JMH benchmarks (it was Molia's implementation until the zero-allocation one replaced it).
 * Allocates about 4.5 KB per packet in {@code Cipher.init}. Owned by one thread; not thread-safe.
 */
public final class JdkChaChaPoly implements AeadEngine {
    public static final int TAG_BYTES = 16;

    private final Cipher encrypt;
    private final Cipher decrypt;
    private final byte[] nonce = new byte[12];

    public JdkChaChaPoly() {
        try {
            encrypt = Cipher.getInstance("ChaCha20-Poly1305");
            decrypt = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks ChaCha20-Poly1305 (standard since Java 11)", e);
        }
    }

    @Override
    public String name() {
        return "jdk";
    }

    /** Encrypts {@code in[inOff, +len)} into {@code out[outOff, +len+16)}; returns the bytes written. */
    @Override
    public int seal(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
        try {
            init(encrypt, Cipher.ENCRYPT_MODE, key, counter, ad);
            return encrypt.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 encryption failed: " + e.getMessage(), e);
        }
    }

    /** Decrypts and authenticates; returns the plaintext length, or -1 when the tag does not verify. */
    @Override
    public int open(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
        if (len < TAG_BYTES) {
            return -1;
        }
        try {
            init(decrypt, Cipher.DECRYPT_MODE, key, counter, ad);
            return decrypt.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) { // AEADBadTagException above all: forged or corrupted
            return -1;
        }
    }

    private void init(Cipher cipher, int mode, byte[] key, long counter, byte[] ad)
            throws GeneralSecurityException {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        cipher.init(mode, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        if (ad != null && ad.length > 0) {
            cipher.updateAAD(ad);
        }
    }
}
