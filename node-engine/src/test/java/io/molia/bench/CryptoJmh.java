package io.molia.bench;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import javax.crypto.KeyAgreement;

import io.molia.crypto.AeadEngine;
import io.molia.crypto.BouncyCastleChaChaPoly;
import io.molia.crypto.ChaChaPoly;
import io.molia.crypto.CryptoEngines;
import io.molia.crypto.JdkChaChaPoly;
import io.molia.crypto.X25519Engine;
import io.molia.crypto.X25519Keys;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The crypto engines side by side (docs/benchmarks.md, "Crypto engines"): X25519 (a DH, a public key, and the
 * Ed25519 → X25519 conversion of a peer's key) by BouncyCastle, the JDK's XDH and libsodium through the FFM API;
 * ChaCha20-Poly1305 seal + open by Molia's own, the JDK's {@code Cipher}, BouncyCastle and libsodium. libsodium
 * needs JDK 22+ and {@code libsodium23}; without them its rows fail at setup.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CryptoJmh {
    /** One X25519 engine and a key pair for it. */
    @State(Scope.Thread)
    public static class Dh {
        @Param({"bouncycastle", "jdk", "libsodium"})
        String x25519;
        X25519Engine engine;
        final byte[] privateKey = new byte[32];
        final byte[] peerPublic = new byte[32];
        final byte[] out = new byte[32];
        final byte[] edPublic = new byte[32];

        @Setup
        public void setUp() throws GeneralSecurityException {
            engine = switch (x25519) {
                case "bouncycastle" -> CryptoEngines.pureJavaX25519();
                case "jdk" -> new JdkXdh();
                case "libsodium" -> CryptoEngines.libsodiumX25519()
                        .orElseThrow(() -> new IllegalStateException("libsodium needs JDK 22+ and libsodium23"));
                default -> throw new IllegalArgumentException(x25519);
            };
            SplittableRandom random = new SplittableRandom(1);
            random.nextBytes(privateKey);
            byte[] other = new byte[32];
            random.nextBytes(other);
            CryptoEngines.pureJavaX25519().publicKey(other, peerPublic);
            random.nextBytes(edPublic);
            edPublic[31] &= 0x3f;
        }
    }

    /** One AEAD engine and a transport packet of each size. */
    @State(Scope.Thread)
    public static class Packet {
        @Param({"molia", "jdk", "bouncycastle", "libsodium"})
        String aead;
        @Param({"64", "512", "1280"})
        int size;
        AeadEngine engine;
        final byte[] key = new byte[32];
        byte[] plain;
        byte[] sealed;
        byte[] opened;
        long counter;

        @Setup
        public void setUp() {
            engine = switch (aead) {
                case "molia" -> new ChaChaPoly();
                case "jdk" -> new JdkChaChaPoly();
                case "bouncycastle" -> new BouncyCastleChaChaPoly();
                case "libsodium" -> CryptoEngines.newLibsodiumAead()
                        .orElseThrow(() -> new IllegalStateException("libsodium needs JDK 22+ and libsodium23"));
                default -> throw new IllegalArgumentException(aead);
            };
            new SplittableRandom(2).nextBytes(key);
            plain = new byte[size];
            sealed = new byte[size + ChaChaPoly.TAG_BYTES];
            opened = new byte[size];
        }
    }

    @Benchmark
    public boolean x25519Dh(Dh s) {
        return s.engine.dh(s.privateKey, s.peerPublic, s.out);
    }

    @Benchmark
    public byte[] x25519PublicKey(Dh s) {
        s.engine.publicKey(s.privateKey, s.out);
        return s.out;
    }

    /** The same for every engine (field arithmetic, no BigInteger); one row is enough. */
    @Benchmark
    public byte[] ed25519ToX25519(Dh s) {
        return X25519Keys.fromEd25519PublicKey(s.edPublic);
    }

    @Benchmark
    public int sealAndOpen(Packet p) {
        long c = p.counter++;
        int n = p.engine.seal(p.key, c, p.plain, 0, p.size, null, p.sealed, 0);
        return p.engine.open(p.key, c, p.sealed, 0, n, null, p.opened, 0);
    }

    /** The JDK's XDH behind the engine interface, keys converted from bytes on each call as a handshake would. */
    static final class JdkXdh implements X25519Engine {
        private static final BigInteger MASK_255 = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.ONE);
        private final KeyFactory keys;
        private final KeyAgreement agreement;

        JdkXdh() throws GeneralSecurityException {
            keys = KeyFactory.getInstance("XDH");
            agreement = KeyAgreement.getInstance("XDH");
        }

        @Override
        public String name() {
            return "jdk";
        }

        @Override
        public void publicKey(byte[] privateKey, byte[] out) {
            byte[] nine = new byte[32];
            nine[0] = 9;
            dh(privateKey, nine, out);
        }

        @Override
        public boolean dh(byte[] privateKey, byte[] publicKey, byte[] out) {
            try {
                PrivateKey priv = keys.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey));
                byte[] be = new byte[32];
                for (int i = 0; i < 32; i++) {
                    be[i] = publicKey[31 - i];
                }
                PublicKey pub = keys.generatePublic(
                        new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be).and(MASK_255)));
                agreement.init(priv);
                agreement.doPhase(pub, true);
                agreement.generateSecret(out, 0);
                return true;
            } catch (GeneralSecurityException e) {
                return false;
            }
        }
    }
}
