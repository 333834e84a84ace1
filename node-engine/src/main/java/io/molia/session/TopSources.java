package io.molia.session;

import java.util.ArrayList;
import java.util.List;

/**
 * The sources (a /24 or /48 network, an autonomous system) the rate limiters dropped most, in fixed memory: the
 * space-saving algorithm (Metwally et al. 2005) over {@link #SLOTS} counters. A source not held takes the slot of the
 * least counted one and inherits its count as its possible overcount ({@link Hits#error}), so any source with more
 * than 1/{@link #SLOTS} of all hits is held, and a held count is never below the truth. Allocates nothing when
 * offered a source; owned by the shard thread and read racily by views, as the counters are.
 */
public final class TopSources {
    /** Counters kept: views show the top ten, and the extra slots keep the overcount of those small. */
    public static final int SLOTS = 32;

    private final long[] keys = new long[SLOTS];
    private final long[] counts = new long[SLOTS];
    private final long[] errors = new long[SLOTS];
    private int used;

    /** One source and its hits: {@code hits - error} of them certainly came from it. */
    public record Hits(long key, long hits, long error) {
    }

    /** One hit of {@code key}. */
    public void offer(long key) {
        add(key, 1, 0);
    }

    /** Adds {@code other}'s counters to these (the sum over shards a view shows). */
    public void addAll(TopSources other) {
        for (int i = 0; i < other.used; i++) {
            add(other.keys[i], other.counts[i], other.errors[i]);
        }
    }

    private void add(long key, long hits, long error) {
        int min = 0;
        for (int i = 0; i < used; i++) {
            if (keys[i] == key) {
                counts[i] += hits;
                errors[i] += error;
                return;
            }
            if (counts[i] < counts[min]) {
                min = i;
            }
        }
        if (used < SLOTS) {
            keys[used] = key;
            counts[used] = hits;
            errors[used] = error;
            used++;
            return;
        }
        keys[min] = key;
        errors[min] = counts[min] + error;
        counts[min] += hits;
    }

    /** The {@code n} most counted sources, most first. */
    public List<Hits> top(int n) {
        List<Hits> all = new ArrayList<>(used);
        for (int i = 0; i < used; i++) {
            all.add(new Hits(keys[i], counts[i], errors[i]));
        }
        all.sort((a, b) -> Long.compare(b.hits(), a.hits()));
        return all.subList(0, Math.min(n, all.size()));
    }
}
