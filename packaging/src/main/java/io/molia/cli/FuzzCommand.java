package io.molia.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.molia.fuzz.FuzzRun;
import io.molia.fuzz.FuzzTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code molia fuzz}: coverage-guided fuzzing of the codecs, bounded in time, findings kept with their replay. */
@Command(name = "fuzz", mixinStandardHelpOptions = true,
        description = {"Fuzz a codec target (or all) with Jazzer for a bounded time.",
            "Runs from the source checkout; exit code 3 when a target found something."})
final class FuzzCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET", description = "A target name, or all.")
    String target;

    @Option(names = "--list", description = "Name the targets and what each asserts.")
    boolean list;

    @Option(names = "--duration", defaultValue = "10m", converter = Duration.class,
            description = "Per target, e.g. 30s, 10m, 1h (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--jobs", defaultValue = "1", paramLabel = "N",
            description = "Targets fuzzed at once, each in its own JVM on one core (default ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--findings", defaultValue = "target/fuzz-findings",
            description = "Logs, findings and their reproduction commands (default ${DEFAULT-VALUE}).")
    Path findings;

    @Override
    public Integer call() throws Exception {
        if (list) {
            for (FuzzTarget t : FuzzTarget.values()) {
                System.out.printf("%-18s %s%n", t.id(), t.checks());
            }
            return 0;
        }
        if (target == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "name a TARGET or all (molia fuzz --list names them)");
        }
        List<FuzzTarget> targets;
        try {
            targets = target.equals("all") ? List.of(FuzzTarget.values()) : List.of(FuzzTarget.byId(target));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (jobs < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--jobs must be at least 1, not "
                    + jobs);
        }
        Path root = Path.of(System.getProperty("molia.home", "."));
        System.out.println("building the fuzz targets…");
        FuzzRun run = FuzzRun.prepare(root, root.resolve(findings), System.out);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(jobs, targets.size()));
        List<Future<FuzzRun.Result>> runs = new ArrayList<>();
        for (FuzzTarget t : targets) {
            runs.add(pool.submit(() -> {
                System.out.printf("fuzzing %s for %s…%n", t.id(), duration);
                return run.run(t, duration);
            }));
        }
        pool.shutdown();
        List<FuzzRun.Result> results = new ArrayList<>();
        for (Future<FuzzRun.Result> r : runs) {
            try {
                results.add(r.get());
            } catch (ExecutionException e) {
                pool.shutdownNow();
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
        System.out.printf("%n%-18s %12s %9s %9s %13s  %-22s %s%n", "TARGET", "RUNS", "EXEC/S", "EDGES",
                "CORPUS", "BRANCHES (OWN CODE)", "FINDINGS");
        boolean clean = true;
        for (FuzzRun.Result r : results) {
            clean &= r.clean();
            System.out.printf("%-18s %12d %9d %9d %13s  %-22s %s%n", r.target().id(), r.runs(), r.execPerSecond(),
                    r.coveredEdges(), r.corpusAtStart() + " → " + r.corpusEntries(), r.coverage(),
                    r.findings().isEmpty() ? "none" : r.findings().size() + " in " + r.findings().get(0).getParent());
        }
        return clean ? 0 : 3;
    }

    /** A per-target duration as Jazzer takes it: 30s, 10m, 1h. */
    static final class Duration implements picocli.CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String text) {
            if (!FuzzRun.isDuration(text)) {
                throw new picocli.CommandLine.TypeConversionException("expected a duration like 30s, 10m or 1h, got '"
                        + text + "'");
            }
            return text;
        }
    }
}
