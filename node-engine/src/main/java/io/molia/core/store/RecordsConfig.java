package io.molia.core.store;

import java.util.concurrent.TimeUnit;

import io.molia.record.MutableRecord;

/**
 * The parameters of provider records, mutable records and path caching (DESIGN §3.7). Times in nanoseconds.
 *
 * @param providerTtlNs        how long a provider entry lives unless refreshed (IPFS: 48 h)
 * @param providerRepublishNs  how often a provider re-announces what it provides (IPFS: 22 h)
 * @param mutableTtlNs         how long a mutable record lives unless republished (BEP 44: 24 h here too)
 * @param mutableRepublishNs   how often the owner republishes its mutable records
 * @param maxProvidersPerKey   providers held per key; more are refused and counted
 * @param maxKeysPerProvider   keys held per provider; more are refused and counted
 * @param maxProviderEntries   provider entries held in all
 * @param maxMutableRecords    mutable records held
 * @param maxMutableBytes      bytes of mutable records held
 * @param readWaitNs           after a read's first valid answer, how long it waits for more: a mutable get for a
 *                             higher seq, a provider lookup for other holders' providers
 * @param wantedProviders      a provider lookup ends once it found this many
 * @param cacheTtlMinNs        shortest TTL of a copy cached along a get's path (the farthest node)
 * @param cacheTtlMaxNs        longest TTL of a cached copy (a node next to the record's holders)
 * @param replicateIntervalNs  how often a holder checks that a key's k closest still hold it (Kademlia, IPFS: 1 h);
 *                             a key stored or refreshed within the interval is not checked (its writer just did)
 * @param replicationProbesPerMinute  probes (does this peer hold the key?) a core sends per minute to hand records to
 *                             newcomers, repair missing replicas and widen hot keys; the rest waits a minute
 * @param hotReadsPerMinute    reads of one key answered in a minute that make it hot: it is replicated wider
 * @param hotExtraReplicas     a hot key is held by the k + this many closest contacts the holder knows
 * @param blobTtlNs            how long a blob object (fragment, manifest) held for others lives unless pushed again
 */
