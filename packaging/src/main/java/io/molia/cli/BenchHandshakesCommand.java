package io.molia.cli;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.molia.loadgen.Handshakes;
import io.molia.options.DoubleRange;
import io.molia.options.IntRange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code molia bench handshakes}: parses, runs {@link Handshakes}, renders text or one JSON object. */
@Command(name = "handshakes", mixinStandardHelpOptions = true,
        description = {"Cold sessions per second, each from a fresh identity; node CPU per handshake.",
            "Identities are generated before the clock starts; C handshakes outstanding, each a Molia initiation "
                + "whose PING must be answered. Exit 3 if none completed."})
final class BenchHandshakesCommand implements Callable<Integer> {
    /** 1..{@link Handshakes#MAX_CONCURRENCY} handshakes outstanding. */
    static final class Concurrency extends IntRange {
        Concurrency() {
            super(1, Handshakes.MAX_CONCURRENCY);
        }
    }

    @Mixin
    MeasuredNode node;

    @Option(names = "--count", defaultValue = "20000", converter = IntRange.Positive.class,
            description = "Handshakes (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--warmup", defaultValue = "2000", converter = IntRange.NonNegative.class,
            description = "Unmeasured handshakes first, for the JIT (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--concurrency", defaultValue = "64", converter = Concurrency.class,
            description = "Handshakes outstanding, each on its own source port (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--duration", defaultValue = "30", converter = DoubleRange.Positive.class,
            description = "Stop after this many seconds (default ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Send from this local address (e.g. 127.0.0.2: "
            + "on loopback, another host as the node's per-address limits see it). Default: the target's.")
    InetAddress bind;

    @Override
    public Integer call() throws Exception {
        Handshakes.Result r = new Handshakes(new Handshakes.Plan(node.target, count, warmup, concurrency,
                duration, node.nodePid, bind)).run();
        if (node.json) {
            System.out.println(new ObjectMapper().writeValueAsString(toJson(r)));
        } else {
            System.out.printf("%d started, %d completed in %.1f s: %.0f handshakes/s%n", r.started(), r.completed(),
                    r.seconds(), r.completedPerSecond());
            System.out.printf("failed %d, timed out %d, cookie replies %d (each answered at once with mac2), "
                    + "puzzle replies %d (each answered at once, solved), unfinished at the end %d%n", r.failed(),
                    r.timedOut(), r.cookieReplies(), r.puzzleReplies(), r.unfinished());
            System.out.printf("latency P50 %.0f us, P99 %.0f us%n", r.p50Micros(), r.p99Micros());
            if (node.nodePid > 0) {
                System.out.printf("node: %.1f us CPU per completed handshake (%.0f per CPU-second), RSS %d KiB before,"
                        + " %d KiB after%n", r.nodeCpuMicrosPerHandshake(), r.perNodeCpuSecond(), r.nodeRssBeforeKiB(),
                        r.nodeRssAfterKiB());
            }
            System.out.printf("load generator: %.1f us CPU per completed handshake%n", r.ownCpuMicrosPerHandshake());
        }
        return r.completed() > 0 ? 0 : 3;
    }

    private static Map<String, Object> toJson(Handshakes.Result r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("started", r.started());
        out.put("completed", r.completed());
        out.put("failed", r.failed());
        out.put("timed_out", r.timedOut());
        out.put("cookie_replies", r.cookieReplies());
        out.put("puzzle_replies", r.puzzleReplies());
        out.put("unfinished", r.unfinished());
        out.put("seconds", r.seconds());
        out.put("completed_per_second", r.completedPerSecond());
        out.put("p50_us", r.p50Micros());
        out.put("p99_us", r.p99Micros());
        out.put("node_cpu_us_per_handshake", r.nodeCpuMicrosPerHandshake());
        out.put("handshakes_per_node_cpu_second", r.perNodeCpuSecond());
        out.put("node_rss_kib_before", r.nodeRssBeforeKiB());
        out.put("node_rss_kib_after", r.nodeRssAfterKiB());
        out.put("own_cpu_us_per_handshake", r.ownCpuMicrosPerHandshake());
        return out;
    }
}
