package io.molia.dash;

import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.googlecode.lanterna.terminal.DefaultTerminalFactory;
import com.googlecode.lanterna.terminal.Terminal;
import com.googlecode.lanterna.terminal.ansi.UnixLikeTerminal;
import io.molia.adminclient.NodeSocketOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code molia dash}: the live dashboard of a running node, over its admin socket. Always a text terminal (never
 * Lanterna's Swing window); without one it says so in one line and exits 1.
 */
@Command(name = "dash", mixinStandardHelpOptions = true,
        description = "Live terminal dashboard of a running node (keys: ? inside; n/p switch devnet nodes).")
public final class DashCommand implements Callable<Integer> {
    @Mixin
    NodeSocketOptions target;

    @Option(names = "--interval", defaultValue = "1s", converter = Interval.class,
            description = "Update interval: 1s, 250ms, 0.5 (seconds); at least 100ms (default ${DEFAULT-VALUE}).")
    int intervalMs;

    @Option(names = "--readonly", description = "Hide every action (the ping of a peer).")
    boolean readonly;

    @Option(names = "--show-keys", description = "Show record keys and full IP addresses.")
    boolean showKeys;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path socket = target.socket();
        if (!isTerminal()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("molia dash needs a terminal (stdin and stdout a TTY); `molia admin watch` works without one");
            err.flush();
            return 1;
        }
        run(socket, intervalMs, target.devnetDir(), target.devnetNode(), readonly, showKeys);
        return 0;
    }

    /** Opens the dashboard on this process's terminal until {@code q}; devnetDir null when not a devnet. */
    public static void run(Path socket, int intervalMs, Path devnetDir, int devnetNode, boolean readonly,
            boolean showKeys) throws Exception {
        run(socket, intervalMs, devnetDir, devnetNode, readonly, showKeys, Long.MAX_VALUE);
    }

    /** As {@link #run(Path, int, Path, int, boolean, boolean)}, closing by itself at {@code deadlineNs}. */
    public static void run(Path socket, int intervalMs, Path devnetDir, int devnetNode, boolean readonly,
            boolean showKeys, long deadlineNs) throws Exception {
        try (Sampler sampler = new Sampler(socket, intervalMs, devnetNode, Dashboard.devnetSize(devnetDir))) {
            // Ctrl-C arrives as a key and quits like q, so the terminal is always restored.
            Terminal terminal = new DefaultTerminalFactory().setForceTextTerminal(true)
                    .setUnixTerminalCtrlCBehaviour(UnixLikeTerminal.CtrlCBehaviour.TRAP).createTerminal();
            try {
                new Dashboard(sampler, new UiState(readonly, showKeys), devnetDir, Math.max(0, devnetNode))
                        .run(terminal, deadlineNs);
            } finally {
                terminal.close();
            }
        }
    }

    /** "1s", "250ms", "0.5" (seconds), "2m" to milliseconds; at least 100 ms (the node's smallest interval). */
    static final class Interval implements CommandLine.ITypeConverter<Integer>, io.molia.options.Bounded {
        @Override
        public Integer convert(String text) {
            String t = text.strip().toLowerCase(Locale.ROOT);
            double ms;
            try {
                if (t.endsWith("ms")) {
                    ms = Double.parseDouble(t.substring(0, t.length() - 2));
                } else if (t.endsWith("s")) {
                    ms = Double.parseDouble(t.substring(0, t.length() - 1)) * 1000;
                } else if (t.endsWith("m")) {
                    ms = Double.parseDouble(t.substring(0, t.length() - 1)) * 60_000;
                } else {
                    ms = Double.parseDouble(t) * 1000;
                }
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + text + "' is not a duration (1s, 250ms, 0.5)");
            }
            if (!(ms >= 100 && ms <= 3_600_000)) {
                throw new CommandLine.TypeConversionException("must be between 100ms and 1h, not " + text);
            }
            return (int) Math.round(ms);
        }

        @Override
        public java.util.List<String> valuesOutside() {
            return java.util.List.of("50ms", "2h", "NaN");
        }
    }

    /** Whether stdin/stdout are an interactive terminal, on JDK 21 (a console exists) and 22+ (isTerminal). */
    public static boolean isTerminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
