package io.molia.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every X25519 engine this JVM can load (BouncyCastle always; libsodium on JDK 22+, which CI installs) against RFC
 * 7748's vectors and against each other, and the engine chosen for the sessions is the one {@code molia.crypto}
 * asks for. The WireGuard and Noise vector tests run the chosen engine; Surefire runs them once more with
 * {@code -Dmolia.crypto=java} (node-engine's pom), so both engines pass them.
 */
@Tag("crypto-engines")
class X25519EnginesTest {
    private static final HexFormat HEX = HexFormat.of();

    private static List<X25519Engine> engines() {
        List<X25519Engine> engines = new ArrayList<>(List.of(CryptoEngines.pureJavaX25519()));
        CryptoEngines.libsodiumX25519().ifPresent(engines::add);
        return engines;
    }

    @Test
    void theSessionsUseTheEngineAskedFor() {
        String expected = "java".equals(System.getProperty(CryptoEngines.PROPERTY))
                || Runtime.version().feature() < 22 ? "bouncycastle" : "libsodium";
        assertEquals(expected, CryptoEngines.x25519().name());
        if (Runtime.version().feature() >= 22) {
            assertTrue(CryptoEngines.libsodiumX25519().isPresent(), "JDK 22+ and libsodium23 installed: loadable");
        }
    }

    @Test
    void rfc7748Vectors() {
        byte[] alicePrivate = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] alicePublic = HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        byte[] bobPrivate = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] bobPublic = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        byte[] shared = HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        // §5.2: one scalar multiplication of an arbitrary u (its top bit set, which X25519 ignores).
        byte[] scalar = HEX.parseHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
        byte[] u = HEX.parseHex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
        byte[] product = HEX.parseHex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
        for (X25519Engine engine : engines()) {
            byte[] out = new byte[32];
            engine.publicKey(alicePrivate, out);
            assertArrayEquals(alicePublic, out, engine.name());
            engine.publicKey(bobPrivate, out);
            assertArrayEquals(bobPublic, out, engine.name());
            assertTrue(engine.dh(alicePrivate, bobPublic, out), engine.name());
            assertArrayEquals(shared, out, engine.name());
            assertTrue(engine.dh(bobPrivate, alicePublic, out), engine.name());
            assertArrayEquals(shared, out, engine.name());
            assertTrue(engine.dh(scalar, u, out), engine.name());
            assertArrayEquals(product, out, engine.name());
        }
    }

    @Test
    void lowOrderPointsAreRefusedWithAZeroResult() {
        byte[] privateKey = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[][] lowOrder = {new byte[32],
                HEX.parseHex("0100000000000000000000000000000000000000000000000000000000000000"),
                HEX.parseHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
                HEX.parseHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")};
        for (X25519Engine engine : engines()) {
            for (byte[] point : lowOrder) {
                byte[] out = new byte[32];
                Arrays.fill(out, (byte) 0x55);
                assertFalse(engine.dh(privateKey, point, out), engine.name() + " " + HEX.formatHex(point));
                assertArrayEquals(new byte[32], out, engine.name());
            }
        }
    }

    @Test
    void enginesAgreeOnRandomKeys() {
        SplittableRandom random = new SplittableRandom(20);
        List<X25519Engine> engines = engines();
        for (int i = 0; i < 100; i++) {
            byte[] a = new byte[32];
            byte[] b = new byte[32];
            random.nextBytes(a);
            random.nextBytes(b);
            byte[] expectedPublic = new byte[32];
            byte[] expectedShared = new byte[32];
            engines.get(0).publicKey(b, expectedPublic);
            engines.get(0).dh(a, expectedPublic, expectedShared);
            for (X25519Engine engine : engines) {
                byte[] pub = new byte[32];
                byte[] shared = new byte[32];
                engine.publicKey(b, pub);
                assertTrue(engine.dh(a, pub, shared));
                assertArrayEquals(expectedPublic, pub, engine.name());
                assertArrayEquals(expectedShared, shared, engine.name());
            }
        }
    }
    /** libsodium's public key goes through the Ed25519 base point and back to Montgomery form: any key, any edge. */
    @Test
    void publicKeysAgreeOnManyKeysAndOnEdgeKeys() {
        SplittableRandom random = new SplittableRandom(21);
        List<X25519Engine> engines = engines();
        List<byte[]> keys = new ArrayList<>();
        keys.add(new byte[32]); // all zero: libsodium refuses it, its engine falls back
        byte[] ones = new byte[32];
        java.util.Arrays.fill(ones, (byte) 0xff);
        keys.add(ones);
        byte[] one = new byte[32];
        one[0] = 1;
        keys.add(one);
        for (int i = 0; i < 3000; i++) {
            byte[] k = new byte[32];
            random.nextBytes(k);
            keys.add(k);
        }
        for (byte[] k : keys) {
            byte[] copy = k.clone();
            byte[] expected = new byte[32];
            engines.get(0).publicKey(k, expected);
            for (X25519Engine engine : engines) {
                byte[] pub = new byte[32];
                engine.publicKey(k, pub);
                assertArrayEquals(expected, pub, engine.name() + " " + HEX.formatHex(k));
                assertArrayEquals(copy, k, engine.name() + " left the private key as it was");
            }
        }
    }
}
