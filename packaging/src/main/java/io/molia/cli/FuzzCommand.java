package io.molia.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

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
        Path root = Path.of(System.getProperty("molia.home", "."));
        FuzzRun run = new FuzzRun(root, root.resolve(findings), System.out);
        List<FuzzRun.Result> results = new ArrayList<>();
        for (FuzzTarget t : targets) {
            System.out.printf("fuzzing %s for %s…%n", t.id(), duration);
            results.add(run.run(t, duration));
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
