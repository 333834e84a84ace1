package io.molia.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.molia.core.CoreConfig;
import io.molia.core.store.RecordsConfig;
import io.molia.options.DoubleRange;
import io.molia.options.DurationConverter;
import io.molia.options.IntRange;
import io.molia.sim.HtmlReport;
import io.molia.sim.LatencyMatrix;
import io.molia.sim.NatMix;
import io.molia.sim.NatOutcome;
import io.molia.sim.Partition;
import io.molia.sim.RecordWorkload;
import io.molia.sim.ReportRun;
import io.molia.sim.SimConfig;
import io.molia.sim.SimReport;
import io.molia.sim.Simulation;
import io.molia.sim.SybilAttack;
import io.molia.sim.SybilBehaviour;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code molia sim}: parses options, runs a {@link Simulation}, renders its {@link SimReport}. */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {"Simulate a Molia network on virtual time with real Internet RTTs, loss and churn.",
            "Deterministic: the same --seed prints the same figures (wall time and heap aside)."})
public final class SimCommand implements Callable<Integer> {
    /** At least two nodes: the rules {@link SimConfig} checks, refused while parsing. */
    static final class NodeCount extends IntRange {
        NodeCount() {
            super(2, Integer.MAX_VALUE);
        }
    }

    /** A fraction of the nodes replaced per simulated minute, 0..10. */
    static final class Churn extends DoubleRange {
        Churn() {
            super(0, true, 10, true);
        }
    }

    /** A share of the nodes, [0, 1). */
    static final class SybilFraction extends DoubleRange {
        SybilFraction() {
            super(0, true, 1, false);
        }
    }

    /** Proof-of-work bits the simulator searches for every identity: 0..24. */
    static final class SimPowBits extends IntRange {
        SimPowBits() {
            super(0, 24);
        }
    }

    /** A loss probability, [0, 1). */
    static final class Loss extends DoubleRange {
        Loss() {
            super(0, true, 1, false);
        }
    }

    @Option(names = "--nodes", defaultValue = "10000", converter = NodeCount.class,
            description = "Network size (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--lookups", defaultValue = "2000", converter = IntRange.NonNegative.class,
            description = "Measured lookups (default ${DEFAULT-VALUE}).")
    int lookups;

    @Option(names = "--churn", defaultValue = "0", converter = Churn.class,
            description = "Fraction of nodes replaced per simulated minute, e.g. 0.3 (default ${DEFAULT-VALUE}).")
    double churn;

    @Option(names = "--loss", defaultValue = "0", converter = Loss.class,
            description = "Datagram loss probability (default ${DEFAULT-VALUE}).")
    double loss;

    @Option(names = "--seed", defaultValue = "1", description = "Master seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--warmup", defaultValue = "60", converter = DoubleRange.NonNegative.class,
            description = "Simulated seconds of churn before the first measured lookup (default ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--duration", defaultValue = "100", converter = DoubleRange.Positive.class,
            description = "Simulated seconds over which the lookups are spread (default ${DEFAULT-VALUE}).")
    double durationSeconds;

    @Option(names = "--disjoint-paths", defaultValue = "" + CoreConfig.DEFAULT_DISJOINT_PATHS,
            converter = NodeCommand.DisjointPaths.class,
            description = "S/Kademlia d of record reads and writes (gets, puts, providers), 1 to k (20); 1: no "
                    + "disjoint paths. Plain lookups take one path, as on a node. Default ${DEFAULT-VALUE}, the "
                    + "node's.")
    int disjointPaths;

    @Option(names = "--sybil-fraction", converter = SybilFraction.class, paramLabel = "FRACTION",
            description = "Make this share of the nodes Sybils, e.g. 0.2: they pay the same proof of work as honest "
                    + "nodes (--pow-bits) and never churn. The measured lookups become gets of records stored on the "
                    + "k closest honest nodes before the window (half immutable, half mutable), checked byte for byte "
                    + "against what was stored. 0 runs the same gets without Sybils.")
    Double sybilFraction;

    @Option(names = "--sybil-near-target",
            description = "Grind each Sybil's ID to share log2(honest nodes) + 1 prefix bits with one of the keys the "
                    + "gets read (Sybils/k keys, k Sybils around each): closer than almost every honest node.")
    boolean sybilNearTarget;

