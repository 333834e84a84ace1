package io.molia.sim;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.molia.contact.ProofOfWork;

/**
 * What an attacked run ({@link SybilAttack}) measured: the gets' outcomes and what the Sybils' identities cost.
 *
 * @param sybils            Sybils in the network
 * @param behaviour         what they did with requests
 * @param placement         {@code near-target}, {@code eclipse} or {@code random}
 * @param prefixBits        prefix bits each Sybil ID shares with its key (near-target; the mean bucket depth for an
 *                          eclipse), 0 for random IDs
 * @param powBits           the network's proof of work every identity paid in the run
 * @param disjointPaths     the honest nodes' d for record reads and writes (1: no disjoint paths)
 * @param sybilHashes       BLAKE3 hashes the attackers computed for their IDs and proofs in the run
 * @param gets              measured gets that completed
 * @param found             of them, those that returned a value (lookup success)
 * @param correct           of them, those that returned exactly the value stored (correct-value rate)
 * @param rejected          forged values and records the honest cores refused on their hash or signature
 * @param forged            forged values and records the Sybils sent
 * @param victimSybilShare  eclipse: share of the victim's table held by Sybils at the start and the end; else -1
 * @param getAnalysis       why gets failed, against those that succeeded ({@link GetAnalysis})
 */
public record SybilOutcome(int sybils, SybilBehaviour behaviour, String placement, int prefixBits, int powBits,
        int disjointPaths, long sybilHashes, int gets, int found, int correct, long rejected, long forged,
        double victimSybilShareStart, double victimSybilShareEnd, Map<String, Object> getAnalysis) {

    /** BLAKE3 hashes of 40 bytes per second on one core here: 3.3 M (docs/benchmarks.md, identity proof of work). */
    static final double HASHES_PER_CORE_SECOND = 3.3e6;

    /**
     * Core-hours the same Sybils would cost on the public network (proof of work {@link ProofOfWork#DEFAULT_BITS}
     * bits): an ID near a key costs 2^prefix candidate keys (hash only here; a real key grinder adds a point addition
     * each), then 2^c nonces, since the proof binds the ID but does not choose it.
     */
    public double coreHoursAtDefaultPow() {
        double perSybil = Math.pow(2, prefixBits) + Math.pow(2, ProofOfWork.DEFAULT_BITS);
        return sybils * perSybil / HASHES_PER_CORE_SECOND / 3600;
    }

    public Map<String, Object> toJsonMap(int denominator) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sybils", sybils);
        m.put("behaviour", behaviour.flag());
        m.put("placement", placement);
        m.put("prefix_bits", prefixBits);
        m.put("pow_bits", powBits);
        m.put("disjoint_paths", disjointPaths);
        m.put("gets", gets);
        m.put("lookup_success", round(found / (double) Math.max(1, denominator)));
        m.put("correct_value_rate", round(correct / (double) Math.max(1, denominator)));
        m.put("wrong_values", found - correct);
        m.put("forged_sent", forged);
        m.put("forged_rejected", rejected);
        m.put("sybil_hashes", sybilHashes);
        m.put("core_hours_at_pow_" + ProofOfWork.DEFAULT_BITS, Math.round(coreHoursAtDefaultPow() * 10) / 10.0);
        if (victimSybilShareStart >= 0) {
            m.put("victim_table_sybil_share_start", round(victimSybilShareStart));
            m.put("victim_table_sybil_share_end", round(victimSybilShareEnd));
        }
        m.put("get_analysis", getAnalysis);
        return m;
    }

    void rows(StringBuilder b, int denominator) {
        row(b, "Sybils", String.format(Locale.ROOT, "%d (%s, %s%s), proof of work %d bits, %d disjoint paths",
                sybils, behaviour.flag(), placement, prefixBits > 0 ? ", " + prefixBits + " prefix bits" : "", powBits,
                disjointPaths));
        row(b, "  gets: lookup success", pct(found, denominator) + " returned a value");
        row(b, "  gets: correct value", pct(correct, denominator) + String.format(Locale.ROOT,
                " (%d wrong values returned)", found - correct));
        row(b, "  forged records", String.format(Locale.ROOT, "%d sent, %d refused by hash or signature", forged,
                rejected));
        row(b, "  attacker's cost", String.format(Locale.ROOT, "%d hashes here; %.1f core-hours at %d bits of "
                + "proof of work", sybilHashes, coreHoursAtDefaultPow(), ProofOfWork.DEFAULT_BITS));
        if (victimSybilShareStart >= 0) {
            row(b, "  victim's table", String.format(Locale.ROOT, "%.0f%% Sybils at the start, %.0f%% at the end",
                    victimSybilShareStart * 100, victimSybilShareEnd * 100));
        }
    }

    private static String pct(int n, int denominator) {
        return String.format(Locale.ROOT, "%.2f%% (%d of %d)", 100.0 * n / Math.max(1, denominator), n, denominator);
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append(String.format("%-28s %s%n", name, value));
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
