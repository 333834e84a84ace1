package io.molia.cli;

import java.util.concurrent.Callable;

import io.molia.loadgen.Flood;
import io.molia.loadgen.Garbage;
import io.molia.node.MoliaAddress;
import io.molia.options.DoubleRange;
import io.molia.options.IntRange;
import io.molia.options.LongRange;
import io.molia.options.MoliaAddressConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code molia bench}: load generators that run in their own process against a running node. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure a running node.",
        subcommands = {BenchCommand.FloodCommand.class, BenchCommand.GarbageCommand.class, BenchLookupsCommand.class,
            BenchHandshakesCommand.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** What a flood asks: ping or find. */
    static final class Query implements picocli.CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String text) {
            if (!text.equals("ping") && !text.equals("find")) {
                throw new picocli.CommandLine.TypeConversionException("expected ping or find, got '" + text + "'");
            }
            return text;
        }
    }

    @Command(name = "flood", mixinStandardHelpOptions = true,
            description = {"Real sessions keeping C requests outstanding; requests/s, latency, node CPU per request.",
                "Exit 3 if the node answered none."})
    static final class FloodCommand implements Callable<Integer> {
        @Mixin
        MeasuredNode node;

        @Option(names = "--requests", defaultValue = "200000", converter = LongRange.Positive.class,
                description = "Requests to send (default ${DEFAULT-VALUE}).")
        long requests;

        @Option(names = "--duration", defaultValue = "30", converter = DoubleRange.Positive.class,
                description = "Stop after this many seconds (default ${DEFAULT-VALUE}).")
        double duration;

        @Option(names = "--concurrency", defaultValue = "256", converter = IntRange.Positive.class,
                description = "Requests outstanding (default ${DEFAULT-VALUE}).")
        int concurrency;

        @Option(names = "--sessions", defaultValue = "32", converter = IntRange.Positive.class,
                description = "Sessions (identities, source ports).")
        int sessions;

        @Option(names = "--query", defaultValue = "find", converter = Query.class,
                description = "ping or find (default ${DEFAULT-VALUE}).")
        String query;

        @Option(names = "--warmup", defaultValue = "20000", converter = LongRange.NonNegative.class,
                description = "Unmeasured requests first.")
        long warmup;

        @Option(names = "--threads", defaultValue = "1", converter = IntRange.Positive.class,
                description = "Generator threads, each with its own sessions and sockets; the sessions, requests and "
                        + "concurrency are shared out (default ${DEFAULT-VALUE}). To measure one node core, pin the "
                        + "node and the generator apart with taskset: docs/benchmarks.md.")
        int threads;

        @Override
        public Integer call() throws Exception {
            Flood.Result r = new Flood(new Flood.Plan(node.target, requests, duration, concurrency, sessions,
                    query.equals("find"), warmup, node.nodePid, threads)).run();
            if (node.json) {
                System.out.printf("{\"sent\":%d,\"answered\":%d,\"unanswered\":%d,\"seconds\":%.3f,"
                        + "\"answered_per_second\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
                        + "\"node_cpu_us_per_request\":%.2f,\"node_rss_kib\":%d,\"own_cpu_us_per_request\":%.2f,"
                        + "\"node_cores\":%.3f}%n",
                        r.sent(), r.answered(), r.unanswered(), r.seconds(), r.answeredPerSecond(), r.p50Micros(),
                        r.p99Micros(), r.nodeCpuMicrosPerRequest(), r.nodeRssKiB(), r.ownCpuMicrosPerRequest(),
                        r.nodeCores());
            } else {
                System.out.printf("%d sent, %d answered (%.2f%% unanswered) in %.1f s: %.0f answered/s%n",
                        r.sent(), r.answered(), 100.0 * r.unanswered() / Math.max(1, r.sent()), r.seconds(),
                        r.answeredPerSecond());
                System.out.printf("latency P50 %.0f us, P99 %.0f us%n", r.p50Micros(), r.p99Micros());
                if (node.nodePid > 0) {
                    System.out.printf("node: %.2f us CPU per answered request (%.0f requests/s per node core), "
                            + "%.2f cores busy, RSS %d KiB%n", r.nodeCpuMicrosPerRequest(),
                            1e6 / r.nodeCpuMicrosPerRequest(), r.nodeCores(), r.nodeRssKiB());
                }
                System.out.printf("load generator: %.2f us CPU per answered request%n", r.ownCpuMicrosPerRequest());
            }
            if (r.answered() == 0) {
                // Rates and costs per answered request of nothing answered measure nothing: not a pass.
                System.err.println("molia bench flood: the node answered none of " + r.sent() + " requests");
                return 3;
            }
            return 0;
        }
    }

    @Command(name = "garbage", mixinStandardHelpOptions = true,
            description = {"Hostile datagrams from one source (random, bad headers, edited and truncated initiations,",
                "oversized), then a real session's pings. Exit 3 if the node answered any garbage or stopped serving."})
    static final class GarbageCommand implements Callable<Integer> {
        @Option(names = "--target", required = true, converter = MoliaAddressConverter.class,
                description = "molia://<key>@host:port of the node.")
        MoliaAddress target;

        @Option(names = "--packets", defaultValue = "100000", converter = LongRange.Positive.class,
                description = "Datagrams to send (default ${DEFAULT-VALUE}).")
        long packets;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of the datagrams (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--node-pid", defaultValue = "0", converter = LongRange.NonNegative.class,
                description = "The node's PID, to report its RSS.")
        long nodePid;

        @Override
        public Integer call() throws Exception {
            Garbage.Result r = new Garbage(new Garbage.Plan(target, packets, seed, nodePid)).run();
            for (Garbage.Kind kind : Garbage.Kind.values()) {
                System.out.printf("%-22s %10d sent%n", kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
                        r.sentByKind()[kind.ordinal()]);
            }
            System.out.printf("replies to garbage: %d%nhonest pings answered afterwards: %d of %d%n", r.replies(),
                    r.honestAnswered(), r.honestSent());
            if (nodePid > 0) {
                System.out.printf("node RSS: %d KiB before, %d KiB after%n", r.rssBeforeKiB(), r.rssAfterKiB());
            }
            return r.passed() ? 0 : 3;
        }
    }
}