    @Option(names = "--sybil-behaviour", defaultValue = "only-sybils", paramLabel = "BEHAVIOUR",
            description = "What Sybils do with requests: only-sybils (answer with other Sybils only, hide records, "
                    + "swallow writes), drop (never answer), wrong-value (as only-sybils, and answer reads with forged "
                    + "values and wrongly signed mutable records), slow (answer honestly, "
                    + SybilBehaviour.SLOW_ANSWER_MS + " ms late). Default ${DEFAULT-VALUE}.")
    String sybilBehaviour;

    @Option(names = "--eclipse",
            description = "Grind the Sybils' IDs into one honest node's buckets instead, on its own site (its "
                    + "proximity selection prefers them) and have them meet it; every measured get starts there. "
                    + "Reports the share of its table the Sybils hold at the start and the end.")
    boolean eclipse;

    @Option(names = "--pow-bits", defaultValue = "0", converter = SimPowBits.class,
            description = "With --sybil-fraction: the network's identity proof of work, searched for every identity "
                    + "(honest and Sybil) and checked on every contact, 0..24. The report also gives the attackers' "
                    + "cost at the public network's 25 bits. Default ${DEFAULT-VALUE}.")
    int powBits;

    @Option(names = "--handshake-rtt",
            description = "Charge a handshake round trip before the first request to each new peer "
                    + "(plain WireGuard), instead of Molia's one-round-trip initiation.")
    boolean handshakeRoundTrip;

    @Option(names = "--sessions",
            description = "Drive every node as the real node does: a shard with real WireGuard sessions between the "
                    + "wire and the protocol core (every datagram sealed, every handshake run; slower).")
    boolean sessions;

    @Option(names = "--partition", paramLabel = "FRACTION@START+DURATION",
            description = "Cut a region off for a while, then rejoin it: the FRACTION of the latency matrix's sites "
                    + "nearest one drawn from the seed, from START for DURATION simulated seconds since the run began "
                    + "(warm-up included), e.g. 0.2@80+30. Reports success before, during (inside, outside, across "
                    + "the cut) and after, and the time to 99 %% after the heal.")
    String partition;

    @Option(names = "--report", paramLabel = "DIR",
            description = "Also write DIR/report.html (self-contained, SVG plots: latency and finished CDFs, hops, "
                    + "success and latency over simulated time, requests per lookup) and DIR/run.json.")
    Path reportDir;

    @Option(names = "--compare", paramLabel = "RUN_JSON",
            description = "Overlay the run.json of an earlier --report on this run's page (repeatable).")
    List<Path> compare = new ArrayList<>();

    @Option(names = "--label", defaultValue = "this run",
            description = "This run's name on the report page and in its run.json (default '${DEFAULT-VALUE}').")
    String label;

    @Option(names = "--records", defaultValue = "0", converter = IntRange.NonNegative.class,
            description = "Record rounds spread over --duration: in each a random node publishes a signed mutable "
                    + "record and provides a key (to the k closest, acknowledged), then another node gets it and looks "
                    + "up the providers; their P50/P95/P99 are reported (docs/records.md). Default ${DEFAULT-VALUE}.")
    int records;

    @Option(names = "--records-check-after", defaultValue = "0", converter = DurationConverter.class,
            description = "With --records: every record stored is read again by a random node this long (virtual "
                    + "time, e.g. 10m, 60m) after its write, churn, republish and repair running meanwhile; the share "
                    + "still retrievable is reported. 0 checks nothing. Default ${DEFAULT-VALUE}.")
    java.time.Duration recordsCheckAfter;

    /** The node's record flags (--repair-interval etc.): the simulated nodes run what a node would. */
    @Mixin
    RecordOptions recordOptions;

    @Option(names = "--nat-share", paramLabel = "FRACTION",
            description = "Put this share of the nodes behind NATs of their own, e.g. 0.6 (types by --nat-mix); every "
                    + "node then runs the node's NAT traversal (observed addresses, dial-back probes, client mode, "
                    + "relay reservations). Reports classification and lookups from NATed vs public nodes.")
    Double natShare;

    @Option(names = "--nat-mix", defaultValue = NatMix.DEFAULT_MIX, paramLabel = "F/A/P/Y",
            description = "Percentages of the NATed nodes behind full cone / address-restricted / port-restricted / "
                    + "symmetric NATs, summing to 100 (default ${DEFAULT-VALUE}).")
    String natMix;

