package io.molia.core.store;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.record.MutableRecord;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;

/**
 * Where the core reports every change of durable state (DESIGN §3.9), synchronously and before the change is
 * acknowledged: {@link RecordStore#put} calls {@link #onRecordPut} before it answers, and the STORE_ACK is queued
 * for transmit only after {@link RecordStore#put} returned. The real node journals to a per-shard Chronicle Queue
 * ({@code io.molia.wal}); the simulator and unit tests use {@link #NONE}.
 *
 * <p>Times are the core's monotonic nanoseconds; an implementation that persists them converts to wall-clock time
 * itself (the core reads no clock). Called on the core's thread only.
 */
public interface StoreJournal {
    /** Why a record left the store. */
    enum Removal { DELETED, EXPIRED }

    /**
     * A record is about to be stored or refreshed. Returns false when the change could not be made durable (the
     * disk refused it): the store then refuses the write, so nothing unjournaled is ever acknowledged.
     */
    boolean onRecordPut(NodeId key, byte[] value, long storedNs, long expiresNs);

    /** A record left the store. */
    void onRecordRemoved(NodeId key, Removal why);

    /** A signed mutable record is about to be stored or replaced; false refuses it (see {@link #onRecordPut}). */
    default boolean onMutablePut(NodeId key, MutableRecord record, long storedNs, long expiresNs) {
        return true;
    }

    /** A mutable record left the store. */
    default void onMutableRemoved(NodeId key, Removal why) {
    }

    /**
     * A provider entry is about to be stored or refreshed, with the provider's announcement (null when none); false
     * refuses it (see {@link #onRecordPut}).
     */
    default boolean onProviderPut(NodeId key, SignedNodeRecord record, ProvideAnnouncement announcement,
            long storedNs, long expiresNs) {
        return true;
    }

    /** A provider entry left the store. */
    default void onProviderRemoved(NodeId key, NodeId provider, Removal why) {
    }

    /**
     * This node republishes {@code due} as its owner, published at {@code publishedNs} and due again at
     * {@code nextNs} (a newer entry of the same kind and key replaces it). Journaled so a restart keeps republishing.
     */
    default void onRepublishAdd(Republisher.Due due, long publishedNs, long nextNs) {
    }

    /** This node no longer republishes its provider record ({@code provider}) or mutable record under {@code key}. */
    default void onRepublishRemove(NodeId key, boolean provider) {
    }

    /** A contact entered the routing table. */
    void onPeerAdded(Contact contact);

    /** A contact left the routing table. */
    void onPeerRemoved(NodeId id);

    /** The consecutive-failure count (the behavioural score, DESIGN §3.5) of a contact in the table changed. */
    void onPeerScore(NodeId id, int failures);

    /**
     * A peer's behaviour score changed: its decayed counts ({@code PeerScores.Reason} order) as of {@code updatedNs}.
     * Journaled in batches ({@code PeerScores#takeDirty}), not per answer.
     */
    default void onPeerBehaviour(NodeId id, long updatedNs, double[] counts) {
    }

    /**
     * A ban of {@code peer}, or of the subnet {@code subnetKey} when {@code peer} is null, now lasts until
     * {@code expiresNs}; {@link #onUnban} lifts it. Bans survive restarts (DESIGN §3.5).
     */
    default void onBan(NodeId peer, long subnetKey, long expiresNs) {
    }

    /** A ban of {@code peer} (or of the subnet {@code subnetKey} when {@code peer} is null) was lifted. */
    default void onUnban(NodeId peer, long subnetKey) {
    }

    /** Journals nothing: the simulator, tests, a node without a data dir. */
    StoreJournal NONE = new StoreJournal() {
        @Override
        public boolean onRecordPut(NodeId key, byte[] value, long storedNs, long expiresNs) {
            return true;
        }

        @Override
        public void onRecordRemoved(NodeId key, Removal why) {
        }

        @Override
        public void onPeerAdded(Contact contact) {
        }

        @Override
        public void onPeerRemoved(NodeId id) {
        }

        @Override
        public void onPeerScore(NodeId id, int failures) {
        }
    };
}
