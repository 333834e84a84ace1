package io.molia.sim;

/**
 * One measured lookup, as the report's plots over simulated time need it.
 *
 * @param startSeconds simulated seconds since the run began
 * @param latencyMs    until the closest node of the result answered
 * @param finishedMs   until the k closest responsive candidates answered
 * @param hops         hops to the closest node found
 * @param requests     requests the lookup sent
 * @param kShare       share of the true k closest in the result
 * @param ok           the result holds the closest live node
 * @param side         where it stood when it started during a partition
 */
public record LookupSample(double startSeconds, double latencyMs, double finishedMs, int hops, int requests,
        double kShare, boolean ok, Side side) {

    /** A lookup started while a region was cut off: origin and closest node on which sides of the cut. */
    public enum Side {
        /** Not started during a cut. */
        NO_CUT,
        /** Origin and closest node both in the cut-off region. */
        INSIDE,
        /** Both in the rest of the network. */
        OUTSIDE,
        /** One on each side: unreachable until the heal. */
        ACROSS
    }
}
