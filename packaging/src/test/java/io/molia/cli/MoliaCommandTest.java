package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MoliaCommandTest {
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = MoliaCommand.newCommandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private String captureStdout(Runnable r) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            r.run();
        } finally {
            System.setOut(original);
        }
        return out.toString();
    }

    @Test
    void aMisspelledEngineSwitchIsNamedNotIgnored() {
        for (String property : java.util.List.of("molia.crypto", "molia.erasure")) {
            String before = System.getProperty(property);
            try {
                System.setProperty(property, "jav");
                assertEquals("-D" + property + "=jav: expected java or native (the default: native where it loads)",
                        MoliaCommand.badEngineSwitch());
                System.setProperty(property, "java");
                assertNull(MoliaCommand.badEngineSwitch());
                System.setProperty(property, "native");
                assertNull(MoliaCommand.badEngineSwitch());
            } finally {
                if (before == null) {
                    System.clearProperty(property);
                } else {
                    System.setProperty(property, before);
                }
            }
        }
    }

    @Test
    void everyCommandsHelpRendersWithoutAWarning() {
        // picocli formats each description line; a bare '%' makes it warn on stderr at every --help.
        PrintStream original = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warnings, true));
        try {
            java.util.ArrayDeque<CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(MoliaCommand.newCommandLine()));
            while (!todo.isEmpty()) {
                CommandLine cli = todo.pop();
                todo.addAll(cli.getSubcommands().values());
                cli.getUsageMessage();
            }
        } finally {
            System.setErr(original);
        }
        assertEquals("", warnings.toString());
    }

    @Test
    void bashAndZshCompletionCoversTheAdminCommands() {
        CommandLine cli = MoliaCommand.newCommandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("generate-completion"));
        String script = out.toString();
        assertTrue(script.contains("complete -F _complete_molia"), "a bash completion function for molia");
        assertTrue(script.contains("molia admin peers") || script.contains("admin_peers"), "admin subcommands");
        assertTrue(script.contains("shell"), "molia shell");
        assertTrue(script.contains("--show-keys"), "admin options");
    }

    @Test
    void aOneShotRootHoldsOnlyTheCommandItRunsUnderItsOwnName() {
        for (String name : MoliaCommand.COMMANDS.keySet()) {
            java.util.Set<String> built = MoliaCommand.newCommandLine(name).getSubcommands().keySet();
            if (name.equals("help") || name.equals("generate-completion")) {
                assertEquals(MoliaCommand.COMMANDS.keySet(), built, name + " reads the whole tree");
            } else {
                assertEquals(java.util.Set.of(name), built, name);
            }
        }
        assertEquals(MoliaCommand.COMMANDS.keySet(), MoliaCommand.newCommandLine("admn").getSubcommands().keySet(),
                "a typo gets every command to suggest from");
    }

    @Test
    void versionAsJson() throws Exception {
        String out = captureStdout(() -> assertEquals(0, run("version", "--json")));
        JsonNode json = new ObjectMapper().readTree(out);
        assertEquals(1, json.get("protocol").asInt());
        assertTrue(json.get("release").asText().startsWith("0."));
        assertTrue(json.get("commit").asText().matches("[0-9a-f]{7,}(-dirty)?|unknown"), json.toString());
    }

    @Test
    void keygenCreatesOnceAndShowsTheSameKeyAfterwards(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String dataDir = dir.resolve("node").toString();
        JsonNode first = new ObjectMapper().readTree(captureStdout(() -> assertEquals(0,
                run("keygen", "--data-dir", dataDir, "--json", "--pow-bits", "10"))));
        JsonNode again = new ObjectMapper().readTree(captureStdout(() -> assertEquals(0,
                run("keygen", "--data-dir", dataDir, "--json", "--pow-bits", "10"))));
        assertEquals(first.get("public_key"), again.get("public_key"));
        assertEquals(64, first.get("node_id").asText().length());
        assertTrue(first.get("pow_bits").asInt() >= 10, first.toString());
        assertEquals(first.get("pow_nonce"), again.get("pow_nonce"), "found once, then shown");
        JsonNode more = new ObjectMapper().readTree(captureStdout(() -> assertEquals(0,
                run("keygen", "--data-dir", dataDir, "--json", "--pow-bits", "13"))));
        assertEquals(first.get("public_key"), more.get("public_key"), "more work on the same key");
        assertTrue(more.get("pow_bits").asInt() >= 13, more.toString());
    }

    @Test
    void aNodeWhoseIdentityLacksTheNetworksWorkSaysSoInOneLine(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String dataDir = dir.resolve("node").toString();
        captureStdout(() -> assertEquals(0, run("keygen", "--data-dir", dataDir, "--pow-bits", "4")));
        err.getBuffer().setLength(0);
        assertEquals(1, run("node", "--pow-bits", "40", "--data-dir", dataDir, "--listen", "127.0.0.1:0",
                "--no-admin-socket"));
        String line = err.toString().strip();
        assertTrue(line.matches("molia node: .*identity\\.key: the identity's proof of work has \\d+ leading zero "
                + "bits, the network asks for 40 \\(--pow-bits\\); run: molia keygen --data-dir .* --pow-bits 40"),
                line);
        assertEquals(1, line.lines().count());
    }

    @Test
    void nodeErrorsAreOneLineAndNameTheProblem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String dataDir = dir.resolve("n").toString();
        assertEquals(2, run("node", "--data-dir", dataDir, "--bootstrap", "molia://nope@1.2.3.4:5"));
        assertTrue(err.toString().startsWith("molia: --bootstrap: bad address 'molia://nope@1.2.3.4:5'"),
                err.toString());
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            err.getBuffer().setLength(0);
            assertEquals(1, run("node", "--pow-bits", "4", "--data-dir", dataDir, "--listen",
                    "127.0.0.1:" + taken.getLocalPort()));
            assertEquals("molia node: UDP port " + taken.getLocalPort() + " on 127.0.0.1 is in use",
                    err.toString().strip());
        }
        err.getBuffer().setLength(0);
        assertEquals(2, run("node", "--data-dir", dataDir, "--network-key", "abc"));
        assertEquals("molia: --network-key: expected 64 hex digits (see 'molia node --help')", err.toString().strip());
        err.getBuffer().setLength(0);
        assertEquals(0, run("node", "--data-dir", dataDir, "--network-key", "ab".repeat(32), "--print-config"),
                "a well-formed key is taken: " + err);
        java.nio.file.Path table = dir.resolve("asn.tsv");
        java.nio.file.Files.writeString(table, "1.0.0.0\t1.0.0.255\t13335\tUS\tX\n1.0.1.0 1.0.1.255 5\n");
        err.getBuffer().setLength(0);
        assertEquals(1, run("node", "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--asn-table", table.toString()));
        assertEquals("molia node: " + table + " line 2: expected range_start, range_end and AS_number separated by "
                + "tabs", err.toString().strip());
        err.getBuffer().setLength(0);
        assertEquals(1, run("node", "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--asn-table",
                dir.resolve("none.tsv").toString()));
        assertEquals("molia node: no such ASN table: " + dir.resolve("none.tsv"), err.toString().strip());
    }

    @Test
    void listenTakesIpv4Ipv6AndTheDualStackWildcard() {
        io.molia.options.HostPortConverter listen = new io.molia.options.HostPortConverter();
        java.net.InetSocketAddress v6 = listen.convert("[::1]:0");
        assertTrue(v6.getAddress() instanceof java.net.Inet6Address && v6.getAddress().isLoopbackAddress(), "" + v6);
        java.net.InetSocketAddress dual = listen.convert("[::]:4000");
        assertTrue(dual.getAddress() instanceof java.net.Inet6Address && dual.getAddress().isAnyLocalAddress());
        assertEquals(4000, dual.getPort());
        assertTrue(listen.convert("0.0.0.0:4000").getAddress() instanceof java.net.Inet4Address);
        assertTrue(new io.molia.options.HostPortConverter.LocalByDefault().convert("[::1]:9464").getAddress()
                instanceof java.net.Inet6Address);
        assertEquals(new java.net.InetSocketAddress("127.0.0.1", 9464),
                new io.molia.options.HostPortConverter.LocalByDefault().convert("9464"));
    }

    @Test
    void badListenAndBootstrapAddressesAreOneLineNamingTheFlag(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) {
        String dataDir = dir.resolve("n").toString();
        String[][] cases = {
            {"--listen", "[::1", "molia: --listen: missing ']' after the IPv6 address in '[::1'"},
            {"--listen", "::1:4000", "molia: --listen: write an IPv6 address in brackets, e.g. [::1]:4000, "
                    + "got '::1:4000'"},
            {"--listen", "[::1]:99999", "molia: --listen: port must be in 0..65535, got '[::1]:99999'"},
            {"--listen", "[localhost]:4000", "molia: --listen: 'localhost' is not an IPv4 or IPv6 address "
                    + "(names are not resolved)"},
            {"--bootstrap", "molia://" + "A".repeat(43) + "@[::1:4000", "molia: --bootstrap: bad address 'molia://"
                    + "A".repeat(43) + "@[::1:4000': missing ']' after the IPv6 address in '[::1:4000'"},
            {"--recv-buffer", "lots", "molia: --recv-buffer: expected bytes like 65536, 512k or 4m, got 'lots'"},
            {"--send-buffer", "-1k", "molia: --send-buffer: expected bytes like 65536, 512k or 4m, got '-1k'"},
        };
        for (String[] c : cases) {
            err.getBuffer().setLength(0);
            assertEquals(2, run("node", "--data-dir", dataDir, c[0], c[1]), c[1]);
            assertEquals(c[2] + " (see 'molia node --help')", err.toString().strip());
        }
    }

    @Test
    void devnetRunsChecksItselfAndStops(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String out = captureStdout(() -> assertEquals(0, run("devnet", "--nodes", "5", "--data-dir",
                dir.toString(), "--duration", "1", "--interval", "1")));
        assertTrue(out.matches("(?s).*put from node 0: acknowledged, stored on [34] of 4;.*"), out);
        assertTrue(out.contains("get from node 2: hello from the molia devnet"), out);
        assertTrue(out.contains("5 nodes: 4.0 contacts"), out);
        assertTrue(out.contains("0 dropped in silence"), out);
        assertTrue(out.contains("(the dashboard needs a terminal: reporting here instead"), out);
    }

    @Test
    void dashWithoutATerminalSaysSoInOneLineAndABadIntervalIsNamed(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) {
        assertEquals(1, run("dash", "--data-dir", dir.toString()));
        assertEquals("molia dash needs a terminal (stdin and stdout a TTY); `molia admin watch` works without one",
                err.toString().strip());
        err.getBuffer().setLength(0);
        assertEquals(2, run("dash", "--data-dir", dir.toString(), "--interval", "50ms"));
        assertEquals("molia: --interval: must be between 100ms and 1h, not 50ms (see 'molia dash --help')",
                err.toString().strip());
    }

    @Test
    void theShellAndAdminPickADevnetNodeByNumber(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        var devnetOut = new java.util.concurrent.atomic.AtomicReference<String>();
        Thread devnet = new Thread(() -> devnetOut.set(captureStdout(() -> run("devnet", "--nodes", "4", "--data-dir",
                dir.toString(), "--duration", "6", "--interval", "5"))));
        devnet.start();
        java.nio.file.Path socket = dir.resolve("node-3").resolve("admin.sock");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!java.nio.file.Files.exists(socket) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        CommandLine cli = MoliaCommand.newCommandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("admin", "--node", "3", "--data-dir", dir.toString(), "info", "--json"));
        String id = new ObjectMapper().readTree(out.toString()).get("info").get("node_id").asText();
        devnet.join(60_000);
        assertTrue(devnetOut.get().lines().anyMatch(l -> l.startsWith("3 ") && l.contains(id.substring(0, 16))),
                "node 3 of the devnet table is " + id + ":\n" + devnetOut.get());
        assertTrue(!java.nio.file.Files.exists(socket), "the devnet removed its admin sockets when it stopped");
    }

    @Test
    void aBadFlagIsNamedAndExitsWithUsageError() {
        assertEquals(2, run("sim", "--nodez", "5"));
        assertTrue(err.toString().contains("--nodez"), err.toString());
    }

    @Test
    void aBadValueGetsAOneLineError() {
        assertEquals(2, run("sim", "--nodes", "1", "--no-progress"));
        assertEquals("molia: --nodes: must be at least 2, not 1 (see 'molia sim --help')", err.toString().strip());
    }

    @Test
    void simPrintsJsonWithStableFields() throws Exception {
        String out = captureStdout(() -> assertEquals(0,
                run("sim", "--nodes", "300", "--lookups", "50", "--seed", "2", "--json", "--no-progress")));
        JsonNode json = new ObjectMapper().readTree(out);
        assertEquals(300, json.get("nodes").asInt());
        assertEquals(50, json.get("lookups_issued").asInt());
        assertTrue(json.get("success_rate").asDouble() >= 0.9);
        assertTrue(json.get("latency_ms").get("p95").asDouble() >= json.get("latency_ms").get("p50").asDouble());
    }

    /** {@code --nat-share} adds the NAT figures to the JSON; NAT flags without it, or a bad mix, are usage errors. */
    @Test
    void simWithNatsPrintsTheirFiguresAndRefusesStrayNatFlags() throws Exception {
        String out = captureStdout(() -> assertEquals(0, run("sim", "--nodes", "300", "--lookups", "40", "--seed", "2",
                "--warmup", "20", "--duration", "20", "--nat-share", "0.6", "--json", "--no-progress")));
        JsonNode nat = new ObjectMapper().readTree(out).get("nat");
        assertEquals(50, nat.get("mix").get("port_restricted").asInt());
        int live = 0;
        for (JsonNode type : nat.get("by_type")) {
            live += type.get("nodes").asInt();
        }
        assertEquals(300, live, nat.toString());
        assertTrue(nat.get("by_type").get("port-restricted").get("clients").asInt() > 0, nat.toString());
        assertEquals(40, nat.get("lookups_from_natted").get("lookups").asInt()
                + nat.get("lookups_from_public").get("lookups").asInt(), nat.toString());
        assertEquals(2, run("sim", "--nodes", "300", "--nat-mix", "10/20/50/20", "--nat-timeout", "60",
                "--no-progress"));
        assertTrue(err.toString().strip().startsWith("molia: --nat-mix and --nat-timeout describe the NATs of "
                + "--nat-share"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("sim", "--nodes", "300", "--nat-share", "0.6", "--nat-mix", "10/20/50", "--no-progress"));
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().contains("four percentages"), err.toString());
    }

    /**
     * {@code --report} writes a page of inline SVG plots and the run's samples; a second run overlays the first
     * ({@code --compare}); a partition's outcome is on the page; a file that is not a run is refused in one line.
     */
    @Test
    void simReportWritesAPageThatOverlaysAnEarlierRun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path before = dir.resolve("before");
        java.nio.file.Path after = dir.resolve("after");
        captureStdout(() -> assertEquals(0, run("sim", "--nodes", "300", "--lookups", "60", "--seed", "2",
                "--warmup", "10", "--duration", "20", "--no-progress", "--report", before.toString(), "--label",
                "run A")));
        JsonNode runA = new ObjectMapper().readTree(before.resolve("run.json").toFile());
        assertEquals(60, runA.get("samples").get("latency_ms").size());
        captureStdout(() -> assertEquals(0, run("sim", "--nodes", "300", "--lookups", "60", "--seed", "2",
                "--warmup", "10", "--duration", "20", "--no-progress", "--partition", "0.3@15+8", "--report",
                after.toString(), "--label", "run B", "--compare", before.resolve("run.json").toString())));
        String page = java.nio.file.Files.readString(after.resolve("report.html"));
        assertEquals(6, page.split("<svg ", -1).length - 1, "six plots");
        assertTrue(page.contains("run A") && page.contains("run B") && page.contains("across"), page);
        assertTrue(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"),
                "self-contained: nothing fetched");
        err.getBuffer().setLength(0);
        assertEquals(2, run("sim", "--nodes", "300", "--report", dir.resolve("c").toString(), "--compare",
                after.resolve("report.html").toString(), "--no-progress"));
        assertTrue(err.toString().strip().startsWith("molia: --compare: "), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    @Test
    void benchLookupsAndHandshakesNameABadFlagInOneLine() {
        assertEquals(2, run("bench", "lookups", "--target", "molia://nope@127.0.0.1:9"));
        assertTrue(err.toString().strip().startsWith("molia: --target: bad address"), err.toString());
        err.getBuffer().setLength(0);
        String target = new io.molia.node.MoliaAddress(new byte[32], "127.0.0.1", 9).toString();
        assertEquals(2, run("bench", "handshakes", "--target", target, "--count", "0"));
        assertEquals("molia: --count: must be at least 1, not 0 (see 'molia bench handshakes --help')",
                err.toString().strip());
        err.getBuffer().setLength(0);
        assertEquals(2, run("bench", "handshakes", "--target", target, "--concurrency", "5000"));
        assertEquals("molia: --concurrency: must be in 1..1024, not 5000 (see 'molia bench handshakes --help')",
                err.toString().strip());
        err.getBuffer().setLength(0);
        assertEquals(2, run("bench", "lookups", "--target", target, "--duration", "0"));
        assertEquals("molia: --duration: must be more than 0, not 0 (see 'molia bench lookups --help')",
                err.toString().strip());
    }

    @Test
    void benchLookupsAndHandshakesPrintJsonAgainstALiveNode(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // Admission under load off: on a cold JVM the first handshakes cost milliseconds, the node asks this one
        // source for cookies and then limits it to 20 a second, and some of the 50 would time out (CI, stop 25).
        // That defence has its own tests; this one is about what the commands print.
        try (io.molia.node.MoliaNode node = io.molia.node.MoliaNode.start(new io.molia.node.NodeConfig(dir,
                new java.net.InetSocketAddress("127.0.0.1", 0), java.util.List.of(), new byte[32], 1, null)
                .withHandshakeCpuBudget(0))) {
            String target = node.address().toString();
            // Lookups first: the handshakes leave their identities, gone since, in the node's routing table.
            JsonNode lookups = new ObjectMapper().readTree(captureStdout(() -> assertEquals(0,
                    run("bench", "lookups", "--target", target, "--count", "3", "--json"))));
            assertEquals(9, lookups.get("operations").size(), lookups.toString());
            assertEquals(1.0, lookups.get("summary").get("get").get("success_share").asDouble(), lookups.toString());
            assertTrue(lookups.get("summary").get("put").get("mean_hops").isNull(), lookups.toString());
            // Operations that did not run are failures: a 1 ms duration cuts the run short.
            JsonNode cut = new ObjectMapper().readTree(captureStdout(() -> assertEquals(3,
                    run("bench", "lookups", "--target", target, "--count", "50", "--duration", "0.001", "--json"))));
            assertEquals(50, cut.get("summary").get("put").get("planned").asInt(), cut.toString());
            assertEquals(50, cut.get("summary").get("put").get("not_run").asInt(), cut.toString());
            assertEquals(0.0, cut.get("summary").get("put").get("success_share").asDouble(), cut.toString());
            // Lookups that ran in that millisecond (a few on a quiet machine) count; the rest count as failed.
            JsonNode lookup = cut.get("summary").get("lookup");
            assertTrue(lookup.get("not_run").asInt() > 0, cut.toString());
            assertEquals(lookup.get("succeeded").asDouble() / 50, lookup.get("success_share").asDouble(), 1e-9,
                    cut.toString());
            JsonNode handshakes = new ObjectMapper().readTree(captureStdout(() -> assertEquals(0,
                    run("bench", "handshakes", "--target", target, "--count", "50", "--warmup", "0",
                            "--concurrency", "4", "--json"))));
            assertEquals(50, handshakes.get("completed").asInt(), handshakes.toString());
            assertEquals(0, handshakes.get("cookie_replies").asInt(), handshakes.toString());
            assertTrue(handshakes.get("completed_per_second").asDouble() > 0, handshakes.toString());
        }
    }

    @Test
    void benchFloodAgainstANodeThatAnswersNothingIsNoPass(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String target;
        try (io.molia.node.MoliaNode gone = io.molia.node.MoliaNode.start(new io.molia.node.NodeConfig(dir,
                new java.net.InetSocketAddress("127.0.0.1", 0), java.util.List.of(), new byte[32], 1, null))) {
            target = gone.address().toString();
        }
        PrintStream originalErr = System.err;
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        System.setErr(new PrintStream(stderr, true));
        String out;
        try {
            out = captureStdout(() -> assertEquals(3, run("bench", "flood", "--target", target, "--requests", "20",
                    "--warmup", "0", "--sessions", "1", "--concurrency", "1", "--duration", "1")));
        } finally {
            System.setErr(originalErr);
        }
        assertTrue(out.contains(" 0 answered"), out);
        assertTrue(stderr.toString().strip().startsWith("molia bench flood: the node answered none of "),
                stderr.toString());
    }

    @Test
    void wireDecodeNamesAMissingOrBadFileInOneLineAndSaysWhatItCannotDecrypt(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path missing = dir.resolve("none.pcap");
        assertEquals(1, run("wire", "decode", missing.toString()));
        assertEquals("molia wire decode: " + missing + ": no such file", err.toString().strip());
        java.nio.file.Path notACapture = java.nio.file.Files.writeString(dir.resolve("notes.txt"), "hello there");
        err.getBuffer().setLength(0);
        assertEquals(1, run("wire", "decode", notACapture.toString()));
        assertEquals("molia wire decode: " + notACapture + ": not a pcap or pcapng capture (magic 0x68656c6c)",
                err.toString().strip());
        // An empty capture as tcpdump leaves it when nothing matched: a classic pcap header, Ethernet.
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262_144)
                .putInt(1);
        java.nio.file.Path empty = java.nio.file.Files.write(dir.resolve("empty.pcap"), header.array());
        err.getBuffer().setLength(0);
        assertEquals(1, run("wire", "decode", empty.toString(), "--keylog", dir.resolve("keys.log").toString()));
        assertEquals("molia wire decode: key log " + dir.resolve("keys.log") + ": no such file",
                err.toString().strip());
        java.nio.file.Path notKeys = java.nio.file.Files.writeString(dir.resolve("notkeys.log"), "hello = there\n");
        err.getBuffer().setLength(0);
        assertEquals(1, run("wire", "decode", empty.toString(), "--keylog", notKeys.toString()));
        assertTrue(err.toString().strip().startsWith("molia wire decode: key log " + notKeys + " has no key lines"),
                err.toString());
        String out = captureStdout(() -> assertEquals(0, run("wire", "decode", empty.toString())));
        assertEquals("0 datagrams, 0 decrypted; no --keylog given: nothing can be decrypted", out.strip());
        err.getBuffer().setLength(0);
        assertEquals(2, run("wire", "decode", empty.toString(), "--port", "0"));
        assertTrue(err.toString().contains("--port must be in 1..65535, got 0"), err.toString());
    }

    @Test
    void aKeyLogOthersCanReadIsRefusedInOneLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path keys = java.nio.file.Files.writeString(dir.resolve("keys.log"), "");
        java.nio.file.Files.setPosixFilePermissions(keys, java.nio.file.attribute.PosixFilePermissions.fromString(
                "rw-r--r--"));
        assertEquals(1, run("node", "--pow-bits", "4", "--data-dir", dir.resolve("n").toString(), "--listen",
                "127.0.0.1:0",
                "--wg-keylog", keys.toString(), "--no-admin-socket"));
        assertEquals("molia node: key log " + keys + " is readable by others (mode rw-r--r--); run: chmod 600 "
                + keys, err.toString().strip());
    }
}
