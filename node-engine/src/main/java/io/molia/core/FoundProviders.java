package io.molia.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.molia.contact.NodeId;
import io.molia.record.SignedNodeRecord;

/**
 * The providers a lookup found, each with how many of the holders that answered named it. Anyone can sign a record
 * claiming to provide a key, so one holder's word is weak: a Sybil answering first with 20 providers of its own
 * making would otherwise end a lookup for 20 at once and fill its result. Every provider announced to the key's k
 * closest is named by most of them, so a lookup ends early only on providers two holders named, and its result
 * lists the most named first.
 */
final class FoundProviders {
    /** Holders that must name a provider before it counts toward ending a lookup early. */
    static final int CORROBORATING_HOLDERS = 2;

    private final Map<NodeId, Found> byId = new LinkedHashMap<>();
    private int answers;
    private int corroborated;

    private static final class Found {
        SignedNodeRecord record;
        int holders;
        int lastAnswer;
        final int order;

        Found(SignedNodeRecord record, int order) {
            this.record = record;
            this.order = order;
        }
    }

    /** One holder's answer (or this node's own store): its valid providers, each counted once whatever it repeats. */
    void addAnswer(List<SignedNodeRecord> valid) {
        int answer = ++answers;
        for (SignedNodeRecord p : valid) {
            Found f = byId.computeIfAbsent(p.id(), id -> new Found(p, byId.size()));
            if (f.record.seq() < p.seq()) {
                f.record = p;
            }
            if (f.lastAnswer != answer) {
                f.lastAnswer = answer;
                if (++f.holders == CORROBORATING_HOLDERS) {
                    corroborated++;
                }
            }
        }
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    /** Providers named by at least {@link #CORROBORATING_HOLDERS} holders. */
    int corroborated() {
        return corroborated;
    }

    /** Up to {@code n} providers, the most named first, then in the order they were found. */
    List<SignedNodeRecord> best(int n) {
        List<Found> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparingInt((Found f) -> -f.holders).thenComparingInt(f -> f.order));
        List<SignedNodeRecord> out = new ArrayList<>(Math.min(n, all.size()));
        for (int i = 0; i < all.size() && i < n; i++) {
            out.add(all.get(i).record);
        }
        return out;
    }
}