    @Option(names = "--nat-timeout", defaultValue = "" + NatMix.DEFAULT_MAPPING_TIMEOUT_SECONDS,
            converter = DoubleRange.Positive.class, paramLabel = "SECONDS",
            description = "Idle seconds after which a NAT forgets a mapping (default ${DEFAULT-VALUE}).")
    double natTimeout;

    @Option(names = "--json", description = "One JSON object instead of the table.")
    boolean json;

    @Option(names = "--no-progress", description = "No progress bar on stderr.")
    boolean noProgress;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The adversary the flags describe, or null; Sybil flags without --sybil-fraction are a usage error. */
    private SybilAttack sybilAttack() {
        if (sybilFraction == null) {
            if (sybilNearTarget || eclipse || powBits != 0 || !"only-sybils".equals(sybilBehaviour)) {
                throw new IllegalArgumentException("--sybil-near-target, --sybil-behaviour, --eclipse and --pow-bits "
                        + "describe the Sybils of --sybil-fraction: give it too");
            }
            return null;
        }
        return new SybilAttack(sybilFraction, sybilNearTarget, SybilBehaviour.parse(sybilBehaviour), eclipse, powBits);
    }

    /** The NATs the flags describe, or null; NAT flags without --nat-share are a usage error. */
    private NatMix natMix() {
        if (natShare == null) {
            if (!NatMix.DEFAULT_MIX.equals(natMix) || natTimeout != NatMix.DEFAULT_MAPPING_TIMEOUT_SECONDS) {
                throw new IllegalArgumentException("--nat-mix and --nat-timeout describe the NATs of --nat-share: "
                        + "give it too");
            }
            return null;
        }
        return NatMix.parse(natShare, natMix, natTimeout);
    }

    @Override
    public Integer call() throws Exception {
        RecordsConfig recordsConfig = recordOptions.recordsConfig(spec.commandLine()); // a bad value: exit 2
        SimConfig config;
        Simulation simulation;
        List<ReportRun> runs = new ArrayList<>();
        try {
            config = new SimConfig(nodes, lookups, churn, loss, seed, warmupSeconds, durationSeconds, 1, 10,
                    handshakeRoundTrip, sessions, CoreConfig.defaults().withDisjointPaths(disjointPaths),
                    partition == null ? null : Partition.parse(partition), sybilAttack());
            if (!compare.isEmpty() && reportDir == null) {
                throw new IllegalArgumentException("--compare overlays runs on the page --report DIR writes: give "
                        + "--report too");
            }
            for (Path other : compare) {
                runs.add(ReportRun.read(other));
            }
            simulation = new Simulation(config, LatencyMatrix.planetLab());
            simulation.withNats(natMix());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage()); // a usage error: exit 2
        }
        ProgressBar bar = new ProgressBar(System.err, "lookups", lookups, !noProgress && System.console() != null);
        simulation.onProgress(bar::update);
        if (!recordsCheckAfter.isZero() && records == 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--records-check-after reads back the "
                    + "records of --records: give it too");
        }
        simulation.withRecords(records, recordsCheckAfter.toNanos());
        // the defaults leave the cores as they are: a run without these flags keeps its trace
        simulation.withRecordsConfig(recordsConfig.equals(RecordsConfig.defaults()) ? null : recordsConfig);
        SimReport report = simulation.run();
        bar.finish();
        RecordWorkload.Figures recordFigures = simulation.recordFigures();
        NatOutcome natOutcome = simulation.natOutcome();
        PrintStream out = System.out;
        if (json) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>(report.toJsonMap());
            if (recordFigures != null) {
                m.put("records", recordFigures.toJsonMap());
            }
            if (natOutcome != null) {
                m.put("nat", natOutcome.toJsonMap());
            }
            out.println(new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
        } else {
            out.print(report.toTable());
            if (recordFigures != null) {
                out.print(recordFigures.toTable());
            }
            if (natOutcome != null) {
                out.print(natOutcome.toTable());
            }
        }
        if (reportDir != null) {
            ReportRun run = ReportRun.of(label, report);
            runs.add(run);
            try {
                run.write(reportDir);
                Files.writeString(reportDir.resolve("report.html"), HtmlReport.render(runs), StandardCharsets.UTF_8);
            } catch (IOException | UncheckedIOException e) {
                System.err.println("molia: cannot write the report to " + reportDir + ": " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }
}
