package io.molia.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.molia.loadgen.Lookups;
import io.molia.node.MoliaAddress;
import io.molia.options.DoubleRange;
import io.molia.options.IntRange;
import io.molia.options.MoliaAddressConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code molia bench lookups}: parses, runs {@link Lookups}, renders text or one JSON object. */
@Command(name = "lookups", mixinStandardHelpOptions = true,
        description = {"A client node joins: N lookups of random keys, then N put/get pairs.",
            "Latency, hops and success per operation and per kind. Exit 3 if any operation failed or did not run",
            "(the --duration ended first, or a get had no put to read)."})
final class BenchLookupsCommand implements Callable<Integer> {
    @Option(names = "--target", required = true, converter = MoliaAddressConverter.class,
            description = "molia://<key>@host:port of the node to join through.")
    MoliaAddress target;

    @Option(names = "--count", defaultValue = "100", converter = IntRange.Positive.class,
            description = "Lookups, and put/get pairs (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--duration", defaultValue = "60", converter = DoubleRange.Positive.class,
            description = "Start no operation after this many seconds (default ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--verbose", description = "One line per operation as well (JSON always has them).")
    boolean verbose;

    @Option(names = "--json", description = "One JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        // The client node's own INFO lines (started, joined) would interleave with the figures.
        LogSetup.configure("text", ch.qos.logback.classic.Level.WARN);
        Lookups.Result r = new Lookups(new Lookups.Plan(target, count, duration)).run();
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(toJson(r)));
        } else {
            printText(r);
        }
        return r.summaries().values().stream().allMatch(Lookups.Summary::allSucceeded) ? 0 : 3;
    }

    private void printText(Lookups.Result r) {
        System.out.printf("joined in %.1f ms: %d contacts; %d operations in %.1f s%n", r.joinMillis(),
                r.contactsAfterJoin(), r.operations().size(), r.seconds());
        if (verbose) {
            int i = 0;
            for (Lookups.Operation op : r.operations()) {
                System.out.printf("%5d %-6s %9.2f ms  hops %2s  %s  peers %2d  timeouts %d%n", i++, name(op.kind()),
                        op.latencyNs() / 1e6, op.hops() < 0 ? "-" : String.valueOf(op.hops()),
                        op.success() ? "ok  " : "FAIL", op.peers(), op.timeouts());
            }
        }
        System.out.printf("%-7s %7s %6s %6s %8s %9s %9s %9s %9s %9s%n", "", "planned", "ran", "ok", "success",
                "p50 ms", "p95 ms", "p99 ms", "max ms", "mean hops");
        for (Lookups.Summary s : r.summaries().values()) {
            System.out.printf("%-7s %7d %6d %6d %7.1f%% %9.2f %9.2f %9.2f %9.2f %9s%n", name(s.kind()) + "s",
                    s.planned(), s.count(), s.succeeded(), 100 * s.successShare(), s.p50Millis(), s.p95Millis(),
                    s.p99Millis(), s.maxMillis(),
                    Double.isNaN(s.meanHops()) ? "-" : String.format(Locale.ROOT, "%.2f", s.meanHops()));
        }
        for (Lookups.Summary s : r.summaries().values()) {
            if (s.notRun() > 0) {
                System.out.printf("%d of %d %ss did not run (counted as failed)%n", s.notRun(), s.planned(),
                        name(s.kind()));
            }
        }
    }

    private static Map<String, Object> toJson(Lookups.Result r) {
        Map<String, Object> summary = new LinkedHashMap<>();
        for (Lookups.Summary s : r.summaries().values()) {
            Map<String, Object> latency = new LinkedHashMap<>();
            latency.put("p50", s.p50Millis());
            latency.put("p95", s.p95Millis());
            latency.put("p99", s.p99Millis());
            latency.put("max", s.maxMillis());
            Map<String, Object> kind = new LinkedHashMap<>();
            kind.put("planned", s.planned());
            kind.put("count", s.count());
            kind.put("not_run", s.notRun());
            kind.put("succeeded", s.succeeded());
            kind.put("success_share", s.successShare());
            kind.put("latency_ms", latency);
            kind.put("mean_hops", Double.isNaN(s.meanHops()) ? null : s.meanHops());
            summary.put(name(s.kind()), kind);
        }
        List<Map<String, Object>> operations = new ArrayList<>();
        for (Lookups.Operation op : r.operations()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("kind", name(op.kind()));
            o.put("latency_ms", op.latencyNs() / 1e6);
            o.put("hops", op.hops() < 0 ? null : op.hops());
            o.put("success", op.success());
            o.put("peers", op.peers());
            o.put("timeouts", op.timeouts());
            operations.add(o);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("join_ms", r.joinMillis());
        out.put("contacts_after_join", r.contactsAfterJoin());
        out.put("seconds", r.seconds());
        out.put("summary", summary);
        out.put("operations", operations);
        return out;
    }

    private static String name(Lookups.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
