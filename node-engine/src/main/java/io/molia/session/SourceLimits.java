package io.molia.session;

import io.molia.contact.NodeAddress;

/**
 * Rate limits on initiations by where they come from (DESIGN §3.5, issue 16 item 4): token buckets per source
 * address (an IPv4 address or an IPv6 /64, which one customer gets), per network (the IPv4 /24 or IPv6 /48 an
 * operator or an attacker controls as one unit, {@link NodeAddress#subnetKey}) and per autonomous system (from an
 * offline {@link AsnTable}; addresses of no known AS skip that bucket). An initiation passes only if each bucket
 * in turn has a token; excess is dropped in silence and counted per limiter ({@code molia_rate_limited_total
 * {limiter="ip|prefix|asn"}}). Each table is fixed-size with eviction ({@link TokenBuckets}), counted.
 *
 * <p>What they apply to, and why:
 * <ul>
 * <li><b>Initiations, while the shard is under load, once the source address is proven</b> (a valid mac2 or a
 *     solved puzzle: both are bound to the address by a secret of the responder). A full initiation is the one
 *     thing a stranger can make a node pay for (about 0.4 ms of CPU here); a turned-away one costs a few µs. Counting
 *     only proven addresses keeps a spoofer from spending the tokens of the addresses it forges, which would lock
 *     honest peers of a victim network out; and rationing only under load keeps a node within its budget from
 *     refusing anyone (a NAT of many users, a devnet on one address), as wireguard-go's rate limiter does.</li>
 * <li><b>Not data of confirmed sessions</b>: a peer that proved its keys is one identity; what it asks of the core
 *     is bounded there (pending requests, records per peer) and by its behaviour score, and its packets cost a
 *     ChaCha20-Poly1305 open, about as much as dropping them would.</li>
 * <li><b>Not cookie or puzzle replies</b>: they are answered at a few µs each, at most one reply per initiation
 *     received, never larger than it (no amplification).</li>
 * </ul>
 * The buckets are per shard (each shard counts what the kernel gives it), so a node of N shards lets a source up to
 * N times the rates below when its traffic spreads over them. Owned by the shard thread; not thread-safe; allocates
 * nothing.
 */
final class SourceLimits {
    /** Per address: wireguard-go's 20 initiations a second, burst 5. */
    static final int IP_PER_SECOND = 20;
    static final int IP_BURST = 5;
    /** Per /24 or /48: five busy addresses' worth. */
    static final int PREFIX_PER_SECOND = 100;
    static final int PREFIX_BURST = 25;
    /** Per AS: a few networks' worth; what one operator may cost a shard under load (~16 % of its thread here). */
    static final int ASN_PER_SECOND = 400;
    static final int ASN_BURST = 100;
    static final int IP_SLOTS = 4096;
    static final int PREFIX_SLOTS = 2048;
    static final int ASN_SLOTS = 1024;

    private final SessionCounters counters;
    private final TokenBuckets ip = new TokenBuckets(IP_SLOTS, IP_PER_SECOND, IP_BURST);
    private final TokenBuckets prefix = new TokenBuckets(PREFIX_SLOTS, PREFIX_PER_SECOND, PREFIX_BURST);
    private final TokenBuckets asn = new TokenBuckets(ASN_SLOTS, ASN_PER_SECOND, ASN_BURST);
    private AsnTable asns = AsnTable.EMPTY;

    SourceLimits(SessionCounters counters) {
        this.counters = counters;
    }

    void setAsnTable(AsnTable table) {
        this.asns = table;
    }

    /**
     * Whether an initiation from {@code from} may be handled now; a refusal is counted by the limiter that said no,
     * and by the source's network and AS ({@link SessionCounters#limitedPrefixes}, {@link SessionCounters#limitedAsns}).
     */
    boolean allow(long nowNs, NodeAddress from) {
        boolean ipv4 = from.isIpv4();
        boolean ok = ip.take(nowNs, from.hi(), ipv4 ? from.lo() : 0);
        counters.rateLimitEvictionsIp = ip.evictions();
        if (!ok) {
            counters.rateLimitedIp++;
            return refused(from, asns.asnOf(from));
        }
        ok = prefix.take(nowNs, from.subnetKey(), 0);
        counters.rateLimitEvictionsPrefix = prefix.evictions();
        if (!ok) {
            counters.rateLimitedPrefix++;
            return refused(from, asns.asnOf(from));
        }
        int as = asns.asnOf(from);
        if (as != 0) {
            ok = asn.take(nowNs, as, 0);
            counters.rateLimitEvictionsAsn = asn.evictions();
            if (!ok) {
                counters.rateLimitedAsn++;
                return refused(from, as);
            }
        }
        return true;
    }

    private boolean refused(NodeAddress from, int as) {
        counters.limitedPrefixes.offer(from.subnetKey());
        if (as != 0) {
            counters.limitedAsns.offer(as);
        }
        return false;
    }
}
