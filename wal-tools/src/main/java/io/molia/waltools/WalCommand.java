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
 * found problems. The commands that write ({@code compact}, {@code salvage}) refuse a data dir a running node holds;
 * the ones that only read read it as it is and say so.
 */
@Command(name = "wal", mixinStandardHelpOptions = true, description = "Inspect, verify, replay and compact a WAL.",
        subcommands = {WalCommand.Dump.class, WalCommand.Verify.class, WalCommand.Replay.class,
            WalCommand.Compact.class, WalCommand.Salvage.class, WalCommand.Stats.class, WalCommand.Bench.class})
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
            if (limit < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit: must be 0 or more, got "
                        + limit);
            }
            int t = -1;
            if (type != null) {
                t = WalFormat.typeOf(type);
                if (t < 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--type: unknown type '" + type
                            + "'");
                }
            }
            WalTarget.Reading reading = WalTarget.resolveForReading(dir);
            WalLayout.Target target = reading.target();
            checkShard(spec, target, shard);
            long fromIndex = parseIndex(from, "--from");
            if (fromIndex < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--from: must be an index of 0 or more, "
                        + "got " + from);
            }
            WalDumper dumper = new WalDumper(System.out, System.err, reading.live());
            WalDumper.Options o = new WalDumper.Options(shard, fromIndex, limit, t, json);
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
            WalTarget.Reading reading = WalTarget.resolveForReading(dir);
            Progress progress = Progress.onTerminal("verify");
            List<WalVerifier.ShardReport> reports = WalTarget.readSteadily(reading, () -> new WalVerifier(
                    reading.live()).verify(reading.target(), progress));
            progress.finish();
            if (reading.live() && !json) {
                System.out.println(reading.liveNote());
            }
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
                        ps.add(json(p));
                    }
                } else {
                    for (WalScanner.Problem p : r.problems()) {
                        System.out.println(p);
                    }
                    System.out.printf("shard %d: %s, %d entr%s, last sequence %d, generations %s, snapshots %s%n",
                            r.shard(), r.problems().isEmpty() ? "clean" : r.problems().size() + " problem(s)",
                            r.entries(), r.entries() == 1 ? "y" : "ies", r.lastSequence(), r.generations(),
                            r.snapshots());
                }
            }
            if (json) {
                ObjectNode root = JSON.createObjectNode();
                root.put("clean", clean);
                root.put("node_running", reading.holder());
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
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

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
                    if (untilIndex < 0) {
                        throw new CommandLine.ParameterException(spec.commandLine(), "--until: must be an index of 0 "
                                + "or more, got " + until);
                    }
                }
            }
            WalTarget.Reading reading = WalTarget.resolveForReading(dir);
            checkShard(spec, reading.target(), shard);
            Progress progress = Progress.onTerminal("replay");
            long index = untilIndex;
            long ms = untilMs;
            List<WalReplayer.ShardResult> results = WalTarget.readSteadily(reading, () -> new WalReplayer(
                    reading.live()).replay(reading.target(), shard, index, ms, progress));
            progress.finish();
            if (reading.live() && !json) {
                System.out.println(reading.liveNote());
            }
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
                        if (WalFormat.isKnownType(t)) {
                            types.put(WalFormat.typeName(t), r.byType()[t]);
                        }
                    }
                    n.put("records", r.records());
                    n.put("record_bytes", r.recordBytes());
                    n.put("peers", r.peers());
                    n.put("last_sequence", r.lastSequence());
                    n.put("digest", r.digest());
                    n.put("seconds", r.seconds());
                    n.put("cpu_seconds", r.cpuSeconds());
                    n.put("node_running", reading.holder());
                    ArrayNode ps = n.putArray("problems");
                    r.problems().forEach(p -> ps.add(json(p)));
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
            WalTarget.Reading reading = WalTarget.resolveForReading(dir);
            Progress progress = Progress.onTerminal("stats");
            List<WalStats.ShardStats> stats = WalTarget.readSteadily(reading, () -> new WalStats(reading.live())
                    .stats(reading.target(), progress));
            progress.finish();
            if (reading.live() && !json) {
                System.out.println(reading.liveNote());
            }
            for (WalStats.ShardStats s : stats) {
                if (json) {
                    System.out.println(json(s, reading));
                    continue;
                }
                WalStats.SnapshotSummary snap = s.snapshot();
                System.out.printf("shard %d: %s%d WAL entr%s, %d entry bytes, %d bytes on disk, generations %s, "
                        + "snapshots %s%n", s.shard(), snap == null ? "" : snap.records() + " records and "
                        + snap.peers() + " peers in snapshot-" + String.format("%08d", snap.generation()) + ", then ",
                        s.entries(), s.entries() == 1 ? "y" : "ies", s.entryBytes(), s.diskBytes(), s.generations(),
                        s.snapshots());
                if (snap != null) {
                    System.out.printf("  snapshot       generations 1..%d, up to sequence %d, %d bytes%n",
                            snap.generation(), snap.lastSequence(), snap.bytes());
                    if (snap.republish() > 0) {
                        System.out.printf("  republish      %d records this node republishes as owner%n",
                                snap.republish());
                    }
                }
                for (int t = 0; t < s.entriesByType().length; t++) {
                    if (s.entriesByType()[t] > 0) {
                        System.out.printf("  %-14s %d%n", WalFormat.typeName(t), s.entriesByType()[t]);
                    }
                }
                if (s.entries() > 0) {
                    System.out.printf("  time span      %s .. %s%n", Instant.ofEpochMilli(s.firstWallMs()),
                            Instant.ofEpochMilli(s.lastWallMs()));
                }
                System.out.printf("  sequences      %s%n", s.firstSequence() < 0 ? "none after " + (snap == null
                        ? "the start" : "the snapshot") : s.firstSequence() + " .. " + s.lastSequence());
                if (s.problems() > 0) {
                    System.out.printf("  problems       %d (run molia wal verify)%n", s.problems());
                }
            }
            return 0;
        }

        private static ObjectNode json(WalStats.ShardStats s, WalTarget.Reading reading) {
            ObjectNode n = JSON.createObjectNode();
            n.put("shard", s.shard());
            WalStats.SnapshotSummary snap = s.snapshot();
            if (snap == null) {
                n.putNull("snapshot");
            } else {
                ObjectNode o = n.putObject("snapshot");
                o.put("generation", snap.generation());
                o.put("last_sequence", snap.lastSequence());
                o.put("records", snap.records());
                o.put("peers", snap.peers());
                o.put("republish", snap.republish());
                o.put("bytes", snap.bytes());
            }
            n.put("entries", s.entries());
            ObjectNode types = n.putObject("entries_by_type");
            for (int t = 0; t < s.entriesByType().length; t++) {
                if (WalFormat.isKnownType(t)) {
                    types.put(WalFormat.typeName(t), s.entriesByType()[t]);
                }
            }
            n.put("entry_bytes", s.entryBytes());
            n.put("disk_bytes", s.diskBytes());
            s.generations().forEach(n.putArray("generations")::add);
            s.snapshots().forEach(n.putArray("snapshots")::add);
            n.put("first_time", s.entries() == 0 ? null : Instant.ofEpochMilli(s.firstWallMs()).toString());
            n.put("last_time", s.entries() == 0 ? null : Instant.ofEpochMilli(s.lastWallMs()).toString());
            putSequence(n, "first_sequence", s.firstSequence());
            putSequence(n, "last_sequence", s.lastSequence());
            n.put("problems", s.problems());
            n.put("node_running", reading.holder());
            return n;
        }

        private static void putSequence(ObjectNode n, String name, long sequence) {
            if (sequence < 0) {
                n.putNull(name);
            } else {
                n.put(name, sequence);
            }
        }
    }

    @Command(name = "salvage", mixinStandardHelpOptions = true, description = "The way forward from a damaged WAL: "
            + "keep every entry that verifies, set the rest aside in a file (mode 0600) and say what was lost; the "
            + "node starts afterwards. The damaged wal/ is kept as wal.damaged-STAMP/.")
    static final class Salvage implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "A data dir (every shard is salvaged).")
        Path dir;

        @Option(names = "--json", description = "One JSON object.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            WalLayout.Target target = WalLayout.resolve(dir);
            Progress progress = Progress.onTerminal("salvage");
            WalSalvager.Result result = new WalSalvager().salvage(target, Instant.now(), progress);
            progress.finish();
            if (json) {
                ObjectNode root = JSON.createObjectNode();
                root.put("salvaged", !result.clean());
                root.put("set_aside_file", result.clean() ? null : result.setAsideFile().toString());
                root.put("damaged_wal", result.clean() ? null : result.damagedWal().toString());
                ArrayNode shards = root.putArray("shards");
                for (WalSalvager.ShardResult r : result.shards()) {
                    ObjectNode n = shards.addObject();
                    n.put("shard", r.shard());
                    n.put("entries_kept", r.entriesKept());
                    n.put("entries_found_in_damage", r.entriesFoundInDamage());
                    n.put("records", r.records());
                    n.put("peers", r.peers());
                    n.put("last_sequence", r.lastSequence());
                    n.put("digest", r.digest());
                    ArrayNode aside = n.putArray("set_aside");
                    for (WalScanner.Damage d : r.setAside()) {
                        ObjectNode a = aside.addObject();
                        a.put("generation", d.generation());
                        a.put("index", d.index());
                        a.put("file", d.file().toString());
                        a.put("from", d.from());
                        a.put("to", d.to());
                        a.put("entries_kept_from_it", d.kept());
                        a.put("why", d.why());
                    }
                    ArrayNode lost = n.putArray("lost_sequences");
                    r.lostSequences().forEach(l -> lost.addArray().add(l[0]).add(l[1]));
                    ArrayNode ps = n.putArray("problems");
                    r.problems().forEach(p -> ps.add(json(p)));
                }
                System.out.println(root);
                return 0;
            }
            if (result.clean()) {
                System.out.println("nothing to salvage: every entry of " + target.dataDir() + " verifies; nothing "
                        + "changed");
                return 0;
            }
            for (WalSalvager.ShardResult r : result.shards()) {
                System.out.println("shard " + r.shard() + ": " + WalSalvager.summary(r));
                for (WalScanner.Damage d : r.setAside()) {
                    System.out.println("  set aside: gen " + d.generation() + " bytes [" + d.from() + ", " + d.to()
                            + ") of " + target.dataDir().relativize(d.file()) + ": " + d.why());
                }
            }
            System.out.println("set aside, with where each byte came from: " + result.setAsideFile() + " (mode 0600)");
            System.out.println("the damaged WAL is kept as " + result.damagedWal() + " (delete it when you no longer "
                    + "need it); start the node: it starts from the salvaged WAL");
            return 0;
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure the WAL on this machine: cost "
            + "per acknowledged write (each --wal-sync), replay, compaction, bytes per record.")
    static final class Bench implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

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
            if (records < 1 || syncWrites < 1 || syncWrites > records || valueBytes < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), records < 1 ? "--records: must be 1 or "
                        + "more, got " + records : syncWrites < 1 || syncWrites > records ? "--sync-writes: must be 1 "
                        + "to --records (" + records + "), got " + syncWrites : "--value-bytes: must be 0 or more, got "
                        + valueBytes);
            }
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

    /** A problem as JSON: its fields, and the line verify prints. */
    static ObjectNode json(WalScanner.Problem p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("shard", p.shard());
        n.put("generation", p.generation() < 0 ? null : p.generation());
        n.put("index", p.index() < 0 ? null : p.index());
        n.put("sequence", p.sequence() < 0 ? null : p.sequence());
        n.put("message", p.message());
        n.put("line", p.toString());
        return n;
    }

    /** {@code --shard N} names a shard the target has, else a usage error listing the ones it has. */
    static void checkShard(CommandLine.Model.CommandSpec spec, WalLayout.Target target, Integer shard) {
        if (shard != null && !target.shards().containsKey(shard)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--shard: no shard " + shard + " in "
                    + target.dataDir() + " (shards: " + target.shards().keySet() + ")");
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
