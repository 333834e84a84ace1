package io.molia.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The release and wire-protocol versions and the commit, stamped into the jar by the build. */
public final class MoliaVersion {
    private static final Properties PROPERTIES = load("version.properties");
    private static final Properties COMMIT = load("commit.properties");

    private MoliaVersion() {
    }

    public static String release() {
        return PROPERTIES.getProperty("version", "unknown");
    }

    public static int protocol() {
        return Integer.parseInt(PROPERTIES.getProperty("protocol.version", "1"));
    }

    /** The abbreviated commit the jar was built from, "-dirty" with uncommitted changes; "unknown" outside a clone. */
    public static String commit() {
        return COMMIT.getProperty("commit", "unknown");
    }

    private static Properties load(String resource) {
        Properties p = new Properties();
        try (InputStream in = MoliaVersion.class.getResourceAsStream(resource)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
