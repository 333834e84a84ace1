package io.molia.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.core.store.Republisher;
import io.molia.core.store.StoreJournal;
import io.molia.record.MutableRecord;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The journal of one shard: appends each change to the current generation's Chronicle Queue before the core
 * acknowledges it, and forces it to disk as {@link WalSync} says. A new generation (a new queue directory) starts
 * at every node start and at every compaction.
 *
 * <p>Owned by the shard's thread (Chronicle appenders belong to one thread); not thread-safe.
 */
public final class ShardWal implements StoreJournal, io.molia.blob.BlobJournal, AutoCloseable {
    private final int shard;
    private final Path shardDir;
    private final WalSync sync;
    private final WalClock clock;
    private final WalFormat format = new WalFormat();
    private byte[] scratch = new byte[4096];
    private SingleChronicleQueue queue;
    private ExcerptAppender appender;
    private long generation;
    private long nextSequence;
    private boolean dirty;
    private long appended;
    private long appendFailures;
    private long syncs;
    private long bytesAppended;

    /** Opens generation {@code generation}, whose first entry will carry {@code nextSequence}. */
    public ShardWal(int shard, Path shardDir, WalSync sync, WalClock clock, long generation, long nextSequence)
            throws IOException {
        this.shard = shard;
        this.shardDir = shardDir;
        this.sync = sync;
        this.clock = clock;
        this.nextSequence = nextSequence;
        startGeneration(generation);
    }

    /**
     * Closes the current queue and starts generation {@code next} with its header entry. Everything appended
     * before is in earlier generations: what a snapshot taken now covers.
     */
    public void startGeneration(long next) throws IOException {
        closeQueue();
        Path dir = WalLayout.generationDir(shardDir, next);
        PrivateFiles.createDirectories(dir);
        queue = WalQueues.openForAppend(dir, sync);
        appender = queue.createAppender();
        generation = next;
        int n = WalEntries.header(format, scratch, shard, next, nextSequence, clock.nowWallMs());
        append(n);
        forceNow(); // a generation's header is durable before anything depends on it
        WalQueues.narrowFiles(dir); // the cycle file the header created
        SnapshotFile.forceDirectory(shardDir);
    }

    private void closeQueue() {
        if (appender != null) {
            if (sync != WalSync.NONE) {
                appender.sync();
            }
            appender.close();
            queue.close();
            appender = null;
            queue = null;
        }
    }

    @Override
    public boolean onRecordPut(NodeId key, byte[] value, long storedNs, long expiresNs) {
        int need = WalEntries.recordPutBytes(value.length);
        if (scratch.length < need) {
            scratch = new byte[Math.max(need, scratch.length * 2)];
        }
        return appendEntry(WalEntries.recordPut(format, scratch, nextSequence, key, value, clock.toWallMs(storedNs),
                clock.toWallMs(expiresNs)));
    }

    @Override
    public void onRecordRemoved(NodeId key, Removal why) {
        appendEntry(WalEntries.keyOnly(format, scratch, why == Removal.EXPIRED ? WalFormat.TYPE_RECORD_EXPIRE
                : WalFormat.TYPE_RECORD_DELETE, nextSequence, key));
    }

    @Override
    public boolean onMutablePut(NodeId key, MutableRecord record, long storedNs, long expiresNs) {
        int need = WalEntries.mutablePutBytes(record);
        if (scratch.length < need) {
            scratch = new byte[Math.max(need, scratch.length * 2)];
        }
        return appendEntry(WalEntries.mutablePut(format, scratch, nextSequence, record, clock.toWallMs(storedNs),
                clock.toWallMs(expiresNs)));
    }

    @Override
    public void onMutableRemoved(NodeId key, Removal why) {
        appendEntry(WalEntries.keyOnly(format, scratch, WalFormat.TYPE_MUTABLE_REMOVE, nextSequence, key));
    }

    @Override
    public boolean onProviderPut(NodeId key, SignedNodeRecord record, ProvideAnnouncement announcement,
            long storedNs, long expiresNs) {
        return appendEntry(WalEntries.providerPut(format, scratch, nextSequence, key, record, announcement,
                clock.toWallMs(storedNs), clock.toWallMs(expiresNs)));
    }

    @Override
    public void onProviderRemoved(NodeId key, NodeId provider, Removal why) {
        appendEntry(WalEntries.providerRemove(format, scratch, nextSequence, key, provider));
    }

