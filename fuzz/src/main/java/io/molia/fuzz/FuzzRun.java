package io.molia.fuzz;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fuzzes one target for a bounded time: runs its {@code @FuzzTest} in Jazzer's fuzzing mode ({@code JAZZER_FUZZ=1})
 * in a JVM of its own (a JVM fuzzes one target) on the fuzz module's test class path, which Maven compiles and
 * resolves once in {@link #prepare}; follows libFuzzer's status lines, and copies every finding to a directory
 * with the command that reproduces it. Jazzer also writes each finding into the target's committed inputs, so
 * it becomes a regression input of every later {@code mvn test} once committed with its fix. Runs of different
 * targets may go in parallel (each fuzzes on one core).
 */
public final class FuzzRun {
    private static final Pattern DURATION = Pattern.compile("\\d+[smh]");
    private static final Pattern STATUS = Pattern.compile(
            "^#(\\d+)\\s+(\\w+)\\s+cov: (\\d+) ft: (\\d+) corp: (\\d+)/\\S+.*?exec/s: (\\d+)");
    private static final Pattern FINDING = Pattern.compile("Test unit written to (\\S+)");
    private static final long PROGRESS_EVERY_NS = 15_000_000_000L;

    /**
     * What a run reached: libFuzzer's last status line, and the findings. {@code corpusAtStart} is the corpus
     * libFuzzer began from (committed inputs plus what earlier runs kept), so growth shows the run learned.
     */
    public record Result(FuzzTarget target, long runs, long execPerSecond, long coveredEdges, long features,
            long corpusAtStart, long corpusEntries, BranchCoverage coverage, List<Path> findings, Path log,
            int exitCode) {
        public boolean clean() {
            return findings.isEmpty() && exitCode == 0;
        }
    }

    /** Branches of the target's own sources that the run reached (from Jazzer's coverage report). */
    public record BranchCoverage(long covered, long total) {
        @Override
        public String toString() {
            return total == 0 ? "n/a" : String.format("%.1f%% (%d/%d)", 100.0 * covered / total, covered, total);
        }
    }

    private static final Pattern REPORT_LINE = Pattern.compile("^(\\S+): (\\d+)/(\\d+) ");

    /** Where {@link #prepare} has Maven write the fuzz module's dependencies, relative to each module. */
    private static final String CLASSPATH_LISTING = "target/fuzz-classpath.txt";
    /** The main class of a fuzzing JVM, among the module's tests (it needs the JUnit Platform launcher). */
    private static final String LAUNCHER = "io.molia.fuzz.FuzzLauncher";

    private final Path sourceRoot;
    private final Path findingsDir;
    private final PrintStream progress;
    private final String classPath;

    private FuzzRun(Path sourceRoot, Path findingsDir, PrintStream progress, String classPath) {
        this.sourceRoot = sourceRoot;
        this.findingsDir = findingsDir;
        this.progress = progress;
        this.classPath = classPath;
    }

    /**
     * Compiles the fuzz module and what it depends on (Maven, once) and resolves its test class path.
     *
     * @param sourceRoot  the repository checkout (fuzzing compiles and instruments the sources there)
     * @param findingsDir where logs, findings and their reproduction commands go
     * @param progress    where a status line goes every 15 s
     */
    public static FuzzRun prepare(Path sourceRoot, Path findingsDir, PrintStream progress)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(sourceRoot.resolve("fuzz/pom.xml"))) {
            throw new IllegalArgumentException("fuzzing needs the source checkout; " + sourceRoot
                    + " has no fuzz/pom.xml (run it through the repository's ./molia)");
        }
        Files.createDirectories(findingsDir);
        Path log = findingsDir.resolve("build.log");
        Process build = new ProcessBuilder("mvn", "-B", "-ntp", "-pl", "fuzz", "-am", "test-compile",
                "dependency:build-classpath", "-Dmdep.outputFile=" + CLASSPATH_LISTING)
                .directory(sourceRoot.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (build.waitFor() != 0) {
            throw new IOException("building the fuzz targets failed; see " + log);
        }
        Path fuzz = sourceRoot.resolve("fuzz").toAbsolutePath();
        String classPath = String.join(File.pathSeparator, fuzz.resolve("target/test-classes").toString(),
                fuzz.resolve("target/classes").toString(),
                // node-engine's JDK 22 slice: a class directory is not a multi-release jar (as the pom's Surefire)
                sourceRoot.resolve("node-engine/target/classes/META-INF/versions/22").toAbsolutePath().toString(),
                Files.readString(fuzz.resolve(CLASSPATH_LISTING)).strip());
        return new FuzzRun(sourceRoot, findingsDir, progress, classPath);
    }

    /** Whether {@code text} is a duration {@link #run} takes: "30s", "10m", "1h". */
    public static boolean isDuration(String text) {
        return DURATION.matcher(text).matches();
    }

    /** Fuzzes {@code target} for {@code duration} ("30s", "10m", "1h"). */
    public Result run(FuzzTarget target, String duration) throws IOException, InterruptedException {
        if (!isDuration(duration)) {
            throw new IllegalArgumentException("--duration must look like 30s, 10m or 1h, not '" + duration + "'");
        }
        Path log = findingsDir.resolve(target.id() + ".log");
        Path coverageReport = findingsDir.resolve(target.id() + ".coverage.txt").toAbsolutePath();
        Files.deleteIfExists(coverageReport);
        // the JVM Surefire would start (the parent pom's surefire.argLine), in the module's directory, where
        // Jazzer keeps its generated corpus and finds the committed inputs
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-ea", "-Xmx2g", "@" + sourceRoot.resolve("scripts/lib/jvm-flags").toAbsolutePath(),
                "-Djazzer.max_duration=" + duration, "-Djazzer.coverage_report=" + coverageReport,
                "-cp", classPath, LAUNCHER, target.testClassName(), target.method())
                .directory(sourceRoot.resolve("fuzz").toFile()).redirectErrorStream(true);
        pb.environment().put("JAZZER_FUZZ", "1");
        Process process = pb.start();
        Matcher last = null;
        long corpusAtStart = 0;
        List<Path> written = new ArrayList<>();
        long nextProgress = System.nanoTime() + PROGRESS_EVERY_NS;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); Writer logWriter = Files.newBufferedWriter(log)) {
            String line;
            while ((line = out.readLine()) != null) {
                logWriter.write(line);
                logWriter.write('\n');
                Matcher status = STATUS.matcher(line);
                if (status.find()) {
                    last = status;
                    if (status.group(2).equals("INITED")) {
                        corpusAtStart = Long.parseLong(status.group(5));
                    }
                    if (System.nanoTime() >= nextProgress) {
                        nextProgress = System.nanoTime() + PROGRESS_EVERY_NS;
                        progress.printf("  %s: %s runs, %s exec/s, %s edges covered%n", target.id(), status.group(1),
                                status.group(6), status.group(3));
                    }
                }
                Matcher finding = FINDING.matcher(line);
                if (finding.find()) {
                    written.add(Path.of(finding.group(1)));
                }
            }
        }
        int exit = process.waitFor();
        List<Path> findings = keepFindings(target, written);
        if (exit != 0 && findings.isEmpty()) {
            throw new IOException("fuzzing " + target.id() + " failed without a finding (exit " + exit + "); see "
                    + log);
        }
        BranchCoverage coverage = branchCoverage(target, coverageReport);
        return last == null
                ? new Result(target, 0, 0, 0, 0, 0, 0, coverage, findings, log, exit)
                : new Result(target, Long.parseLong(last.group(1)), Long.parseLong(last.group(6)),
                        Long.parseLong(last.group(3)), Long.parseLong(last.group(4)), corpusAtStart,
                        Long.parseLong(last.group(5)), coverage, findings, log, exit);
    }

    /** Sums the "Branch coverage:" lines of the report for the target's own sources. */
    static BranchCoverage branchCoverage(FuzzTarget target, Path report) throws IOException {
        if (!Files.exists(report)) {
            return new BranchCoverage(0, 0);
        }
        long covered = 0;
        long total = 0;
        boolean branches = false;
        for (String line : Files.readAllLines(report)) {
            if (line.endsWith("coverage:")) {
                branches = line.equals("Branch coverage:");
                continue;
            }
            Matcher m = REPORT_LINE.matcher(line);
            if (branches && m.find() && target.sourcesUnderTest().contains(m.group(1))) {
                covered += Long.parseLong(m.group(2));
                total += Long.parseLong(m.group(3));
            }
        }
        return new BranchCoverage(covered, total);
    }

    private List<Path> keepFindings(FuzzTarget target, List<Path> written) throws IOException {
        List<Path> kept = new ArrayList<>();
        Path dir = findingsDir.resolve(target.id());
        for (Path input : written) {
            Path from = input.isAbsolute() ? input : sourceRoot.resolve(input);
            if (!Files.exists(from)) {
                continue;
            }
            Files.createDirectories(dir);
            Path to = dir.resolve(from.getFileName());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            kept.add(to);
        }
        if (!kept.isEmpty()) {
            Files.writeString(dir.resolve("REPRODUCE"), "# Jazzer also wrote each input into " + target.inputsDir()
                    + "\n# (commit it with the fix: it then runs in every mvn test). To replay them all:\n"
                    + "mvn -pl fuzz -am test -Dtest=" + target.simpleTestClassName() + "#" + target.method()
                    + " -Dsurefire.failIfNoSpecifiedTests=false\n");
        }
        return kept;
    }
}
