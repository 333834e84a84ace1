package io.molia.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.molia.contact.Contact;
import io.molia.core.lookup.Lookup;

/**
 * Why the measured gets of an attacked run failed, against those that succeeded: who the getter was (joined during
 * the run, how long before), what its routing table gave the lookup to start from (Sybils among the seeds, a holder
 * among them), and where the paths went (holders a path learned of but nobody asked, paths that asked only Sybils).
 * Observing changes nothing the gets do. Owned by the simulation's thread.
 */
final class GetAnalysis {
    /** What the simulator knows of a contact that the getter does not. */
    interface Truth {
        boolean sybil(Contact c);

        /** A live honest node holding the record under the get's key. */
        boolean holder(Contact c, GetTargets.Target record);
    }

    /** The getter and its seeds when the get started. */
    record Start(boolean joiner, double ageSeconds, int seeds, int sybilSeeds, int holderSeeds) {
    }

    /** Where the get's lookup went. */
    record Paths(int holdersSeen, int holdersAsked, int holdersSeenNotAsked, int paths, int pathsAskedOnlySybils,
            int honestAsked, int rounds) {
    }

    private static final class Group {
        int gets;
        int joiners;
        int joinedUnder60s;
        double ageSum;
        double sybilSeedShareSum;
        int noHonestSeed;
        int holderInSeeds;
        int lookups;
        int holderSeen;
        int holderSeenNotAsked;
        int holderAskedNoValue;
        int secondRound;
        double pathsOnlySybilsSum;
        double honestAskedSum;

        Map<String, Object> toJsonMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("gets", gets);
            m.put("getter_joined_during_run", joiners);
            m.put("getter_joined_under_60s_before", joinedUnder60s);
            m.put("getter_mean_age_s", round(ageSum / Math.max(1, gets)));
            m.put("seeds_mean_sybil_share", round(sybilSeedShareSum / Math.max(1, gets)));
            m.put("seeds_without_honest_node", noHonestSeed);
            m.put("seeds_with_holder", holderInSeeds);
            m.put("lookups_observed", lookups);
            m.put("holder_learned", holderSeen);
            m.put("holder_learned_not_asked", holderSeenNotAsked);
            m.put("paths_mean_only_sybils_asked", round(pathsOnlySybilsSum / Math.max(1, lookups)));
            m.put("honest_asked_mean", round(honestAskedSum / Math.max(1, lookups)));
            m.put("second_round", secondRound);
            return m;
        }

        private static double round(double v) {
            return Math.round(v * 1000) / 1000.0;
        }
    }

    private final Truth truth;
    private final Map<Long, Start> started = new HashMap<>();
    private final Map<Long, Paths> ended = new HashMap<>();
    private final Group failed = new Group();
    private final Group succeeded = new Group();

    GetAnalysis(Truth truth) {
        this.truth = truth;
    }

    /** A measured get started ({@code key} names it) from a getter with these seeds. */
    void onStart(long key, boolean joiner, double ageSeconds, List<Contact> seeds, GetTargets.Target record) {
        int sybils = 0;
        int holders = 0;
        for (Contact c : seeds) {
            sybils += truth.sybil(c) ? 1 : 0;
            holders += truth.holder(c, record) ? 1 : 0;
        }
        started.put(key, new Start(joiner, ageSeconds, seeds.size(), sybils, holders));
    }

    /** The lookup of the measured get {@code key} ended; called before its outcome is known. */
    void onLookupFinished(long key, Lookup lookup, GetTargets.Target record) {
        int[] counts = new int[4]; // holders seen, holders asked, holders not asked, honest asked
        int paths = lookup.paths();
        boolean[] askedHonest = new boolean[paths];
        boolean[] askedAny = new boolean[paths];
        List<Contact> notAsked = new ArrayList<>();
        lookup.forEachCandidate((contact, askedBy, learnedBy, answered) -> {
            boolean holder = truth.holder(contact, record);
            if (askedBy >= 0) {
                askedAny[askedBy] = true;
                if (!truth.sybil(contact)) {
                    askedHonest[askedBy] = true;
                    counts[3]++;
                }
            }
            if (holder) {
                counts[0]++;
                counts[askedBy >= 0 ? 1 : 2]++;
            }
        });
        int onlySybils = 0;
        for (int p = 0; p < paths; p++) {
            onlySybils += askedAny[p] && !askedHonest[p] ? 1 : 0;
        }
        ended.put(key, new Paths(counts[0], counts[1], counts[2], paths, onlySybils, counts[3], lookup.rounds()));
    }

    /** The measured get {@code key} completed. */
    void onEnd(long key, boolean correct) {
        Start s = started.remove(key);
        Paths p = ended.remove(key);
        if (s == null) {
            return;
        }
        Group g = correct ? succeeded : failed;
        g.gets++;
        g.joiners += s.joiner ? 1 : 0;
        g.joinedUnder60s += s.joiner && s.ageSeconds < 60 ? 1 : 0;
        g.ageSum += s.ageSeconds;
        g.sybilSeedShareSum += s.seeds == 0 ? 1 : s.sybilSeeds / (double) s.seeds;
        g.noHonestSeed += s.sybilSeeds == s.seeds ? 1 : 0;
        g.holderInSeeds += s.holderSeeds > 0 ? 1 : 0;
        if (p != null) {
            g.lookups++;
            g.holderSeen += p.holdersSeen > 0 ? 1 : 0;
            g.holderSeenNotAsked += p.holdersSeenNotAsked > 0 ? 1 : 0;
            g.holderAskedNoValue += p.holdersAsked > 0 && !correct ? 1 : 0;
            g.pathsOnlySybilsSum += p.pathsAskedOnlySybils;
            g.honestAskedSum += p.honestAsked;
            g.secondRound += p.rounds > 1 ? 1 : 0;
        }
    }

    Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> f = failed.toJsonMap();
        f.put("holder_asked_no_value", failed.holderAskedNoValue);
        m.put("failed", f);
        m.put("succeeded", succeeded.toJsonMap());
        return m;
    }
}
