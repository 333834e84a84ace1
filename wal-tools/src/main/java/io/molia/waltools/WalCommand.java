package io.molia.waltools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.molia.wal.WalFormat;
import io.molia.wal.WalLayout;
import io.molia.wal.WalScanner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code molia wal}: offline tools over a node's WAL. Each subcommand parses and renders; the work is in the
 * library classes of this package. Exit codes: 0 success (verify: clean), 1 the work failed, 2 bad usage, 3 verify
 * found problems. Every command but {@code dump} refuses a data dir a running node holds.
 */
@Command(name = "wal", mixinStandardHelpOptions = true, description = "Inspect, verify, replay and compact a WAL.",
        subcommands = {WalCommand.Dump.class, WalCommand.Verify.class, WalCommand.Replay.class,
            WalCommand.Compact.class, WalCommand.Stats.class, WalCommand.Bench.class})
public final class WalCommand implements Runnable {
    /** Exit code of {@code verify} when it found problems. */
    public static final int PROBLEMS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = "Print entries, one line (or one JSON object) each. Reads only: works on a live node too.")
    static final class Dump implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "DIR", description = "A data dir, its wal/ dir, a shard-N dir or a gen-N queue dir.")
        Path dir;

        @Option(names = "--shard", description = "Only this shard.")
        Integer shard;

        @Option(names = "--from", defaultValue = "0", description = "First Chronicle index (hex with 0x, or decimal).")
        String from;

        @Option(names = "--limit", defaultValue = "" + Long.MAX_VALUE, description = "At most this many entries.")
        long limit;

        @Option(names = "--type", description = "Only entries of this type: header, record_put, record_delete, "
                + "record_expire, peer_add, peer_remove, peer_score.")
        String type;

        @Option(names = "--follow", description = "Keep printing entries as they are appended (Ctrl-C stops).")
        boolean follow;

        @Option(names = "--json", description = "One JSON object per entry.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            int t = -1;
            if (type != null) {
                t = WalFormat.typeOf(type);
                if (t < 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--type: unknown type '" + type
                            + "'");
                }
            }
            WalLayout.Target target = WalLayout.resolve(dir);
            WalDumper dumper = new WalDumper(System.out, System.err);
            WalDumper.Options o = new WalDumper.Options(shard, parseIndex(from, "--from"), limit, t, json);
            if (follow) {
                dumper.follow(target, o);
                return 0;
            }
            int problems = dumper.dump(target, o);
            return problems == 0 ? 0 : PROBLEMS;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Check every entry's checksum, version "
            + "and sequence and every snapshot; exit 0 only when clean, else one line per problem.")
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "A data dir, its wal/ dir or a shard-N dir.")
        Path dir;

        @Option(names = "--json", description = "One JSON object.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            WalLayout.Target target = WalTarget.resolveIdle(dir);
            Progress progress = Progress.onTerminal("verify");
            List<WalVerifier.ShardReport> reports = new WalVerifier().verify(target, progress);
            progress.finish();
            boolean clean = true;
            ArrayNode all = JSON.createArrayNode();
            for (WalVerifier.ShardReport r : reports) {
                clean &= r.problems().isEmpty();
                if (json) {
                    ObjectNode n = all.addObject();
                    n.put("shard", r.shard());
                    n.put("entries", r.entries());
                    n.put("last_sequence", r.lastSequence());
                    n.put("digest", r.digest());
                    n.put("clean", r.problems().isEmpty());
                    ArrayNode ps = n.putArray("problems");
                    for (WalScanner.Problem p : r.problems()) {
                        ps.add(p.toString());
                    }
                } else {
                    for (WalScanner.Problem p : r.problems()) {
                        System.out.println(p);
                    }
                    System.out.printf("shard %d: %s, %d entries, last sequence %d, generations %s, snapshots %s%n",
                            r.shard(), r.problems().isEmpty() ? "clean" : r.problems().size() + " problem(s)",
                            r.entries(), r.lastSequence(), r.generations(), r.snapshots());
                }
            }
            if (json) {
                ObjectNode root = JSON.createObjectNode();
                root.put("clean", clean);
                root.set("shards", all);
                System.out.println(root);
            }
            if (reports.isEmpty()) {
                System.err.println("molia wal verify: no shard found under " + dir);
                return PROBLEMS;
            }
            return clean ? 0 : PROBLEMS;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, description = "Rebuild the state offline with the "
            + "node's own code; print counts and the store digest (as a live node reports it).")
    static final class Replay implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "A data dir, its wal/ dir or a shard-N dir.")
        Path dir;

        @Option(names = "--shard", description = "Only this shard.")
        Integer shard;

        @Option(names = "--until", description = "Stop after this Chronicle index (0x… or decimal), or at this time "
                + "(ISO-8601, e.g. 2026-11-27T14:00:00Z; entries carry the time of the last header or record_put).")
        String until;

        @Option(names = "--json", description = "One JSON object.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            long untilIndex = Long.MAX_VALUE;
            long untilMs = Long.MAX_VALUE;
            if (until != null) {
                if (until.contains("T")) {
                    try {
                        untilMs = Instant.parse(until).toEpochMilli();
                    } catch (DateTimeParseException e) {
                        throw new IllegalArgumentException("--until: not an ISO-8601 time: '" + until + "'");
                    }
                } else {
                    untilIndex = parseIndex(until, "--until");
                }
            }
            WalLayout.Target target = WalTarget.resolveIdle(dir);
            Progress progress = Progress.onTerminal("replay");
            List<WalReplayer.ShardResult> results = new WalReplayer().replay(target, shard, untilIndex, untilMs,
                    progress);
            progress.finish();
            boolean clean = true;
            ArrayNode all = JSON.createArrayNode();
            for (WalReplayer.ShardResult r : results) {
                clean &= r.problems().isEmpty();
                if (json) {
                    ObjectNode n = all.addObject();
                    n.put("shard", r.shard());
                    n.put("entries_applied", r.entriesApplied());
                    ObjectNode types = n.putObject("entries_by_type");
                    for (int t = 0; t < r.byType().length; t++) {
                        types.put(WalFormat.typeName(t), r.byType()[t]);
                    }
                    n.put("records", r.records());
                    n.put("record_bytes", r.recordBytes());
                    n.put("peers", r.peers());
                    n.put("last_sequence", r.lastSequence());
                    n.put("digest", r.digest());
                    n.put("seconds", r.seconds());
                    n.put("cpu_seconds", r.cpuSeconds());
                    ArrayNode ps = n.putArray("problems");
                    r.problems().forEach(p -> ps.add(p.toString()));
                } else {
                    r.problems().forEach(p -> System.err.println("problem: " + p));
                    StringBuilder types = new StringBuilder();
                    for (int t = 0; t < r.byType().length; t++) {
                        if (r.byType()[t] > 0) {
                            types.append(types.length() == 0 ? "" : ", ").append(WalFormat.typeName(t)).append(' ')
                                    .append(r.byType()[t]);
                        }
                    }
                    System.out.printf("shard %d: %d entries applied (%s) in %.2f s (%.2f s CPU); %d records (%d "
                            + "value bytes), %d peers, last sequence %d%nshard %d digest %s%n", r.shard(),
                            r.entriesApplied(), types, r.seconds(), r.cpuSeconds(), r.records(), r.recordBytes(), r.peers(), r.lastSequence(), r.shard(),
                            r.digest());
                }
            }
            if (json) {
                System.out.println(all.size() == 1 ? all.get(0) : all);
            }
            return clean ? 0 : PROBLEMS;
        }
    }

    @Command(name = "compact", mixinStandardHelpOptions = true, description = "Replace the WAL by one snapshot and a "
            + "fresh queue; the store digest before and after must match.")
    static final class Compact implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "DIR", description = "A data dir.")
        Path dir;

        @Option(names = "--out", description = "Write the compacted data dir here (the original stays untouched).")
        Path out;

        @Option(names = "--in-place", description = "Replace the WAL in DIR; the old one is kept as wal.backup until "
                + "the result verified.")
        boolean inPlace;

        @Option(names = "--json", description = "One JSON object per shard.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if ((out == null) == !inPlace) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give either --out DIR or --in-place");
            }
            WalLayout.Target target = WalLayout.resolve(dir);
            Progress progress = Progress.onTerminal("compact");
            WalCompactor compactor = new WalCompactor();
            List<WalCompactor.ShardResult> results = inPlace ? compactor.compactInPlace(target, progress)
                    : compactor.compactTo(target, out, progress);
            progress.finish();
            for (WalCompactor.ShardResult r : results) {
                if (json) {
                    ObjectNode n = JSON.createObjectNode();
                    n.put("shard", r.shard());
                    n.put("entries_before", r.entriesBefore());
                    n.put("generation_covered", r.generationCovered());
                    n.put("records", r.records());
                    n.put("peers", r.peers());
                    n.put("bytes_before", r.bytesBefore());
                    n.put("bytes_after", r.bytesAfter());
                    n.put("digest_before", r.digestBefore());
                    n.put("digest_after", r.digestAfter());
                    n.put("seconds", r.seconds());
                    System.out.println(n);
                } else {
                    System.out.printf("shard %d: %d entries -> snapshot of %d records, %d peers (generations "
                            + "1..%d) in %.2f s; digest %s before and after%n", r.shard(), r.entriesBefore(),
                            r.records(), r.peers(), r.generationCovered(), r.seconds(), r.digestAfter());
                }
            }
            return 0;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Entries per type, size, generations and time span, per shard.")
    static final class Stats implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "A data dir, its wal/ dir, a shard-N dir or a gen-N queue dir.")
        Path dir;

        @Option(names = "--json", description = "One JSON object per shard.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            WalLayout.Target target = WalTarget.resolveIdle(dir);
            Progress progress = Progress.onTerminal("stats");
            List<WalStats.ShardStats> stats = new WalStats().stats(target, progress);
            progress.finish();
            for (WalStats.ShardStats s : stats) {
                if (json) {
                    ObjectNode n = JSON.createObjectNode();
                    n.put("shard", s.shard());
                    n.put("entries", s.entries());
                    ObjectNode types = n.putObject("entries_by_type");
                    for (int t = 0; t < s.entriesByType().length; t++) {
                        types.put(WalFormat.typeName(t), s.entriesByType()[t]);
                    }
                    n.put("entry_bytes", s.entryBytes());
                    n.put("disk_bytes", s.diskBytes());
                    n.put("generations", s.generations().toString());
                    n.put("snapshots", s.snapshots().toString());
                    n.put("first_time", s.entries() == 0 ? "" : Instant.ofEpochMilli(s.firstWallMs()).toString());
                    n.put("last_time", s.entries() == 0 ? "" : Instant.ofEpochMilli(s.lastWallMs()).toString());
                    n.put("first_sequence", s.firstSequence());
                    n.put("last_sequence", s.lastSequence());
                    n.put("problems", s.problems());
                    System.out.println(n);
                } else {
                    System.out.printf("shard %d: %d entries, %d entry bytes, %d bytes on disk, "
                            + "generations %s, snapshots %s%n", s.shard(), s.entries(), s.entryBytes(), s.diskBytes(),
                            s.generations(), s.snapshots());
                    for (int t = 0; t < s.entriesByType().length; t++) {
                        if (s.entriesByType()[t] > 0) {
                            System.out.printf("  %-14s %d%n", WalFormat.typeName(t), s.entriesByType()[t]);
                        }
                    }
                    if (s.entries() > 0) {
                        System.out.printf("  time span      %s .. %s%n  sequences      %d .. %d%n",
                                Instant.ofEpochMilli(s.firstWallMs()), Instant.ofEpochMilli(s.lastWallMs()),
                                s.firstSequence(), s.lastSequence());
                    }
                    if (s.problems() > 0) {
                        System.out.printf("  problems       %d (run molia wal verify)%n", s.problems());
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure the WAL on this machine: cost "
            + "per acknowledged write (each --wal-sync), replay, compaction, bytes per record.")
    static final class Bench implements Callable<Integer> {
        @Option(names = "--dir", required = true, description = "A scratch directory (created; must not exist).")
        Path dir;

        @Option(names = "--records", defaultValue = "1000000", description = "Writes (default ${DEFAULT-VALUE}).")
        int records;

        @Option(names = "--value-bytes", defaultValue = "100", description = "Value size (default ${DEFAULT-VALUE}).")
        int valueBytes;

        @Option(names = "--sync-writes", defaultValue = "2000",
                description = "Writes measured with batch/always sync (default ${DEFAULT-VALUE}).")
        int syncWrites;

        @Option(names = "--json", description = "One JSON object with the figures.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(dir)) {
                throw new IllegalArgumentException("--dir " + dir + " exists; give a new scratch directory");
            }
            Map<String, Double> figures = new WalBench(json ? new java.io.PrintStream(
                    java.io.OutputStream.nullOutputStream()) : System.out).run(dir, records, valueBytes, syncWrites);
            if (json) {
                System.out.println(JSON.writeValueAsString(figures));
            }
            return 0;
        }
    }

    static long parseIndex(String text, String option) {
        try {
            return text.startsWith("0x") ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": expected an index (0x… or decimal), got '" + text + "'");
        }
    }
}
