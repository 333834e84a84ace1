package io.molia.crypto;

import java.lang.reflect.InvocationTargetException;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which X25519 implementation the node uses, chosen once when this class loads: libsodium through the FFM API
 * where the JDK has it (22+: the classes in the jar's {@code META-INF/versions/22} slice, DESIGN §7) and the
 * library loads, else BouncyCastle's pure Java. libsodium's X25519 DH is 2× faster here (docs/benchmarks.md,
 * "Crypto engines"); a JDK 22+ without {@code libsodium23} logs one line and runs the pure-Java code.
 *
 * <p>{@code -Dmolia.crypto=java} keeps the pure-Java engine even where libsodium loads, so the test vectors and
 * session tests run against both; {@code native} (or unset) is the choice above. The {@code molia} command refuses
 * any other value.
 */
public final class CryptoEngines {
    public static final String PROPERTY = "molia.crypto";
    /** Lives only in the multi-release slice for JDK 22+; the base classes reach it by name. */
    private static final String LIBSODIUM_X25519 = "io.molia.crypto.SodiumX25519";
    private static final String LIBSODIUM_AEAD = "io.molia.crypto.SodiumChaChaPoly";
    private static final int FFM_FEATURE_RELEASE = 22;
    private static final Logger LOG = LoggerFactory.getLogger(CryptoEngines.class);
    private static final X25519Engine PURE_JAVA = new BouncyCastleX25519();
    private static final X25519Engine X25519 = choose();

    private CryptoEngines() {
    }

    /** The engine every session uses. */
    public static X25519Engine x25519() {
        return X25519;
    }

    public static X25519Engine pureJavaX25519() {
        return PURE_JAVA;
    }

    /** libsodium's X25519, if this JDK and machine have it (whatever {@link #PROPERTY} says). */
    public static Optional<X25519Engine> libsodiumX25519() {
        return Optional.ofNullable(Libsodium.ENGINE);
    }

    /**
     * The ChaCha20-Poly1305 of one session data path: {@link SizedAead} (Java for small packets, libsodium for the
     * rest) where libsodium loads and {@link #PROPERTY} is not {@code java}, else {@link ChaChaPoly} alone.
     */
    public static AeadEngine newDataPathAead() {
        if (X25519 == PURE_JAVA) {
            return new ChaChaPoly();
        }
        return new SizedAead(new ChaChaPoly(), newLibsodiumAead().orElseThrow());
    }

    /** A new libsodium ChaCha20-Poly1305 (whatever {@link #PROPERTY} says), if this JDK and machine have it. */
    public static Optional<AeadEngine> newLibsodiumAead() {
        if (Libsodium.ENGINE == null) {
            return Optional.empty();
        }
        try {
            return Optional.of((AeadEngine) Class.forName(LIBSODIUM_AEAD).getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("libsodium loaded but its AEAD class did not", e);
        }
    }

    private static X25519Engine choose() {
        if ("java".equals(System.getProperty(PROPERTY)) || Runtime.version().feature() < FFM_FEATURE_RELEASE) {
            return PURE_JAVA;
        }
        if (Libsodium.ENGINE == null) {
            LOG.atWarn().addKeyValue("event", "crypto.libsodium_unavailable").addKeyValue("error", Libsodium.error)
                    .log("libsodium could not be loaded; handshakes use the slower pure-Java X25519 "
                            + "(apt-get install libsodium23)");
            return PURE_JAVA;
        }
        return Libsodium.ENGINE;
    }

    /** Loads libsodium's engine at most once, on first use. */
    private static final class Libsodium {
        private static String error = "";
        static final X25519Engine ENGINE = load();

        private static X25519Engine load() {
            if (Runtime.version().feature() < FFM_FEATURE_RELEASE) {
                error = "the FFM API needs JDK " + FFM_FEATURE_RELEASE + "+";
                return null;
            }
            try {
                return (X25519Engine) Class.forName(LIBSODIUM_X25519).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                Throwable cause = e instanceof InvocationTargetException || e instanceof ExceptionInInitializerError
                        ? e.getCause() : e;
                error = String.valueOf(cause);
            }
            return null;
        }
    }
}
