package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.molia.options.Bounded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The README's exit codes, for every command: bad usage exits 2 with one line on stderr naming the flag and nothing
 * on stdout. The commands and options are read from the picocli tree, so a new command or option is covered without
 * touching this test; values come from the option's own converter (a range names the values just outside it).
 */
class UsageErrorsTest {
    /** What one in-process run of {@code molia} printed and returned. */
    record Run(int code, String out, String err) {
    }

    /** One tree for every run (building it costs more than a run): picocli resets the options before each parse. */
    private static final CommandLine CLI = MoliaCommand.newCommandLine();
    private static final StringWriter OUT = new StringWriter();
    private static final StringWriter ERR = new StringWriter();

    static {
        CLI.setOut(new PrintWriter(OUT, true));
        CLI.setErr(new PrintWriter(ERR, true));
    }

    private static Run run(List<String> args) {
        OUT.getBuffer().setLength(0);
        ERR.getBuffer().setLength(0);
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true));
        int code;
        try {
            code = CLI.execute(args.toArray(String[]::new));
        } finally {
            System.setOut(stdout);
        }
        return new Run(code, OUT + printed.toString(), ERR.toString());
    }

    private static Run run(String... args) {
        return run(Arrays.asList(args));
    }

    /** Every command of the tree (aliases once), as the words that name it. */
    private static Map<CommandLine, List<String>> commands() {
        Map<CommandLine, List<String>> out = new IdentityHashMap<>();
        walk(CLI, List.of(), out);
        return out;
    }

    private static void walk(CommandLine cli, List<String> words, Map<CommandLine, List<String>> out) {
        if (out.containsKey(cli)) {
            return;
        }
        out.put(cli, words);
        cli.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) {
                List<String> next = new ArrayList<>(words);
                next.add(name);
                walk(sub, next, out);
            }
        });
    }

    /** One check: {@code args} is bad usage that names {@code flag}. */
    private static Executable usageError(List<String> args, String flag) {
        return () -> {
            Run r = run(args);
            assertEquals(2, r.code(), args + ": " + r.err());
            assertEquals("", r.out(), args + " printed on stdout");
            List<String> lines = r.err().strip().lines().toList();
            assertEquals(1, lines.size(), args + " printed more than one line on stderr:\n" + r.err());
            assertTrue(lines.get(0).startsWith("molia: ") && lines.get(0).contains(flag)
                    && lines.get(0).endsWith("--help')"), args + ": " + lines.get(0));
        };
    }

    private static List<String> with(List<String> words, String... more) {
        List<String> args = new ArrayList<>(words);
        args.addAll(Arrays.asList(more));
        return args;
    }

    @Test
    void everyCommandAnswersAnUnknownOptionWithOneLineAndExit2() {
        List<Executable> checks = new ArrayList<>();
        commands().forEach((cli, words) -> checks.add(usageError(with(words, "--no-such-option"), "--no-such-option")));
        assertTrue(checks.size() > 40, "the walk found " + checks.size() + " commands");
        assertAll(checks);
    }

    /** Types whose every text is a value: nothing to refuse unless the option brings its own converter. */
    private static final Set<Class<?>> FREE_TEXT = Set.of(String.class, java.nio.file.Path.class);

    @Test
    void everyOptionRefusesABadValueWithOneLineNamingItAndExit2() {
        List<Executable> checks = new ArrayList<>();
        commands().forEach((cli, words) -> {
            for (OptionSpec option : cli.getCommandSpec().options()) {
                if (option.arity().max() == 0 || option.usageHelp() || option.versionHelp()) {
                    continue;
                }
                String flag = option.longestName();
                boolean converted = option.converters().length > 0;
                Class<?> type = option.auxiliaryTypes()[0];
                if (converted || !FREE_TEXT.contains(type)) {
                    checks.add(usageError(with(words, flag, "nonsense"), flag));
                }
                for (CommandLine.ITypeConverter<?> converter : option.converters()) {
                    if (converter instanceof Bounded bounded) {
                        for (String outside : bounded.valuesOutside()) {
                            checks.add(usageError(with(words, flag, outside), flag));
                        }
                    }
                }
            }
        });
        assertTrue(checks.size() > 100, "the walk made " + checks.size() + " checks");
        assertAll(checks);
    }

    /** Two sim flags that contradict each other: a usage error naming them, before any node is simulated. */
    @Test
    void simRefusesRealSessionsAndAModelledHandshakeTogether() throws Throwable {
        usageError(List.of("sim", "--sessions", "--handshake-rtt", "--nodes", "100"), "--handshake-rtt").execute();
    }

    @Test
    void aFlagWithoutItsPartnerIsRefusedBeforeTheNodeTouchesAnything(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) {
        java.nio.file.Path dataDir = dir.resolve("n");
        Run r = run("node", "--data-dir", dataDir.toString(), "--listen", "127.0.0.1:0", "--admin-tcp", "9999");
        assertEquals(2, r.code(), r.err());
        assertEquals("molia: --admin-tcp and --admin-token-file go together (see 'molia node --help')",
                r.err().strip());
        assertTrue(!java.nio.file.Files.exists(dataDir), "the node did not start: no data dir");
    }

    @Test
    void theOperatorsCasesReadAsOneLineWithAHint() {
        String[][] cases = {
            {"molia: unknown option '--foo' (see 'molia node --help')", "node", "--foo"},
            {"molia: --listen: expected host:port, got 'nonsense' (see 'molia node --help')",
                "node", "--data-dir", "d", "--listen", "nonsense"},
            {"molia: --listen: port must be in 0..65535, got '127.0.0.1:99999' (see 'molia node --help')",
                "node", "--data-dir", "d", "--listen", "127.0.0.1:99999"},
            {"molia: --nodes: must be at least 2, not -5 (see 'molia sim --help')", "sim", "--nodes", "-5"},
            {"molia: --nodes: must be in 2..200, not 0 (see 'molia devnet --help')", "devnet", "--nodes", "0"},
            {"molia: --interval: 'x' is not a whole number (see 'molia devnet --help')", "devnet", "--interval", "x"},
            {"molia: unknown command 'admn'; did you mean admin? (see 'molia --help')", "admn"},
            {"molia: unknown subcommand 'nope' (see 'molia --help')", "help", "nope"},
            {"molia: missing required option: '--data-dir=<dataDir>' (see 'molia node --help')", "node"},
            {"molia: name the node: --socket PATH, --data-dir DIR, or --node N (a devnet) "
                    + "(see 'molia admin info --help')", "admin", "info"},
        };
        for (String[] c : cases) {
            Run r = run(Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, r.code(), String.join(" ", c));
            assertEquals(c[0], r.err().strip());
            assertEquals("", r.out());
        }
    }
}
