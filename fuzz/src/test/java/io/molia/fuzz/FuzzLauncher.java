package io.molia.fuzz;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.Arrays;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The main class of one fuzzing JVM: runs one {@code @FuzzTest} method on the JUnit Platform, as Surefire would,
 * without a Maven run per target ({@link FuzzRun} starts it; Jazzer fuzzes one target per JVM). Exit status 0 when
 * the test passed, 1 when it failed (a finding) or was not found, 2 on wrong arguments.
 */
final class FuzzLauncher {
    private FuzzLauncher() {
    }

    public static void main(String[] args) throws ClassNotFoundException {
        if (args.length != 2) {
            System.err.println("usage: FuzzLauncher TEST_CLASS METHOD");
            System.exit(2);
        }
        Class<?> testClass = Class.forName(args[0]);
        Method method = Arrays.stream(testClass.getDeclaredMethods()).filter(m -> m.getName().equals(args[1]))
                .findFirst().orElse(null);
        if (method == null) {
            System.err.println(args[0] + " has no method " + args[1]);
            System.exit(2);
        }
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectMethod(testClass, method)).build(),
                listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printTo(out);
        summary.printFailuresTo(out, 25);
        System.exit(summary.getTotalFailureCount() == 0 && summary.getTestsSucceededCount() > 0 ? 0 : 1);
    }
}
