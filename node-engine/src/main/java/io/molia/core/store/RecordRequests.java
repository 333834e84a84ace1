package io.molia.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.molia.codec.MessageCodec;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;
import io.molia.record.WriteOutcome;

/**
 * Answers the provider and mutable-record requests for the keys of one core's partition: the only place these
 * writes are admitted (a later write-token rule goes here, once per type) and these reads answered.
 *
 * <p>Owned by the core's thread; not thread-safe.
 */
public final class RecordRequests {
    private final RecordsConfig config;
    private final MutableStore mutables;
    private final ProviderStore providers;

    public RecordRequests(RecordsConfig config) {
        this.config = config;
        this.mutables = new MutableStore(config.maxMutableRecords(), config.maxMutableBytes(),
                config.maxMutableValueBytes());
        this.providers = new ProviderStore(config.maxProvidersPerKey(), config.maxKeysPerProvider(),
                config.maxProviderEntries());
    }

    public RecordsConfig config() {
        return config;
    }

    public MutableStore mutables() {
        return mutables;
    }

    public ProviderStore providers() {
        return providers;
    }

    public void journal(StoreJournal journal) {
        mutables.journal(journal);
        providers.journal(journal);
    }

    /**
     * ADD_PROVIDER from {@code from} (the provider, or a holder handing the entry over with the provider's
     * announcement, checked against the wall clock {@code wallNowNs}): stored or refused, answered with RECORD_ACK
     * naming the outcome.
     */
    public int addProvider(long nowNs, long wallNowNs, WireMessage m, Contact from, byte[] out, MessageCodec codec) {
        long ttlNs = ttlNs(m.ttlSeconds(), config.providerTtlNs());
        WriteOutcome outcome = providers.add(nowNs, wallNowNs, m.target(), m.nodeRecord(), m.announcement(),
                from.id(), ttlNs);
        return codec.encodeRecordAck(out, 0, m.requestId(), outcome, outcome.stored() ? m.nodeRecord().seq() : 0);
    }

    /** PUT_MUTABLE: stored or refused, answered with RECORD_ACK naming the outcome and the seq now held. */
    public int putMutable(long nowNs, WireMessage m, byte[] out, MessageCodec codec) {
        long ttlNs = ttlNs(m.ttlSeconds(), config.mutableTtlNs());
        // A cas beyond 2^63 cannot match any seq this node holds: it is sent on as one that fails.
        long cas = !m.hasCas() ? MutableStore.NO_CAS : m.cas() < 0 ? Long.MAX_VALUE : m.cas();
        WriteOutcome outcome = mutables.put(nowNs, m.mutableRecord(), cas, ttlNs);
        MutableStore.Held held = mutables.get(nowNs, m.target());
        return codec.encodeRecordAck(out, 0, m.requestId(), outcome, held == null ? 0 : held.record().seq());
    }

    /** GET_PROVIDERS: the providers held, each with its announcement, then the closest contacts as room allows. */
    public int getProviders(long nowNs, WireMessage m, byte[] out, MessageCodec codec, Contact[] closest, int n) {
        List<ProviderStore.Entry> held = providers.entries(nowNs, m.target());
        List<SignedNodeRecord> records = new ArrayList<>(held.size());
        List<ProvideAnnouncement> announcements = new ArrayList<>(held.size());
        for (ProviderStore.Entry e : held) {
            records.add(e.record());
            announcements.add(e.announcement());
        }
        return codec.encodeProviders(out, 0, m.requestId(), records, announcements, closest, n);
    }

    /** GET_MUTABLE: the record with the closest contacts that fit, or NODES when it is not held here. */
    public int getMutable(long nowNs, WireMessage m, byte[] out, MessageCodec codec, Contact[] closest, int n) {
        NodeId key = m.target();
        MutableStore.Held held = mutables.get(nowNs, key);
        if (held == null) {
            return codec.encodeNodes(out, 0, m.requestId(), closest, n);
        }
        long ttlSeconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(held.expiresNs() - nowNs));
        return codec.encodeMutableValue(out, 0, m.requestId(), held.record(), ttlSeconds, closest, n);
    }

    /** Drops expired entries of both stores (the core's maintenance sweep). */
    public void expire(long nowNs) {
        mutables.expire(nowNs);
        providers.expire(nowNs);
    }

    /** A TTL asked for in seconds (0: the default), at most {@code maxNs}. */
    private static long ttlNs(long askedSeconds, long maxNs) {
        return askedSeconds <= 0 ? maxNs : Math.min(TimeUnit.SECONDS.toNanos(Math.min(askedSeconds,
                Long.MAX_VALUE / 1_000_000_000L)), maxNs);
    }
}
