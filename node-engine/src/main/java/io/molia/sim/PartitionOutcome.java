package io.molia.sim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Partition} did to the measured lookups: success before the cut, during it (inside the region,
 * outside it, across it) and after the heal, and how long after the heal success came back to 99 %.
 *
 * @param partition       the scenario
 * @param nodesInside     initial nodes placed on the region's sites
 * @param before          lookups started before the cut
 * @param inside          started during the cut, origin and closest node in the region
 * @param outside         started during the cut, both outside it
 * @param across          started during the cut, one on each side
 * @param after           started after the heal
 * @param recoverySeconds seconds from the heal to the start of the first {@value #WINDOW_SECONDS}-second window from
 *                        which every window's success is at least 99 %; negative if that never happened in the run
 * @param datagramsCut    datagrams lost to the cut
 */
public record PartitionOutcome(Partition partition, int nodesInside, Rate before, Rate inside, Rate outside,
        Rate across, Rate after, double recoverySeconds, long datagramsCut) {
    static final double WINDOW_SECONDS = 5;
    private static final double RECOVERED = 0.99;

    /** Lookups of one group and the share that succeeded. */
    public record Rate(int lookups, double success) {
        static Rate of(List<LookupSample> samples) {
            long ok = samples.stream().filter(LookupSample::ok).count();
            return new Rate(samples.size(), samples.isEmpty() ? 0 : (double) ok / samples.size());
        }

        Map<String, Object> toJsonMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lookups", lookups);
            m.put("success_rate", Math.round(success * 10_000) / 10_000.0);
            return m;
        }

        @Override
        public String toString() {
            return String.format("%.2f%% of %d", success * 100, lookups);
        }
    }

    static PartitionOutcome of(Partition p, int nodesInside, List<LookupSample> samples, long datagramsCut) {
        double startS = p.startSeconds();
        double healS = p.healSeconds();
        List<LookupSample> during = samples.stream().filter(s -> s.side() != LookupSample.Side.NO_CUT).toList();
        return new PartitionOutcome(p, nodesInside,
                Rate.of(samples.stream().filter(s -> s.startSeconds() < startS).toList()),
                Rate.of(during.stream().filter(s -> s.side() == LookupSample.Side.INSIDE).toList()),
                Rate.of(during.stream().filter(s -> s.side() == LookupSample.Side.OUTSIDE).toList()),
                Rate.of(during.stream().filter(s -> s.side() == LookupSample.Side.ACROSS).toList()),
                Rate.of(samples.stream().filter(s -> s.startSeconds() >= healS).toList()),
                recoverySeconds(samples, healS), datagramsCut);
    }

    private static double recoverySeconds(List<LookupSample> samples, double healS) {
        int windows = 0;
        for (LookupSample s : samples) {
            if (s.startSeconds() >= healS) {
                windows = Math.max(windows, (int) ((s.startSeconds() - healS) / WINDOW_SECONDS) + 1);
            }
        }
        int[] count = new int[windows];
        int[] ok = new int[windows];
        for (LookupSample s : samples) {
            if (s.startSeconds() >= healS) {
                int w = (int) ((s.startSeconds() - healS) / WINDOW_SECONDS);
                count[w]++;
                ok[w] += s.ok() ? 1 : 0;
            }
        }
        int first = -1;
        for (int w = windows - 1; w >= 0; w--) {
            if (count[w] > 0 && ok[w] < RECOVERED * count[w]) {
                break;
            }
            first = w;
        }
        return first < 0 ? -1 : first * WINDOW_SECONDS;
    }

    Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fraction", partition.fraction());
        m.put("start_s", partition.startSeconds());
        m.put("duration_s", partition.durationSeconds());
        m.put("nodes_inside", nodesInside);
        m.put("before", before.toJsonMap());
        m.put("inside", inside.toJsonMap());
        m.put("outside", outside.toJsonMap());
        m.put("across", across.toJsonMap());
        m.put("after", after.toJsonMap());
        m.put("recovery_to_99_s", recoverySeconds);
        m.put("datagrams_cut", datagramsCut);
        return m;
    }
}
