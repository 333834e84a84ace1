package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;

import io.molia.core.store.RecordsConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code molia node}'s record flags (mutable TTL and republish, repair interval, replication probes, hot keys) reach
 * {@link RecordsConfig}, and a bad value is a usage error in one line naming the flag.
 */
class RecordFlagsTest {
    private final StringWriter err = new StringWriter();

    private static RecordsConfig parsed(String... flags) {
        CommandLine cli = MoliaCommand.newCommandLine();
        String[] args = new String[flags.length + 3];
        args[0] = "node";
        args[1] = "--data-dir";
        args[2] = "/tmp/unused";
        System.arraycopy(flags, 0, args, 3, flags.length);
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        return ((NodeCommand) parsed.subcommand().commandSpec().userObject()).recordsConfig();
    }

    private int run(String... args) {
        CommandLine cli = MoliaCommand.newCommandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void theFlagsReachTheRecordsConfigAndTheDefaultsStayTheDefaults() {
        assertEquals(RecordsConfig.defaults(), parsed());
        RecordsConfig c = parsed("--mutable-ttl", "6h", "--mutable-republish", "30m", "--repair-interval", "20m",
                "--replication-probes", "0", "--hot-key-reads", "5", "--hot-key-extra-replicas", "3", "--blob-ttl", "48h");
        assertEquals(TimeUnit.HOURS.toNanos(6), c.mutableTtlNs());
        assertEquals(TimeUnit.HOURS.toNanos(48), c.blobTtlNs());
        assertEquals(TimeUnit.DAYS.toNanos(7), RecordsConfig.defaults().blobTtlNs());
        assertEquals(TimeUnit.MINUTES.toNanos(30), c.mutableRepublishNs());
        assertEquals(TimeUnit.MINUTES.toNanos(20), c.replicateIntervalNs());
        assertEquals(0, c.replicationProbesPerMinute());
        assertEquals(5, c.hotReadsPerMinute());
        assertEquals(3, c.hotExtraReplicas());
        assertEquals(RecordsConfig.defaults().providerTtlNs(), c.providerTtlNs(), "the provider times are untouched");
    }

    @Test
    void aBadValueNamesItsFlag() {
        String[][] cases = {
            {"--mutable-republish", "24h", "--mutable-republish (86400 s) must be above 0 and below --mutable-ttl"},
            {"--mutable-ttl", "soon", "--mutable-ttl"},
            {"--repair-interval", "0", "--repair-interval must be above 0"},
            {"--replication-probes", "-1", "--replication-probes"},
            {"--hot-key-reads", "0", "--hot-key-reads"},
            {"--hot-key-extra-replicas", "many", "--hot-key-extra-replicas"},
        };
        for (String[] c : cases) {
            err.getBuffer().setLength(0);
            assertEquals(2, run("node", "--data-dir", "/tmp/unused-molia", c[0], c[1]), c[0] + " " + c[1]);
            assertTrue(err.toString().contains(c[2]), c[0] + " " + c[1] + ": " + err);
            assertEquals(1, err.toString().strip().lines().count(), err.toString());
        }
    }

    @Test
    void aDevnetGivesItsNodeProcessesTheSameSettingsAndRefusesABadOne() {
        CommandLine cli = MoliaCommand.newCommandLine();
        DevnetCommand devnet = (DevnetCommand) cli.parseArgs("devnet", "--mutable-republish", "90s",
                "--repair-interval", "5m", "--hot-key-reads", "7").subcommand().commandSpec().userObject();
        RecordsConfig given = devnet.recordOptions.recordsConfig(cli);
        assertEquals(TimeUnit.SECONDS.toNanos(90), given.mutableRepublishNs());
        assertEquals(given, parsed(devnet.recordOptions.asFlags().toArray(String[]::new)),
                "a child molia node parses the flags to the same settings");
        assertEquals(2, run("devnet", "--no-dash", "--duration", "1", "--mutable-republish", "24h"));
        assertTrue(err.toString().contains("--mutable-republish (86400 s) must be above 0 and below --mutable-ttl"),
                err.toString());
    }

    @Test
    void aSurvivalCheckWithoutRecordsIsAUsageError() {
        assertEquals(2, run("sim", "--nodes", "10", "--records-check-after", "10m"));
        assertTrue(err.toString().contains("--records-check-after reads back the records of --records: give it too"),
                err.toString());
    }

    @Test
    void theSimulatorTakesTheSameFlags() {
        CommandLine cli = MoliaCommand.newCommandLine();
        SimCommand sim = (SimCommand) cli.parseArgs("sim", "--repair-interval", "3m", "--replication-probes", "900")
                .subcommand().commandSpec().userObject();
        RecordsConfig given = sim.recordOptions.recordsConfig(cli);
        assertEquals(TimeUnit.MINUTES.toNanos(3), given.replicateIntervalNs());
        assertEquals(900, given.replicationProbesPerMinute());
        SimCommand plain = (SimCommand) MoliaCommand.newCommandLine().parseArgs("sim").subcommand().commandSpec()
                .userObject();
        assertEquals(RecordsConfig.defaults(), plain.recordOptions.recordsConfig(cli), "no flag, the defaults");
        assertEquals(2, run("sim", "--nodes", "300", "--repair-interval", "0", "--no-progress"));
        assertTrue(err.toString().contains("--repair-interval must be above 0"), err.toString());
    }
}
