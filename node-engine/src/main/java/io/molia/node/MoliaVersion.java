package io.molia.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The release and wire-protocol versions, stamped into the jar by the build. */
public final class MoliaVersion {
    private static final Properties PROPERTIES = load();

    private MoliaVersion() {
    }

    public static String release() {
        return PROPERTIES.getProperty("version", "unknown");
    }

    public static int protocol() {
        return Integer.parseInt(PROPERTIES.getProperty("protocol.version", "1"));
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = MoliaVersion.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
