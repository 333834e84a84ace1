package io.molia.sim;

import io.molia.contact.ProofOfWork;

/**
 * The adversary of a simulated run ({@code molia sim --sybil-fraction}): a share of the network's nodes are Sybils
 * that pay the network's identity proof of work as every honest node does, and place their IDs where they hurt.
 * With an attack the measured operations are gets of records stored before it (immutable and mutable, half each),
 * checked against what was stored: a wrong value is a failure.
 *
 * @param fraction   share of the nodes that are Sybils (they never churn: the attacker keeps them up)
 * @param nearTarget Sybil IDs ground to share a prefix with the measured keys (k around each key), closer to them
 *                   than almost every honest node; else random IDs
 * @param behaviour  what the Sybils do with requests
 * @param eclipse    Sybil IDs ground into one honest node's buckets instead, on its site (its proximity selection
 *                   prefers them): every measured get starts from that node
 * @param powBits    the network's identity proof of work, found by honest nodes and Sybils alike for every identity
 *                   and checked on every contact ({@link ProofOfWork}; the public network's 25 bits are modelled in the
 *                   report's cost, not run: at 10k nodes that would be days of CPU)
 */
public record SybilAttack(double fraction, boolean nearTarget, SybilBehaviour behaviour, boolean eclipse,
        int powBits) {

    public SybilAttack {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("--sybil-fraction must be in [0, 1)");
        }
        if (nearTarget && eclipse) {
            throw new IllegalArgumentException("--sybil-near-target and --eclipse place the Sybils in two different "
                    + "places: give one");
        }
        if (powBits < 0 || powBits > 24) {
            throw new IllegalArgumentException("--pow-bits must be in 0..24 in the simulator (every identity pays it)");
        }
        if (behaviour == null) {
            behaviour = SybilBehaviour.ONLY_SYBILS;
        }
    }

    /** Sybils among {@code nodes}. */
    int sybils(int nodes) {
        return (int) Math.round(fraction * nodes);
    }
}
