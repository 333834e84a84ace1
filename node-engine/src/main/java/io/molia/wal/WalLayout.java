package io.molia.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the WAL lives in a data dir:
 * <pre>
 * data-dir/molia.lock                        held (FileChannel lock) by the running node
 * data-dir/wal/shard-N/gen-00000007/         one Chronicle Queue per generation (a compaction starts the next)
 * data-dir/wal/shard-N/snapshot-00000006.snap  the state after every entry of generations 1..6
 * data-dir/wal/shard-N/torn-00000005/        a generation whose torn tail was set aside at start-up
 * </pre>
 */
public final class WalLayout {
    public static final String LOCK_FILE = "molia.lock";
    private static final Pattern SHARD = Pattern.compile("shard-(\\d+)");
    private static final Pattern GEN = Pattern.compile("gen-(\\d{8})");
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d{8})\\.snap");

    private WalLayout() {
    }

    public static Path walDir(Path dataDir) {
        return dataDir.resolve("wal");
    }

    public static Path shardDir(Path dataDir, int shard) {
        return walDir(dataDir).resolve("shard-" + shard);
    }

    public static Path generationDir(Path shardDir, long generation) {
        return shardDir.resolve(String.format("gen-%08d", generation));
    }

    public static Path snapshotFile(Path shardDir, long generation) {
        return shardDir.resolve(String.format("snapshot-%08d.snap", generation));
    }

    /** Generation numbers present in a shard dir, ascending. */
    public static List<Long> generations(Path shardDir) throws IOException {
        return numbered(shardDir, GEN);
    }

    /** Generations covered by the snapshot files present, ascending. */
    public static List<Long> snapshots(Path shardDir) throws IOException {
        return numbered(shardDir, SNAPSHOT);
    }

    private static List<Long> numbered(Path dir, Pattern p) throws IOException {
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) {
                Matcher m = p.matcher(f.getFileName().toString());
                if (m.matches()) {
                    out.add(Long.parseLong(m.group(1)));
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** What an operator pointed a tool at: the data dir that holds the lock, and the shard dirs by number. */
    public record Target(Path dataDir, TreeMap<Integer, Path> shards, Long onlyGeneration) {
    }

    /**
     * Resolves a data dir, its {@code wal} dir, one shard dir or one generation (queue) dir. Throws
     * IllegalArgumentException with a one-line reason when it is none of them.
     */
    public static Target resolve(Path given) throws IOException {
        Path p = given.toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(given + ": no such directory");
        }
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        Matcher gen = GEN.matcher(name);
        if (gen.matches() && p.getParent() != null && SHARD.matcher(p.getParent().getFileName().toString()).matches()) {
            Path shardDir = p.getParent();
            TreeMap<Integer, Path> one = new TreeMap<>();
            one.put(shardNumber(shardDir), shardDir);
            return new Target(shardDir.getParent().getParent(), one, Long.parseLong(gen.group(1)));
        }
        if (SHARD.matcher(name).matches()) {
            TreeMap<Integer, Path> one = new TreeMap<>();
            one.put(shardNumber(p), p);
            return new Target(p.getParent().getParent(), one, null);
        }
        Path wal = name.equals("wal") ? p : p.resolve("wal");
        if (!Files.isDirectory(wal)) {
            throw new IllegalArgumentException(given + ": no WAL here (expected a data dir with wal/, a wal/ dir, "
                    + "a shard-N dir or a gen-NNNNNNNN queue dir)");
        }
        TreeMap<Integer, Path> shards = new TreeMap<>();
        try (Stream<Path> s = Files.list(wal)) {
            for (Path f : s.toList()) {
                if (Files.isDirectory(f) && SHARD.matcher(f.getFileName().toString()).matches()) {
                    shards.put(shardNumber(f), f);
                }
            }
        }
        return new Target(wal.getParent(), shards, null);
    }

    public static int shardNumber(Path shardDir) {
        Matcher m = SHARD.matcher(shardDir.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(shardDir + " is not a shard-N directory");
        }
        return Integer.parseInt(m.group(1));
    }
}
