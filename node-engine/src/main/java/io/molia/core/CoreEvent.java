package io.molia.core;

import java.util.List;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.record.MutableRecord;
import io.molia.record.SignedNodeRecord;
import io.molia.record.WriteOutcome;

/** What the core reports to its owner: operations the owner started, finished. Polled with {@link NodeCore#pollEvent}. */
public sealed interface CoreEvent {
    /** The handle {@link NodeCore} returned when the operation started. */
    long handle();

    /**
     * A lookup finished.
     *
     * @param closest            up to k peers that answered, closest first
     * @param closestAnsweredNs  when the closest of them answered (what a get of a k-replicated record waits for)
     * @param hops               hops from the origin to the closest peer found
     * @param requests           requests the lookup sent
     */
    record LookupCompleted(long handle, NodeId target, List<Contact> closest, long startedNs, long finishedNs,
            long closestAnsweredNs, int hops, int requests) implements CoreEvent {
    }

    /** A get finished; {@code value} is null when no peer had the record. */
    record GetCompleted(long handle, NodeId key, byte[] value, long startedNs, long finishedNs, int requests)
            implements CoreEvent {
    }

    /**
     * A put finished: {@code stored} of the {@code attempted} closest peers acknowledged the record;
     * {@code acknowledgedNs} is when a majority of them had (the write is acknowledged, docs/records.md), -1 never.
     */
    record PutCompleted(long handle, NodeId key, int stored, int attempted, long startedNs, long finishedNs,
            long acknowledgedNs) implements CoreEvent {
    }

    /**
     * A provider announcement or a mutable put finished: {@code stored} of the {@code attempted} closest peers
     * stored it; {@code refusal} is the first refusal one of them answered (null when none refused), and
     * {@code heldSeq} the highest seq the answering peers said they hold (what a compare-and-swap should name);
     * {@code acknowledgedNs} is when a majority of the attempted had stored it (acknowledged), -1 never. Where its
     * time went: {@code storingFromNs} is when its stores began (its lookup reached the key's neighbourhood), and
     * {@code acknowledgingStoreSentNs} when the store whose answer acknowledged it went out (-1: none).
     */
    record RecordWriteCompleted(long handle, NodeId key, int stored, int attempted, WriteOutcome refusal,
            long heldSeq, long startedNs, long finishedNs, long acknowledgedNs, long storingFromNs,
            long acknowledgingStoreSentNs) implements CoreEvent {
    }

    /**
     * A provider lookup finished with the valid provider records it found (possibly none); {@code firstFoundNs} is
     * when an answer first brought one (-1: none came), after which it waited a bounded time for more.
     */
    record ProvidersFound(long handle, NodeId key, List<SignedNodeRecord> providers, long startedNs, long finishedNs,
            long firstFoundNs) implements CoreEvent {
    }

    /**
     * A mutable get finished: the highest valid seq seen, or null when no peer had the record; {@code firstValidNs}
     * is when the first valid answer came (-1: none, or held here), after which it waited a bounded time for more;
     * {@code requests} is how many requests its lookup sent.
     */
    record MutableGetCompleted(long handle, NodeId key, MutableRecord record, long startedNs, long finishedNs,
            long firstValidNs, int requests) implements CoreEvent {
    }

    /** A ping answered ({@code rttNs} >= 0) or timed out ({@code rttNs} == -1). */
    record PingCompleted(long handle, NodeId peer, long rttNs) implements CoreEvent {
    }

    /** A blob push finished: the peer acknowledged every chunk ({@code delivered}), or it stopped answering. */
    record BlobPushCompleted(long handle, NodeId peer, boolean delivered) implements CoreEvent {
    }

    /**
     * A blob fetch finished: the object the peer sent (to be checked by the caller against what it expects), or
     * null when it does not hold it or stopped answering.
     */
    record BlobFetchCompleted(long handle, NodeId peer, byte[] object) implements CoreEvent {
    }

    /**
     * A blob probe finished: the 32-byte hash of what the peer holds under the key (a fragment's data hash), or null
     * when it answered NOT_HELD or stopped answering; {@code checkedAgeS}: seconds since the peer last checked the
     * fragment's stripe whole ({@code BulkFrame.NEVER_CHECKED} if not).
     */
    record BlobProbeCompleted(long handle, NodeId peer, byte[] hash, long checkedAgeS) implements CoreEvent {
    }
}
