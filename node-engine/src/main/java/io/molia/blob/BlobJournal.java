package io.molia.blob;

import io.molia.contact.NodeId;

/**
 * Where a node journals the blob objects it takes (its shard's WAL): called after the {@link BlobStore} accepted an
 * object, before its last acknowledgement leaves, as a STORE is journaled before its ack.
 */
public interface BlobJournal {
    BlobJournal NONE = (key, object) -> { };

    /** {@code object} (a fragment or a manifest) is now held under {@code key}. */
    void onBlobStored(NodeId key, byte[] object);

    /**
     * The object under {@code key} expired: called before its bytes go (WAL type 15, {@code blob_remove}). Nothing
     * for a journal that keeps no objects (tests that only watch what is stored).
     */
    default void onBlobRemoved(NodeId key) {
    }
}
