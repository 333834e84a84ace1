package io.molia.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags a `molia` child process (devnet --processes) needs, taken from this JVM's own: ./molia started it
 * with scripts/lib/jvm-flags (Chronicle's add-opens/add-exports, analytics off, native access), so the one list
 * stays in that file and children get exactly what their parent got. A small node adds flags that keep an idle
 * node's memory low (docs/benchmarks.md, "A small node").
 */
final class JvmFlags {
    /** Set by ./molia: the node's class-data-sharing archive, which a small node maps too. */
    static final String NODE_ARCHIVE_PROPERTY = "molia.node.archive";

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

    /** {@link #forChild()} and {@link #smallNode}, for this JVM's version and archive. */
    static List<String> forSmallNode() {
        List<String> out = forChild();
        out.addAll(smallNode(Runtime.version().feature(), System.getProperty(NODE_ARCHIVE_PROPERTY)));
        return out;
    }

    /**
     * A node of a devnet on one machine: idle, it holds about 15 MiB of live heap, needs no optimizing compiler,
     * and shares its classes with the other nodes through the archive (null: none) when the archive is mapped
     * where it was written (ArchiveRelocationMode=0; relocated, its pages are each process's own).
     */
    static List<String> smallNode(int javaFeature, String archive) {
        List<String> out = new ArrayList<>(List.of(
                "-XX:+UseSerialGC", // G1's own structures cost about 40 MiB at any heap size
                "-Xms8m", "-Xmx128m", // grown as needed, never the JVM's default quarter of the machine
                "-XX:TieredStopAtLevel=1", // the client compiler only: less code and compiler memory
                "-XX:ReservedCodeCacheSize=32m",
                "-Xss256k",
                "-Dio.netty.allocator.numDirectArenas=1", "-Dio.netty.allocator.numHeapArenas=1"));
        if (javaFeature >= 22) {
            out.add("-XX:TrimNativeHeapInterval=5000"); // gives freed malloc memory back to the system
        }
        if (archive != null) {
            // ArchiveRelocationMode is a diagnostic flag (JDK 20+): the JVM's default relocates to a random address.
            out.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-XX:+UnlockDiagnosticVMOptions",
                    "-XX:ArchiveRelocationMode=0",
                    "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        return out;
    }
}
