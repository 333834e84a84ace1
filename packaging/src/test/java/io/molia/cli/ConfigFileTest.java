package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code molia node --config FILE} and the installed default file, shown through {@code --print-config}. */
class ConfigFileTest {
    /** Two well-formed peer addresses' key parts: base64url of a 32-byte key. */
    private static final String PEER_A = "molia://" + "A".repeat(43);
    private static final String PEER_B = "molia://" + "B".repeat(42) + "A";
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void clearInstalledDefault() {
        System.clearProperty(ConfigFileDefaults.DEFAULT_PROPERTY);
    }

    private int run(String... args) {
        CommandLine cli = MoliaCommand.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path conf(String... lines) throws Exception {
        return Files.write(dir.resolve("molia.conf"), List.of(lines));
    }

    /** The printed line of {@code key}, e.g. {@code listen = 127.0.0.1:4001   # flag}. */
    private String printed(String key) {
        return out.toString().lines().filter(l -> l.startsWith(key + " = ") || l.startsWith("# " + key + " ="))
                .findFirst().orElseThrow(() -> new AssertionError(key + " not printed: " + out));
    }

    @Test
    void fileSetsOptionsFlagsWinAndEachSettingSaysWhereItCameFrom() throws Exception {
        Path conf = conf("# a comment", "", "data-dir = /var/lib/molia-test", "listen = 127.0.0.1:4001   # inline",
                "bootstrap = " + PEER_A + "@192.0.2.1:4000," + PEER_B + "@192.0.2.2:4000", "ready-json = true",
                "wal-sync=batch", "log-unsafe = true");
        assertEquals(0, run("node", "--config", conf.toString(), "--listen", "127.0.0.1:4002", "--print-config"),
                err.toString());
        assertEquals("data-dir = /var/lib/molia-test   # " + conf + ":3", printed("data-dir"));
        assertEquals("listen = 127.0.0.1:4002   # flag", printed("listen"));
        assertEquals("bootstrap = " + PEER_A + "@192.0.2.1:4000," + PEER_B + "@192.0.2.2:4000   # " + conf + ":5",
                printed("bootstrap"));
        assertEquals("ready-json = true   # " + conf + ":6", printed("ready-json"));
        assertEquals("wal-sync = batch   # " + conf + ":7", printed("wal-sync"));
        assertEquals("wal-compact-every = 10m   # default", printed("wal-compact-every"));
        assertEquals("log-unsafe = true   # " + conf + ":8", printed("log-unsafe"));
        assertEquals("# metrics =   # not set (default)", printed("metrics"));
    }

    @Test
    void providerTimesComeFromTheFileAndARepublishNotBelowTheTtlIsAUsageError() throws Exception {
        Path conf = conf("data-dir = " + dir.resolve("node"), "provider-ttl = 2h");
        assertEquals(0, run("node", "--config", conf.toString(), "--print-config"), err.toString());
        assertEquals("provider-ttl = 2h   # " + conf + ":2", printed("provider-ttl"));
        assertEquals("provider-republish = 22h   # default", printed("provider-republish"));
        assertEquals(2, run("node", "--config", conf.toString()));
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().contains("--provider-republish (79200 s) must be above 0 and below --provider-ttl "
                + "(7200 s)"), err.toString());
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstKey() throws Exception {
        Path conf = conf("\uFEFFdata-dir = /srv/bom");
        assertEquals(0, run("node", "--config", conf.toString(), "--print-config"), err.toString());
        assertEquals("data-dir = /srv/bom   # " + conf + ":1", printed("data-dir"));
    }

    @Test
    void theFileCanGiveTheRequiredDataDir() throws Exception {
        Path conf = conf("data-dir = " + dir.resolve("node"));
        assertEquals(0, run("node", "--config", conf.toString(), "--print-config"), err.toString());
        assertTrue(printed("data-dir").endsWith(":1"), out.toString());
    }

    @Test
    void anUnknownKeyIsAnErrorNamingTheKeyAndItsLine() throws Exception {
        Path conf = conf("data-dir = /tmp/x", "# comment", "lisen = 127.0.0.1:4000");
        assertEquals(2, run("node", "--config", conf.toString(), "--print-config"));
        assertTrue(err.toString().startsWith("molia: " + conf + " line 3: unknown key 'lisen'"), err.toString());
    }

    @Test
    void aValueOfTheWrongTypeIsAnErrorNamingItsLine() throws Exception {
        Path conf = conf("data-dir = /tmp/x", "ready-json = yes");
        assertEquals(2, run("node", "--config", conf.toString(), "--print-config"));
        assertTrue(err.toString().startsWith("molia: " + conf + " line 2: Invalid value for option '--ready-json': 'yes' is not a "
                + "boolean"), err.toString());
        err.getBuffer().setLength(0);
        conf = conf("data-dir = /tmp/x", "shards = four");
        assertEquals(2, run("node", "--config", conf.toString(), "--print-config"));
        assertTrue(err.toString().startsWith("molia: " + conf + " line 2: Invalid value for option '--shards': 'four' "
                + "is not a whole number"),
                err.toString());
    }

    @Test
    void optionsThatSteerTheCommandAreNotKeys() throws Exception {
        Path conf = conf("data-dir = /tmp/x", "print-config = true");
        assertEquals(2, run("node", "--config", conf.toString()));
        assertTrue(err.toString().startsWith("molia: " + conf + " line 2: unknown key 'print-config'"), err.toString());
    }

    @Test
    void aLineWithoutEqualsOrAKeyTwiceIsAnErrorNamingTheLine() throws Exception {
        Path conf = conf("data-dir /tmp/x");
        assertEquals(2, run("node", "--config", conf.toString(), "--print-config"));
        assertTrue(err.toString().startsWith("molia: " + conf + " line 1: expected key = value"), err.toString());
        err.getBuffer().setLength(0);
        conf = conf("data-dir = /tmp/x", "listen = 127.0.0.1:1", "listen = 127.0.0.1:2");
        assertEquals(2, run("node", "--config", conf.toString(), "--print-config"));
        assertTrue(err.toString().startsWith("molia: " + conf + " line 3: 'listen' is already set on line 2"), err.toString());
    }

    @Test
    void aMissingConfigFileIsAnError() {
        Path missing = dir.resolve("nope.conf");
        assertEquals(2, run("node", "--config", missing.toString(), "--data-dir", "/tmp/x", "--print-config"));
        assertTrue(err.toString().startsWith("molia: --config: cannot read " + missing), err.toString());
    }

    @Test
    void theInstalledDefaultFileCountsWhenItExistsAndConfigReplacesIt() throws Exception {
        Path installed = Files.write(dir.resolve("installed.conf"), List.of("data-dir = /srv/molia", "shards = 3"));
        System.setProperty(ConfigFileDefaults.DEFAULT_PROPERTY, installed.toString());
        assertEquals(0, run("node", "--print-config"), err.toString());
        assertEquals("shards = 3   # " + installed + ":2", printed("shards"));

        out.getBuffer().setLength(0);
        Path other = conf("data-dir = /srv/other");
        assertEquals(0, run("node", "--config", other.toString(), "--print-config"), err.toString());
        assertEquals("data-dir = /srv/other   # " + other + ":1", printed("data-dir"));
        assertEquals("# shards =   # not set (default)", printed("shards"));

        System.setProperty(ConfigFileDefaults.DEFAULT_PROPERTY, dir.resolve("absent.conf").toString());
        out.getBuffer().setLength(0);
        assertEquals(0, run("node", "--data-dir", "/srv/flag", "--print-config"), err.toString());
        assertTrue(out.toString().startsWith("# molia node: effective settings (no config file)"), out.toString());
    }

    @Test
    void aBrokenInstalledDefaultStopsTheNodeButNotAnotherFileGivenWithConfig() throws Exception {
        Path installed = Files.write(dir.resolve("installed.conf"), List.of("data-dir = /srv/molia", "lisen = x"));
        System.setProperty(ConfigFileDefaults.DEFAULT_PROPERTY, installed.toString());
        assertEquals(2, run("node", "--print-config"));
        assertTrue(err.toString().startsWith("molia: " + installed + " line 2: unknown key 'lisen'"), err.toString());

        err.getBuffer().setLength(0);
        Path mine = conf("data-dir = /srv/mine");
        assertEquals(0, run("node", "--config", mine.toString(), "--print-config"), err.toString());
        assertEquals("data-dir = /srv/mine   # " + mine + ":1", printed("data-dir"));
    }

    @Test
    void theNetworkKeyIsNotPrinted() throws Exception {
        Path conf = conf("data-dir = /tmp/x", "network-key = " + "ab".repeat(32));
        assertEquals(0, run("node", "--config", conf.toString(), "--print-config"), err.toString());
        assertEquals("network-key = <hidden>   # " + conf + ":2", printed("network-key"));
        assertTrue(!out.toString().contains("abab"), out.toString());
    }
}
