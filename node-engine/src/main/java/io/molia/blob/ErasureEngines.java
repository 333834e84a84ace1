package io.molia.blob;

import java.lang.reflect.InvocationTargetException;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which {@link ErasureEngine} {@link ReedSolomon} uses, chosen once when this class loads: Intel ISA-L (Debian's
 * {@code libisal2}, AVX2/AVX-512 nibble tables) through the FFM API where the JDK has it (22+: the jar's
 * {@code META-INF/versions/22} slice, DESIGN §7) and the library loads, else {@link JavaErasure}. ISA-L encodes
 * several times faster (docs/blobs.md, "Measured"); a JDK 22+ without {@code libisal2} logs one line and runs Java.
 *
 * <p>{@code -Dmolia.erasure=java} keeps Java even where ISA-L loads; {@code native} (or unset) is the choice above,
 * and the {@code molia} command refuses any other value. Both compute the same bytes: fragments do not depend on the
 * engine.
 */
public final class ErasureEngines {
    public static final String PROPERTY = "molia.erasure";
    /** Lives only in the multi-release slice for JDK 22+; the base classes reach it by name. */
    private static final String ISAL = "io.molia.blob.IsalErasure";
    private static final int FFM_FEATURE_RELEASE = 22;
    private static final Logger LOG = LoggerFactory.getLogger(ErasureEngines.class);
    private static final ErasureEngine ENGINE = choose();

    private ErasureEngines() {
    }

    /** The engine {@link ReedSolomon#encode} and {@link ReedSolomon#reconstruct} use. */
    public static ErasureEngine engine() {
        return ENGINE;
    }

    public static ErasureEngine java() {
        return JavaErasure.INSTANCE;
    }

    /** ISA-L's engine, if this JDK and machine have it (whatever {@link #PROPERTY} says). */
    public static Optional<ErasureEngine> isal() {
        return Optional.ofNullable(Isal.ENGINE);
    }

    private static ErasureEngine choose() {
        if ("java".equals(System.getProperty(PROPERTY)) || Runtime.version().feature() < FFM_FEATURE_RELEASE) {
            return JavaErasure.INSTANCE;
        }
        if (Isal.ENGINE == null) {
            LOG.atWarn().addKeyValue("event", "blob.isal_unavailable").addKeyValue("error", Isal.error)
                    .log("ISA-L could not be loaded; Reed-Solomon coding uses the slower Java code "
                            + "(apt-get install libisal2)");
            return JavaErasure.INSTANCE;
        }
        return Isal.ENGINE;
    }

    /** Loads ISA-L's engine at most once, on first use. */
    private static final class Isal {
        private static String error = "";
        static final ErasureEngine ENGINE = load();

        private static ErasureEngine load() {
            if (Runtime.version().feature() < FFM_FEATURE_RELEASE) {
                error = "the FFM API needs JDK " + FFM_FEATURE_RELEASE + "+";
                return null;
            }
            try {
                return (ErasureEngine) Class.forName(ISAL).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                Throwable cause = e instanceof InvocationTargetException || e instanceof ExceptionInInitializerError
                        ? e.getCause() : e;
                error = String.valueOf(cause);
            }
            return null;
        }
    }
}
