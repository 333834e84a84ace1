package io.molia.sim;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The page {@code molia sim --report DIR} writes: one or more runs overlaid (before/after a change) as inline SVG
 * plots — latency and "finished" CDFs, hops, requests per lookup, success and latency over simulated time — and
 * their summaries. Self-contained: no script, no style sheet or font fetched.
 */
public final class HtmlReport {
    private static final int CDF_POINTS = 400;

    private HtmlReport() {
    }

    public static String render(List<ReportRun> runs) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>molia sim report</title>\n")
                .append("<style>body{font-family:sans-serif;margin:16px;color:#222}table{border-collapse:collapse;"
                        + "font-size:13px;margin-bottom:14px}td,th{border:1px solid #ccc;padding:3px 7px;text-align:"
                        + "right}th:first-child,td:first-child{text-align:left}.grid{display:flex;flex-wrap:wrap;"
                        + "gap:8px}svg{border:1px solid #eee}</style></head><body>\n")
                .append("<h2>molia sim</h2>\n");
        summaryTable(h, runs);
        partitionTable(h, runs);
        sybilTable(h, runs);
        h.append("<div class=\"grid\">\n");
        h.append(cdf("Latency: closest node answered (CDF)", "ms", runs, r -> r.latencyMs()));
        h.append(cdf("Lookup finished: k closest responsive answered (CDF)", "ms", runs, r -> r.finishedMs()));
        h.append(overTime("Success over simulated time", "success", runs, false));
        h.append(overTime("Latency over simulated time (P50 solid, P95 dashed)", "ms", runs, true));
        h.append(hops(runs));
        h.append(cdf("Requests per lookup (CDF)", "requests", runs, r -> toDoubles(r.requests())));
        h.append("</div>\n</body></html>\n");
        return h.toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void summaryTable(StringBuilder h, List<ReportRun> runs) {
        h.append("<table><tr><th>run</th><th>nodes</th><th>churn /min</th><th>loss</th><th>seed</th><th>lookups</th>"
                + "<th>success</th><th>k closest</th><th>latency P50 / P95 / P99 ms</th>"
                + "<th>finished P50 / P95 / P99 ms</th><th>hops</th><th>req/lookup</th><th>datagrams</th>"
                + "<th>digest</th></tr>\n");
        for (int i = 0; i < runs.size(); i++) {
            ReportRun r = runs.get(i);
            JsonNode s = r.summary();
            h.append("<tr><td><span style=\"color:").append(color(i)).append("\">&#9632;</span> ")
                    .append(escape(r.label())).append("</td>")
                    .append(td(s.path("nodes").asText())).append(td(s.path("churn_per_minute").asText()))
                    .append(td(pct(s.path("loss").asDouble()))).append(td(s.path("seed").asText()))
                    .append(td(s.path("lookups_completed").asText())).append(td(pct(s.path("success_rate").asDouble())))
                    .append(td(pct(s.path("k_closest_share").asDouble()))).append(td(triple(s.path("latency_ms"))))
                    .append(td(triple(s.path("termination_ms")))).append(td(s.path("mean_hops").asText()))
                    .append(td(s.path("messages_per_lookup").asText())).append(td(s.path("datagrams_sent").asText()))
                    .append(td(s.path("trace_digest").asText())).append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void partitionTable(StringBuilder h, List<ReportRun> runs) {
        if (runs.stream().noneMatch(r -> r.summary().has("partition"))) {
            return;
        }
        h.append("<table><tr><th>partition</th><th>region</th><th>cut at / for</th><th>success before</th>"
                + "<th>during: inside</th><th>outside</th><th>across</th><th>after the heal</th>"
                + "<th>back to 99 % after</th></tr>\n");
        for (ReportRun r : runs) {
            JsonNode p = r.summary().path("partition");
            if (p.isMissingNode()) {
                continue;
            }
            double recovery = p.path("recovery_to_99_s").asDouble();
            h.append("<tr><td>").append(escape(r.label())).append("</td>")
                    .append(td(pct(p.path("fraction").asDouble()) + " of sites, " + p.path("nodes_inside").asText()
                            + " nodes"))
                    .append(td(p.path("start_s").asText() + " s / " + p.path("duration_s").asText() + " s"))
                    .append(td(rate(p.path("before")))).append(td(rate(p.path("inside"))))
                    .append(td(rate(p.path("outside")))).append(td(rate(p.path("across"))))
                    .append(td(rate(p.path("after"))))
                    .append(td(recovery < 0 ? "not within the run" : String.format(Locale.ROOT, "%.0f s", recovery)))
                    .append("</tr>\n");
        }
        h.append("</table>\n");
    }

    /** Runs with an adversary: what their gets returned, at what latency and cost, and what the Sybils paid. */
    private static void sybilTable(StringBuilder h, List<ReportRun> runs) {
        if (runs.stream().noneMatch(r -> r.summary().has("sybils"))) {
            return;
        }
        h.append("<table><tr><th>Sybils</th><th>count, behaviour, placement</th><th>disjoint paths</th><th>gets</th>"
                + "<th>lookup success</th><th>correct values</th><th>wrong values</th><th>forged sent / refused</th>"
                + "<th>latency P50 / P95 / P99 ms</th><th>req/get</th><th>attackers' cost at 25 bits</th>"
                + "<th>victim's table: Sybils</th></tr>\n");
        for (ReportRun r : runs) {
            JsonNode y = r.summary().path("sybils");
            if (y.isMissingNode()) {
                continue;
            }
            String victim = y.has("victim_table_sybil_share_start")
                    ? pct(y.path("victim_table_sybil_share_start").asDouble()) + " → "
                            + pct(y.path("victim_table_sybil_share_end").asDouble()) : "–";
            h.append("<tr><td>").append(escape(r.label())).append("</td>")
                    .append(td(y.path("sybils").asText() + ", " + y.path("behaviour").asText() + ", "
                            + y.path("placement").asText()))
                    .append(td(y.path("disjoint_paths").asText()))
                    .append(td(y.path("gets").asText())).append(td(pct(y.path("lookup_success").asDouble())))
                    .append(td(pct(y.path("correct_value_rate").asDouble())))
                    .append(td(y.path("wrong_values").asText()))
                    .append(td(y.path("forged_sent").asText() + " / " + y.path("forged_rejected").asText()))
                    .append(td(triple(r.summary().path("latency_ms"))))
                    .append(td(r.summary().path("messages_per_lookup").asText()))
                    .append(td(y.path("core_hours_at_pow_25").asText() + " core-hours"))
                    .append(td(victim)).append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private interface Column {
        double[] of(ReportRun r);
    }

    private static String cdf(String title, String unit, List<ReportRun> runs, Column column) {
        double xMax = 0;
        for (ReportRun r : runs) {
            double[] v = sorted(column.of(r));
            if (v.length > 0) {
                xMax = Math.max(xMax, v[Math.min(v.length - 1, (int) Math.ceil(0.995 * v.length) - 1)] * 1.05);
            }
        }
        SvgChart chart = new SvgChart(title, unit, "share of lookups", xMax, 1);
        for (int i = 0; i < runs.size(); i++) {
            double[] v = sorted(column.of(runs.get(i)));
            int points = Math.min(v.length, CDF_POINTS);
            double[] xs = new double[points + 1];
            double[] ys = new double[points + 1];
            for (int p = 1; p <= points; p++) {
                int index = (int) Math.ceil((double) p * v.length / points) - 1;
                xs[p] = v[index];
                ys[p] = (index + 1.0) / v.length;
            }
            xs[0] = points > 0 ? v[0] : 0;
            chart.line(color(i), xs, ys, false, runs.get(i).label());
        }
        return chart.render();
    }

    private static String hops(List<ReportRun> runs) {
        int maxHops = 1;
        for (ReportRun r : runs) {
            for (int hop : r.hops()) {
                maxHops = Math.max(maxHops, Math.min(hop, 12));
            }
        }
        double yMax = 0;
        double[][] shares = new double[runs.size()][maxHops + 1];
        for (int i = 0; i < runs.size(); i++) {
            int[] hops = runs.get(i).hops();
            for (int hop : hops) {
                shares[i][Math.min(hop, maxHops)] += 1.0 / hops.length;
            }
            for (double s : shares[i]) {
                yMax = Math.max(yMax, s);
            }
        }
        double[] xs = new double[maxHops + 1];
        for (int x = 0; x <= maxHops; x++) {
            xs[x] = x;
        }
        SvgChart chart = new SvgChart("Hops to the closest node", "hops", "share of lookups", maxHops + 0.5,
                yMax * 1.1);
        double width = 0.8 / runs.size();
        for (int i = 0; i < runs.size(); i++) {
            chart.bars(color(i), xs, shares[i], width, -0.4 + width * (i + 0.5), runs.get(i).label());
        }
        return chart.render();
    }

    /** Per window of simulated time: the share of lookups that succeeded, or their latency P50 and P95. */
    private static String overTime(String title, String yLabel, List<ReportRun> runs, boolean latency) {
        double end = 0;
        for (ReportRun r : runs) {
            for (double s : r.startSeconds()) {
                end = Math.max(end, s);
            }
        }
        double window = Math.max(PartitionOutcome.WINDOW_SECONDS, end / 60);
        int windows = (int) (end / window) + 1;
        double[][] p50 = new double[runs.size()][];
        double[][] p95 = new double[runs.size()][];
        double[][] success = new double[runs.size()][];
        double yMax = 1;
        for (int i = 0; i < runs.size(); i++) {
            ReportRun r = runs.get(i);
            p50[i] = new double[windows];
            p95[i] = new double[windows];
            success[i] = new double[windows];
            for (int w = 0; w < windows; w++) {
                double from = w * window;
                double to = from + window;
                double[] in = inWindow(r, from, to, r.latencyMs());
                int ok = 0;
                for (int j = 0; j < r.ok().length; j++) {
                    ok += r.ok()[j] && r.startSeconds()[j] >= from && r.startSeconds()[j] < to ? 1 : 0;
                }
                success[i][w] = in.length == 0 ? Double.NaN : (double) ok / in.length;
                p50[i][w] = in.length == 0 ? Double.NaN : rank(in, 0.5);
                p95[i][w] = in.length == 0 ? Double.NaN : rank(in, 0.95);
                if (latency && in.length > 0) {
                    yMax = Math.max(yMax, p95[i][w] * 1.1);
                }
            }
        }
        double[] xs = new double[windows];
        for (int w = 0; w < windows; w++) {
            xs[w] = (w + 0.5) * window;
        }
        SvgChart chart = new SvgChart(title, "simulated seconds (" + (long) window + "-s windows of lookup starts)",
                yLabel, windows * window, yMax);
        for (ReportRun r : runs) {
            JsonNode p = r.summary().path("partition");
            if (!p.isMissingNode()) {
                double start = p.path("start_s").asDouble();
                chart.shade(start, start + p.path("duration_s").asDouble(), "cut (" + r.label() + ")");
            }
        }
        for (int i = 0; i < runs.size(); i++) {
            String label = runs.get(i).label();
            if (latency) {
                chart.line(color(i), xs, p50[i], false, label + " P50");
                chart.line(color(i), xs, p95[i], true, label + " P95");
            } else {
                chart.line(color(i), xs, success[i], false, label);
            }
        }
        return chart.render();
    }

    private static double[] inWindow(ReportRun r, double from, double to, double[] values) {
        double[] in = new double[values.length];
        int n = 0;
        for (int j = 0; j < values.length; j++) {
            if (r.startSeconds()[j] >= from && r.startSeconds()[j] < to) {
                in[n++] = values[j];
            }
        }
        return sorted(Arrays.copyOf(in, n));
    }

    private static double rank(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static double[] sorted(double[] v) {
        double[] copy = v.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static double[] toDoubles(int[] v) {
        return Arrays.stream(v).asDoubleStream().toArray();
    }

    private static String color(int i) {
        return SvgChart.COLORS[i % SvgChart.COLORS.length];
    }

    private static String td(String s) {
        return "<td>" + escape(s) + "</td>";
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f %%", v * 100);
    }

    private static String triple(JsonNode p) {
        return String.format(Locale.ROOT, "%.0f / %.0f / %.0f", p.path("p50").asDouble(), p.path("p95").asDouble(),
                p.path("p99").asDouble());
    }

    private static String rate(JsonNode r) {
        return pct(r.path("success_rate").asDouble()) + " of " + r.path("lookups").asText();
    }
}