public record RecordsConfig(
        long providerTtlNs,
        long providerRepublishNs,
        long mutableTtlNs,
        long mutableRepublishNs,
        int maxProvidersPerKey,
        int maxKeysPerProvider,
        int maxProviderEntries,
        int maxMutableRecords,
        long maxMutableBytes,
        long readWaitNs,
        int wantedProviders,
        long cacheTtlMinNs,
        long cacheTtlMaxNs,
        long replicateIntervalNs,
        int replicationProbesPerMinute,
        int hotReadsPerMinute,
        int hotExtraReplicas,
        long blobTtlNs) {

    public RecordsConfig {
        if (providerRepublishNs <= 0 || providerRepublishNs >= providerTtlNs) {
            throw new IllegalArgumentException("the provider republish interval must be positive and below the TTL");
        }
        if (mutableRepublishNs <= 0 || mutableRepublishNs >= mutableTtlNs) {
            throw new IllegalArgumentException("the mutable republish interval must be positive and below the TTL");
        }
        if (cacheTtlMinNs <= 0 || cacheTtlMaxNs < cacheTtlMinNs) {
            throw new IllegalArgumentException("cache TTLs must satisfy 0 < min <= max");
        }
        if (replicateIntervalNs <= 0 || replicationProbesPerMinute < 0 || hotReadsPerMinute <= 0
                || hotExtraReplicas < 0) {
            throw new IllegalArgumentException("replication needs a positive interval and read threshold, and "
                    + "non-negative probe budget and extra replicas");
        }
        if (blobTtlNs <= 0) {
            throw new IllegalArgumentException("the blob TTL must be positive");
        }
    }

    public static RecordsConfig defaults() {
        return new RecordsConfig(TimeUnit.HOURS.toNanos(48), TimeUnit.HOURS.toNanos(22), TimeUnit.HOURS.toNanos(24),
                TimeUnit.HOURS.toNanos(1), 20, 10_000, 100_000, 100_000, 64L << 20,
                TimeUnit.MILLISECONDS.toNanos(250), 20, TimeUnit.MINUTES.toNanos(5), TimeUnit.MINUTES.toNanos(30),
                TimeUnit.HOURS.toNanos(1), 600, 60, 10, TimeUnit.DAYS.toNanos(7));
    }

    /** These settings with the provider TTL and republish interval an operator chose. */
    public RecordsConfig withProviderTimes(long ttlNs, long republishNs) {
        return new RecordsConfig(ttlNs, republishNs, mutableTtlNs, mutableRepublishNs, maxProvidersPerKey,
                maxKeysPerProvider, maxProviderEntries, maxMutableRecords, maxMutableBytes, readWaitNs,
                wantedProviders, cacheTtlMinNs, cacheTtlMaxNs, replicateIntervalNs, replicationProbesPerMinute,
                hotReadsPerMinute, hotExtraReplicas, blobTtlNs);
    }

    /** These settings with the mutable record TTL and the owner's republish interval an operator chose. */
    public RecordsConfig withMutableTimes(long ttlNs, long republishNs) {
        return new RecordsConfig(providerTtlNs, providerRepublishNs, ttlNs, republishNs, maxProvidersPerKey,
                maxKeysPerProvider, maxProviderEntries, maxMutableRecords, maxMutableBytes, readWaitNs,
                wantedProviders, cacheTtlMinNs, cacheTtlMaxNs, replicateIntervalNs, replicationProbesPerMinute,
                hotReadsPerMinute, hotExtraReplicas, blobTtlNs);
    }

    /** These settings with other replication parameters (a node's flags, the simulator, tests). */
    public RecordsConfig withReplication(long intervalNs, int probesPerMinute, int hotReads, int hotExtra) {
        return new RecordsConfig(providerTtlNs, providerRepublishNs, mutableTtlNs, mutableRepublishNs,
                maxProvidersPerKey, maxKeysPerProvider, maxProviderEntries, maxMutableRecords, maxMutableBytes,
                readWaitNs, wantedProviders, cacheTtlMinNs, cacheTtlMaxNs, intervalNs, probesPerMinute, hotReads,
                hotExtra, blobTtlNs);
    }

    /** These settings with another bounded wait for more after a read's first valid answer. */
    public RecordsConfig withReadWait(long waitNs) {
        return new RecordsConfig(providerTtlNs, providerRepublishNs, mutableTtlNs, mutableRepublishNs,
                maxProvidersPerKey, maxKeysPerProvider, maxProviderEntries, maxMutableRecords, maxMutableBytes,
                waitNs, wantedProviders, cacheTtlMinNs, cacheTtlMaxNs, replicateIntervalNs,
                replicationProbesPerMinute, hotReadsPerMinute, hotExtraReplicas, blobTtlNs);
    }

    /** These settings with the TTL of the blob objects (fragments, manifests) this node holds for others. */
    public RecordsConfig withBlobTtl(long ttlNs) {
        return new RecordsConfig(providerTtlNs, providerRepublishNs, mutableTtlNs, mutableRepublishNs,
                maxProvidersPerKey, maxKeysPerProvider, maxProviderEntries, maxMutableRecords, maxMutableBytes,
                readWaitNs, wantedProviders, cacheTtlMinNs, cacheTtlMaxNs, replicateIntervalNs,
                replicationProbesPerMinute, hotReadsPerMinute, hotExtraReplicas, ttlNs);
    }

    public int maxMutableValueBytes() {
        return MutableRecord.MAX_VALUE_BYTES;
    }

    /**
     * The TTL of a copy cached {@code bitsFarther} prefix bits farther from the key than the node that held it:
     * halved per bit (Kademlia: exponentially inversely proportional to the nodes in between), within
     * [{@link #cacheTtlMinNs}, {@link #cacheTtlMaxNs}].
     */
    public long cacheTtlNs(int bitsFarther) {
        return Math.max(cacheTtlMinNs, cacheTtlMaxNs >> Math.min(62, Math.max(0, bitsFarther)));
    }
}