    @Override
    public void onRepublishAdd(Republisher.Due due, long publishedNs, long nextNs) {
        int need = WalEntries.republishAddBytes(due.provider(), due.mutable());
        if (scratch.length < need) {
            scratch = new byte[Math.max(need, scratch.length * 2)];
        }
        appendEntry(WalEntries.republishAdd(format, scratch, nextSequence, due.key(), due.provider(), due.mutable(),
                clock.toWallMs(publishedNs), clock.toWallMs(nextNs)));
    }

    @Override
    public void onRepublishRemove(NodeId key, boolean provider) {
        appendEntry(WalEntries.republishRemove(format, scratch, nextSequence, provider ? WalEntries.REPUBLISH_PROVIDER
                : WalEntries.REPUBLISH_MUTABLE, key));
    }

    @Override
    public void onPeerAdded(Contact contact) {
        appendEntry(WalEntries.peerAdd(format, scratch, nextSequence, contact));
    }

    @Override
    public void onPeerRemoved(NodeId id) {
        appendEntry(WalEntries.keyOnly(format, scratch, WalFormat.TYPE_PEER_REMOVE, nextSequence, id));
    }

    @Override
    public void onPeerScore(NodeId id, int failures) {
        appendEntry(WalEntries.peerScore(format, scratch, nextSequence, id, failures));
    }

    @Override
    public void onPeerBehaviour(NodeId id, long updatedNs, double[] counts) {
        appendEntry(WalEntries.peerBehaviour(format, scratch, nextSequence, id, clock.toWallMs(updatedNs), counts));
    }

    @Override
    public void onBan(NodeId peer, long subnetKey, long expiresNs) {
        appendEntry(WalEntries.ban(format, scratch, nextSequence, peer, subnetKey,
                Math.max(1, clock.toWallMs(expiresNs)))); // 0 would read as lifted
    }

    @Override
    public void onBlobStored(NodeId key, byte[] object) {
        int need = WalEntries.blobBytes(object);
        if (scratch.length < need) {
            scratch = new byte[Math.max(need, scratch.length * 2)];
        }
        appendEntry(WalEntries.blob(format, scratch, nextSequence, key, object));
    }

    @Override
    public void onBlobRemoved(NodeId key) {
        appendEntry(WalEntries.keyOnly(format, scratch, WalFormat.TYPE_BLOB_REMOVE, nextSequence, key));
    }

    @Override
    public void onUnban(NodeId peer, long subnetKey) {
        appendEntry(WalEntries.ban(format, scratch, nextSequence, peer, subnetKey, 0));
    }

    /** Appends the sealed entry in {@code scratch[0, n)} as the next sequence; false when the queue refused it. */
    private boolean appendEntry(int n) {
        try {
            append(n);
        } catch (RuntimeException e) {
            appendFailures++;
            return false;
        }
        nextSequence++;
        appended++;
        if (sync == WalSync.ALWAYS) {
            forceNow();
        } else {
            dirty = true;
        }
        return true;
    }

    private void append(int n) {
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(scratch, 0, n);
        }
        bytesAppended += n;
    }

    /**
     * Call before the acknowledgements of an event-loop turn are transmitted: with {@link WalSync#BATCH} forces the
     * turn's entries to disk once (group commit); otherwise nothing.
     */
    public void beforeTransmit() {
        if (dirty && sync == WalSync.BATCH) {
            forceNow();
        }
        dirty = false;
    }

    /** Forces what was appended to disk now, whatever the sync policy (entries moved in from another shard dir). */
    public void force() {
        appender.sync();
        syncs++;
        dirty = false;
    }

    private void forceNow() {
        if (sync == WalSync.NONE) {
            return; // the page cache is the policy; Chronicle's msync is off
        }
        appender.sync();
        syncs++;
    }

    public long generation() {
        return generation;
    }

    /** The sequence the next entry will carry (so the last appended one is this minus one). */
    public long nextSequence() {
        return nextSequence;
    }

    public long appended() {
        return appended;
    }

    public long appendFailures() {
        return appendFailures;
    }

    public long syncs() {
        return syncs;
    }

    public long bytesAppended() {
        return bytesAppended;
    }

    public WalSync sync() {
        return sync;
    }

    /** Closes the queue; may be called from the lifecycle thread once the shard's loop stopped. */
    @Override
    public void close() {
        if (appender != null) {
            appender.singleThreadedCheckReset();
        }
        closeQueue();
    }
}
