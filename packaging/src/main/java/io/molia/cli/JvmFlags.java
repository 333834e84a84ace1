package io.molia.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags a `molia` child process (devnet --processes) needs, taken from this JVM's own: ./molia started it
 * with scripts/lib/jvm-flags (Chronicle's add-opens/add-exports, analytics off, native access), so the one list
 * stays in that file and children get exactly what their parent got.
 */
final class JvmFlags {
    private static final List<String> PREFIXES = List.of("--add-opens", "--add-exports", "--enable-native-access",
            "--sun-misc-unsafe-memory-access", "-Dchronicle.");

    private JvmFlags() {
    }

    static List<String> forChild() {
        List<String> out = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            for (String p : PREFIXES) {
                if (arg.startsWith(p)) {
                    out.add(arg);
                    break;
                }
            }
        }
        if (!out.contains("-Dchronicle.analytics.disable=true")) {
            out.add("-Dchronicle.analytics.disable=true"); // never phone home, whatever started us
        }
        return out;
    }
}
