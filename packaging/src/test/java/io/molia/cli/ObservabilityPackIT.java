package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The observability pack in packaging/src/main/dist/share against a live node: promtool checks and unit-tests the
 * alert rules; every metric a rule or a dashboard panel reads is one a running `molia node` exports (scraped from
 * its --metrics endpoint), so a renamed metric breaks this test, not an operator's dashboard; promtool finds the
 * scrape clean; and SIGTERM stops the node with exit code 0 (what the systemd unit expects).
 */
class ObservabilityPackIT {
    private static final Path SHARE = Path.of("src", "main", "dist", "share").toAbsolutePath();
    private static final Path RULES = SHARE.resolve("prometheus/molia-alerts.yml");
    private static final Path RULE_TESTS = Path.of("src", "test", "prometheus", "molia-alerts-test.yml")
            .toAbsolutePath();
    private static final Path DASHBOARD = SHARE.resolve("grafana/molia-node.json");
    /** Not the node's: Prometheus's own per-target metric. */
    private static final Set<String> PROMETHEUS_SYNTHETIC = Set.of("up");
    /** The rule group that reads node_exporter's file system metrics (the node does not export disk space). */
    private static final String HOST_GROUP = "molia-host";

    @TempDir
    Path dir;

    @Test
    void rulesAndDashboardReadOnlyWhatALiveNodeExports() throws Exception {
        assertEquals("", promtool("check", "rules", RULES.toString()), "promtool check rules");
        assertEquals("", promtool("test", "rules", RULE_TESTS.toString()), "promtool test rules");

        Map<String, Set<String>> read = new TreeMap<>(); // metric name -> where it is read
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile());
        for (JsonNode group : rules.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                String where = "rule " + rule.get("alert").asText();
                Set<String> names = names(where, rule.get("expr").asText());
                if (group.get("name").asText().equals(HOST_GROUP)) {
                    assertTrue(names.stream().allMatch(n -> n.startsWith("node_")), where
                            + " is in " + HOST_GROUP + ", which reads only node_exporter's metrics: " + names);
                    continue;
                }
                names.forEach(n -> read.computeIfAbsent(n, k -> new TreeSet<>()).add(where));
            }
        }
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        int panels = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            if (panel.get("type").asText().equals("row")) {
                continue;
            }
            panels++;
            for (JsonNode target : panel.get("targets")) {
                String where = "panel '" + panel.get("title").asText() + "'";
                names(where, target.get("expr").asText())
                        .forEach(n -> read.computeIfAbsent(n, k -> new TreeSet<>()).add(where));
            }
        }
        for (JsonNode variable : dashboard.get("templating").get("list")) {
            JsonNode query = variable.path("query").path("query");
            if (!query.isMissingNode()) {
                String metric = query.asText().replaceFirst("^label_values\\(([a-z_:]+),.*$", "$1");
                read.computeIfAbsent(metric, k -> new TreeSet<>()).add("variable " + variable.get("name").asText());
            }
        }
        assertTrue(panels >= 15, "the dashboard has its panels: " + panels);
        assertTrue(read.containsKey("molia_lookup_seconds_bucket") && read.containsKey("molia_dropped_total"),
                "the expressions were read: " + read.keySet());

        Set<String> exported = exportedByALiveNode();
        List<String> missing = new ArrayList<>();
        read.forEach((name, where) -> {
            if (!exported.contains(name) && !PROMETHEUS_SYNTHETIC.contains(name)) {
                missing.add(name + " (read by " + String.join(", ", where) + ")");
            }
        });
        assertEquals(List.of(), missing, "metrics the rules and dashboard read that a live node does not export; "
                + "it exports " + exported);
    }

    private static Set<String> names(String where, String expr) {
        Set<String> names = PromQlNames.of(expr);
        assertFalse(names.isEmpty(), where + " reads no metric: " + expr);
        return names;
    }

    /** Sample names of a live node's scrape (e.g. molia_lookup_seconds_bucket), after promtool found it clean. */
    private Set<String> exportedByALiveNode() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        try (NodeProcesses nodes = new NodeProcesses()) {
            NodeProcesses.Started node = nodes.start(dir.resolve("node"), null, "--metrics", "127.0.0.1:" + port,
                    "--shards", "2");
            HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scrape.statusCode());
            Path text = Files.writeString(dir.resolve("scrape.txt"), scrape.body());
            assertEquals("", promtool(text, "check", "metrics"), "promtool check metrics on the live scrape");

            node.process().destroy(); // SIGTERM
            assertTrue(node.process().waitFor(30, TimeUnit.SECONDS), "the node stops within 30 s of SIGTERM");
            assertEquals(0, node.process().exitValue(), "SIGTERM drains and exits 0");

            Set<String> names = new TreeSet<>();
            for (String line : scrape.body().split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    names.add(line.split("[{ ]", 2)[0]);
                }
            }
            return names;
        }
    }

    private static String promtool(String... args) throws Exception {
        return promtool(null, args);
    }

    /** Runs promtool (Debian's prometheus package; scripts/lib/prereqs.sh installs it); its complaints, or "". */
    private static String promtool(Path stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            fail("promtool is missing: apt-get install prometheus (scripts/test installs it)");
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue() == 0 ? "" : "exit " + p.exitValue() + ": " + out;
    }
}
