package io.molia.waltools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.molia.contact.NodeId;
import io.molia.wal.ShardWal;
import io.molia.wal.WalClock;
import io.molia.wal.WalLayout;
import io.molia.wal.WalSync;

/**
 * {@code molia wal bench}: the figures of docs/benchmarks.md "Durable state", measured with the node's own writer
 * and reader in a scratch data dir: added cost per acknowledged write for each sync policy, replay speed,
 * compaction speed, bytes per record. Prints what it measured; asserts nothing.
 */
public final class WalBench {
    private final PrintStream out;

    public WalBench(PrintStream out) {
        this.out = out;
    }

    /** Runs every measurement in {@code dir} (created, left for inspection); returns the figures by name. */
    public Map<String, Double> run(Path dir, int records, int valueBytes, int syncWrites) throws IOException {
        Map<String, Double> f = new LinkedHashMap<>();
        WalClock clock = WalClock.system();
        SplittableRandom random = new SplittableRandom(42);
        byte[][] values = new byte[1024][];
        for (int i = 0; i < values.length; i++) {
            values[i] = new byte[valueBytes];
            random.nextBytes(values[i]);
        }
        NodeId[] keys = new NodeId[records];
        for (int i = 0; i < records; i++) {
            keys[i] = new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
        }
        // 1. page cache (--wal-sync none): the journal call a STORE waits for, warmed first
        Path none = dir.resolve("none");
        Path noneShard = WalLayout.shardDir(none, 0);
        long appendedBytes;
        try (ShardWal wal = new ShardWal(0, noneShard, WalSync.NONE, clock, 1, 1)) {
            int warm = Math.min(records, 200_000);
            try (ShardWal w = new ShardWal(0, WalLayout.shardDir(dir.resolve("warmup"), 0), WalSync.NONE, clock, 1,
                    1)) {
                for (int i = 0; i < warm; i++) {
                    w.onRecordPut(keys[i], values[i & 1023], i, i + 3_600_000_000_000L);
                }
            }
            WalCompactor.deleteTree(dir.resolve("warmup"));
            long cpu0 = cpuNs();
            long t0 = System.nanoTime();
            for (int i = 0; i < records; i++) {
                wal.onRecordPut(keys[i], values[i & 1023], i, i + 3_600_000_000_000L);
            }
            long ns = System.nanoTime() - t0;
            f.put("append_none_ns_per_write", (double) ns / records);
            f.put("append_none_cpu_ns_per_write", (double) (cpuNs() - cpu0) / records);
            appendedBytes = wal.bytesAppended();
        }
        f.put("entry_bytes_per_record", (double) appendedBytes / records);
        f.put("queue_disk_bytes_per_record", (double) diskBytes(noneShard) / records);
        out.printf("append, --wal-sync none:   %8.0f ns per acknowledged write, %.0f ns CPU (%d writes, %d-byte "
                + "values)%n", f.get("append_none_ns_per_write"), f.get("append_none_cpu_ns_per_write"), records,
                valueBytes);
        // 2. --wal-sync batch: one msync per event-loop turn of 16 writes; 3. always: one per write
        for (WalSync sync : List.of(WalSync.BATCH, WalSync.ALWAYS)) {
            Path d = WalLayout.shardDir(dir.resolve(sync.name().toLowerCase()), 0);
            try (ShardWal wal = new ShardWal(0, d, sync, clock, 1, 1)) {
                long t0 = System.nanoTime();
                for (int i = 0; i < syncWrites; i++) {
                    wal.onRecordPut(keys[i], values[i & 1023], i, i + 3_600_000_000_000L);
                    if ((i & 15) == 15) {
                        wal.beforeTransmit();
                    }
                }
                wal.beforeTransmit();
                long ns = System.nanoTime() - t0;
                String name = "append_" + sync.name().toLowerCase() + "_ns_per_write";
                f.put(name, (double) ns / syncWrites);
                out.printf("append, --wal-sync %-6s %8.0f ns per acknowledged write (%d writes, %d syncs)%n",
                        sync.name().toLowerCase() + ":", f.get(name), syncWrites, wal.syncs());
            }
        }
        // 4. replay of the page-cache WAL with the node's own code
        WalLayout.Target target = WalLayout.resolve(none);
        WalReplayer.ShardResult r = new WalReplayer().replayShard(0, noneShard, Long.MAX_VALUE, Long.MAX_VALUE,
                new Progress(out, "replay", false));
        f.put("replay_entries_per_s", r.entriesApplied() / r.seconds());
        f.put("replay_entries_per_cpu_s", r.entriesApplied() / r.cpuSeconds());
        out.printf("replay:                    %8.2f M entries/s wall, %.2f M per CPU-second (%d entries, %.2f s, "
                + "%.2f s CPU; digest %s…)%n", f.get("replay_entries_per_s") / 1e6,
                f.get("replay_entries_per_cpu_s") / 1e6, r.entriesApplied(), r.seconds(), r.cpuSeconds(),
                r.digest().substring(0, 16));
        // 5. compaction into a new dir: replay + snapshot + fresh queue + verification replay
        WalCompactor.ShardResult c = new WalCompactor().compactTo(target, dir.resolve("compacted"),
                new Progress(out, "compact", false)).get(0);
        f.put("compact_entries_per_s", c.entriesBefore() / c.seconds());
        f.put("snapshot_bytes_per_record", (double) c.snapshotBytes() / c.records());
        out.printf("compaction:                %8.2f M entries/s (%d entries in %.2f s; snapshot %d bytes)%n",
                f.get("compact_entries_per_s") / 1e6, c.entriesBefore(), c.seconds(), c.snapshotBytes());
        out.printf("bytes per record:          %8.1f entry, %.1f queue on disk, %.1f snapshot (%d-byte values)%n",
                f.get("entry_bytes_per_record"), f.get("queue_disk_bytes_per_record"),
                f.get("snapshot_bytes_per_record"), valueBytes);
        return f;
    }

    private static long cpuNs() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /** Bytes the file system allocated ({@code du}), not the apparent size: Chronicle pre-sizes files sparsely. */
    static long diskBytes(Path dir) throws IOException {
        try {
            Process p = new ProcessBuilder("du", "-s", "--block-size=1", dir.toString()).redirectErrorStream(true)
                    .start();
            String line = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() == 0) {
                return Long.parseLong(line.split("\\s+")[0]);
            }
        } catch (IOException | NumberFormatException e) {
            // no du here: fall back to apparent sizes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return WalCompactor.sizeOf(dir);
    }
}
