package io.molia.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

/**
 * One figure of the node, read from a source {@code S} (a shard's counters, the node, the admin server): the one
 * place where its admin name (a key of the admin {@code metrics} view's counters) and its Prometheus family are
 * tied, so the two exports cannot drift apart. The mapping, documented in {@code docs/metrics.md}: the family is
 * {@code molia_<name>} unless named otherwise (a counter gets {@code _total} in the text format), values in
 * nanoseconds are exported in seconds ({@code _seconds}), and figures that share a family tell themselves apart
 * by a label ({@code reason} unless named otherwise). With several sources, Prometheus gets one data point per source labelled
 * {@code shard}; the admin view gets their sum, or one value per shard ({@code shard_<i>_<name>}) for figures
 * that only make sense per shard.
 *
 * @param scale    what a value is multiplied by for Prometheus (1e-9: nanoseconds to seconds)
 * @param labelName the name of the label that tells the figures of a shared family apart ({@code reason})
 * @param reason   that label's value within a shared family, or null
 * @param perShard the admin view shows one value per shard instead of the sum
 */
public record Figure<S>(String name, boolean counter, String family, String labelName, String reason, double scale,
        boolean perShard, String help, ToLongFunction<S> read) {
    private static final String REASON = "reason";

    public static <S> Figure<S> counter(String name, String help, ToLongFunction<S> read) {
        return new Figure<>(name, true, "molia_" + name, REASON, null, 1, false, help, read);
    }

    public static <S> Figure<S> gauge(String name, String help, ToLongFunction<S> read) {
        return new Figure<>(name, false, "molia_" + name, REASON, null, 1, false, help, read);
    }

    /** A counter of nanoseconds, exported to Prometheus in seconds ({@code molia_<name without _ns>_seconds}). */
    public static <S> Figure<S> nanosCounter(String name, String help, ToLongFunction<S> read) {
        return new Figure<>(name, true, secondsFamily(name), REASON, null, 1e-9, false, help, read);
    }

    /** A gauge of nanoseconds, exported to Prometheus in seconds ({@code molia_<name without _ns>_seconds}). */
    public static <S> Figure<S> nanosGauge(String name, String help, ToLongFunction<S> read) {
        return new Figure<>(name, false, secondsFamily(name), REASON, null, 1e-9, false, help, read);
    }

    private static String secondsFamily(String name) {
        return "molia_" + (name.endsWith("_ns") ? name.substring(0, name.length() - 3) : name) + "_seconds";
    }

    /** This figure under another Prometheus family name (one that predates this table). */
    public Figure<S> inFamily(String otherFamily) {
        return new Figure<>(name, counter, otherFamily, labelName, reason, scale, perShard, help, read);
    }

    /** This figure as the data points {@code reason} of a family it shares with others. */
    public Figure<S> inFamily(String sharedFamily, String reasonLabel) {
        return new Figure<>(name, counter, sharedFamily, REASON, reasonLabel, scale, perShard, help, read);
    }

    /** This figure as the data points {@code label="value"} of a family it shares with others. */
    public Figure<S> inFamily(String sharedFamily, String label, String value) {
        return new Figure<>(name, counter, sharedFamily, label, value, scale, perShard, help, read);
    }

    /** Shown per shard in the admin view ({@code shard_<i>_<name>}), not summed. */
    public Figure<S> shownPerShard() {
        return new Figure<>(name, counter, family, labelName, reason, scale, true, help, read);
    }

    /** The admin view's counters: each figure summed over {@code sources} (or one per shard), into {@code out}. */
    public static <S> void addTo(Map<String, Long> out, List<Figure<S>> figures, List<? extends S> sources) {
        for (Figure<S> f : figures) {
            long sum = 0;
            for (int i = 0; i < sources.size(); i++) {
                long v = f.read.applyAsLong(sources.get(i));
                if (f.perShard) {
                    if (v >= 0) {
                        out.put("shard_" + i + "_" + f.name, v);
                    }
                } else {
                    sum += v;
                }
            }
            if (!f.perShard) {
                out.put(f.name, sum);
            }
        }
    }

    /**
     * The Prometheus families of {@code figures}: one data point per source, labelled {@code shard} when
     * {@code labelShards}. A value below 0 means "not measured here" and is left out.
     */
    public static <S> List<MetricSnapshot> snapshots(List<Figure<S>> figures, List<? extends S> sources,
            boolean labelShards) {
        Map<String, Object> builders = new LinkedHashMap<>();
        for (Figure<S> f : figures) {
            Object b = builders.computeIfAbsent(f.family, name -> f.counter
                    ? CounterSnapshot.builder().name(name).help(f.help)
                    : GaugeSnapshot.builder().name(name).help(f.help));
            for (int i = 0; i < sources.size(); i++) {
                long v = f.read.applyAsLong(sources.get(i));
                if (v < 0) {
                    continue;
                }
                Labels labels = labelShards ? Labels.of("shard", String.valueOf(i)) : Labels.EMPTY;
                if (f.reason != null) {
                    labels = labels.add(f.labelName, f.reason);
                }
                double value = v * f.scale;
                if (b instanceof CounterSnapshot.Builder c) {
                    c.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build());
                } else {
                    ((GaugeSnapshot.Builder) b).dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels)
                            .value(value).build());
                }
            }
        }
        List<MetricSnapshot> all = new ArrayList<>();
        for (Object b : builders.values()) {
            all.add(b instanceof CounterSnapshot.Builder c ? c.build() : ((GaugeSnapshot.Builder) b).build());
        }
        return all;
    }
}
