package io.molia.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * One run as the report page draws it: its label, its summary (the {@code --json} fields) and every measured lookup.
 * Written beside the page as {@code run.json}, so a later run can be overlaid on it ({@code --compare}).
 */
public record ReportRun(String label, JsonNode summary, double[] startSeconds, double[] latencyMs, double[] finishedMs,
        int[] hops, int[] requests, boolean[] ok) {
    public static final String FILE = "run.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** This run, from its report. */
    public static ReportRun of(String label, SimReport report) {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("label", label);
        file.put("summary", report.toJsonMap());
        file.put("samples", report.samplesJsonMap());
        return parse(JSON.valueToTree(file), "this run");
    }

    /** A run written by an earlier {@code --report}; a one-line error if the file is not one. */
    public static ReportRun read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("--compare: cannot read " + file + ": " + e.getMessage().lines()
                    .findFirst().orElse(""));
        }
        if (root == null || !root.has("summary") || !root.path("samples").has("latency_ms")) {
            throw new IllegalArgumentException("--compare: " + file + " is not a " + FILE + " written by molia sim "
                    + "--report");
        }
        return parse(root, file.toString());
    }

    /** Writes this run as {@code dir/run.json}. */
    public void write(Path dir) {
        Map<String, Object> samples = new LinkedHashMap<>();
        samples.put("start_s", startSeconds);
        samples.put("latency_ms", latencyMs);
        samples.put("finished_ms", finishedMs);
        samples.put("hops", hops);
        samples.put("requests", requests);
        samples.put("ok", ok);
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("label", label);
        file.put("summary", summary);
        file.put("samples", samples);
        try {
            Files.createDirectories(dir);
            JSON.disable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(FILE).toFile(), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ReportRun parse(JsonNode root, String fallbackLabel) {
        JsonNode s = root.path("samples");
        int n = s.path("latency_ms").size();
        double[] start = new double[n];
        double[] latency = new double[n];
        double[] finished = new double[n];
        int[] hops = new int[n];
        int[] requests = new int[n];
        boolean[] ok = new boolean[n];
        for (int i = 0; i < n; i++) {
            start[i] = s.path("start_s").path(i).asDouble();
            latency[i] = s.path("latency_ms").path(i).asDouble();
            finished[i] = s.path("finished_ms").path(i).asDouble();
            hops[i] = s.path("hops").path(i).asInt();
            requests[i] = s.path("requests").path(i).asInt();
            JsonNode o = s.path("ok").path(i);
            ok[i] = o.isBoolean() ? o.asBoolean() : o.asInt() == 1;
        }
        return new ReportRun(root.path("label").asText(fallbackLabel), root.path("summary"), start, latency, finished,
                hops, requests, ok);
    }
}
