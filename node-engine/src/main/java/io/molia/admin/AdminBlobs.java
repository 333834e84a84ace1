package io.molia.admin;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import com.google.protobuf.ByteString;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.BlobAction;
import io.molia.admin.proto.BlobResult;
import io.molia.admin.proto.Error;
import io.molia.blob.BlobManifest;
import io.molia.contact.NodeId;
import io.molia.node.BlobProgress;
import io.molia.node.BlobRepairCheck;

/**
 * Blob puts and gets over the admin socket (docs/admin-api.md "Blobs"): a blob is larger than one admin request may
 * be, so it moves in chunks through a transfer kept here. An upload is opened with its size, filled in order, then
 * committed (the put runs while the client polls its status); a download is opened with its key (the get runs, then
 * the client reads it in chunks). Bounded: {@link #MAX_TRANSFERS} at once, each at most {@link #MAX_BLOB_BYTES}, and
 * {@link #MAX_HELD_BYTES} held by all together, and a transfer no request touched for the idle time is dropped with
 * its memory ({@link #sweep}).
 *
 * <p>Thread-safe: requests come from the admin's threads, progress and completion from the node's blob pool; every
 * transfer's state is read and written under this object's lock.
 */
final class AdminBlobs {
    static final int MAX_TRANSFERS = 4;
    static final long MAX_BLOB_BYTES = BlobManifest.MAX_BLOB_BYTES;
    /** The most bytes one chunk carries either way: well within the 1 MiB cap of a request. */
    static final int MAX_CHUNK_BYTES = 512 << 10;
    static final long DEFAULT_IDLE_NS = TimeUnit.SECONDS.toNanos(60);
    /** Bytes all open transfers may hold together: two of the largest blobs, not four. */
    static final long MAX_HELD_BYTES = 2 * MAX_BLOB_BYTES;

    /** What the node does for blobs; {@link io.molia.node.MoliaNode#putBlob} and {@code getBlob} in a real node. */
    interface Blobs {
        CompletableFuture<NodeId> put(byte[] blob, BlobProgress progress);

        CompletableFuture<byte[]> get(NodeId key, BlobProgress progress);

        CompletableFuture<BlobRepairCheck.Round> repair(int stripes);
    }

    /** Stripes one {@code repair} request may check: a round of 64 ends well within a client's wait. */
    static final int MAX_REPAIR_STRIPES = 64;

    private enum State {
        RECEIVING, STORING, STORED, FETCHING, READY, FAILED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final class Transfer {
        final long id;
        final long startedNs;
        State state;
        byte[] data;
        long size;
        long received;
        NodeId key;
        String error;
        int fragmentsDone;
        int fragmentsTotal;
        long lastTouchNs;
        long durationNs = -1;

        Transfer(long id, State state, long nowNs) {
            this.id = id;
            this.state = state;
            this.startedNs = nowNs;
            this.lastTouchNs = nowNs;
        }
    }

    private final Blobs node;
    private final LongSupplier clockNs;
    private final long idleNs;
    private final Map<Long, Transfer> transfers = new HashMap<>();
    private long nextId = 1;
    final AtomicLong opened = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong idleDropped = new AtomicLong();

    AdminBlobs(Blobs node, LongSupplier clockNs, long idleNs) {
        this.node = node;
        this.clockNs = clockNs;
        this.idleNs = idleNs;
    }

    /** The answer to one blob request; a refusal throws {@link AdminException} (counted) with a one-line reason. */
    AdminResponse serve(AdminResponse.Builder r, BlobAction a) {
        try {
            return r.setBlob(answer(a)).build();
        } catch (AdminException e) {
            refused.incrementAndGet();
            throw e;
        }
    }

    /** A round of the node's stripe repair now, answered when it ends (no transfer: nothing is held here). */
    CompletableFuture<AdminResponse> repair(AdminResponse.Builder r, int stripes) {
        if (stripes < 0 || stripes > MAX_REPAIR_STRIPES) {
            refused.incrementAndGet();
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "a repair round checks 1 to " + MAX_REPAIR_STRIPES
                    + " stripes, not " + stripes);
        }
        long started = clockNs.getAsLong();
        return node.repair(stripes == 0 ? BlobRepairCheck.STRIPES_PER_ROUND : stripes).thenApply(round -> r.setBlob(
                BlobResult.newBuilder().setState("repaired").setStripesChecked(round.stripesChecked())
                        .setStripesRepaired(round.stripesRepaired()).setFragmentsRebuilt(round.fragmentsRebuilt())
                        .setFragmentsHeld(round.fragmentsHeld())
                        .setDurationUs(TimeUnit.NANOSECONDS.toMicros(clockNs.getAsLong() - started))).build());
    }

    private synchronized BlobResult answer(BlobAction a) {
        long now = clockNs.getAsLong();
        sweep(now);
        return switch (a.getOpCase()) {
            case PUT_OPEN -> putOpen(a.getPutOpen().getSize(), now);
            case CHUNK -> chunk(touch(a.getChunk().getTransfer(), now), a.getChunk().getOffset(),
                    a.getChunk().getData());
            case COMMIT -> commit(touch(a.getCommit().getTransfer(), now));
            case STATUS -> result(touch(a.getStatus().getTransfer(), now)).build();
            case CLOSE -> {
                Transfer t = touch(a.getClose().getTransfer(), now);
                transfers.remove(t.id);
                yield result(t).build();
            }
            case GET_OPEN -> getOpen(a.getGetOpen().getKey(), now);
            case GET_CHUNK -> getChunk(touch(a.getGetChunk().getTransfer(), now), a.getGetChunk().getOffset(),
                    a.getGetChunk().getMaxBytes());
            case REPAIR -> throw new AdminException(Error.Code.INVALID_ARGUMENT, "a repair is no transfer");
            case OP_NOT_SET -> throw new AdminException(Error.Code.INVALID_ARGUMENT, "a blob action without an op");
        };
    }

    /** Drops the transfers no request touched for the idle time, and their memory. */
    synchronized void sweep(long nowNs) {
        var it = transfers.values().iterator();
        while (it.hasNext()) {
            if (nowNs - it.next().lastTouchNs >= idleNs) {
                it.remove();
                idleDropped.incrementAndGet();
            }
        }
    }

    synchronized int open() {
        return transfers.size();
    }

    private Transfer touch(long id, long now) {
        Transfer t = transfers.get(id);
        if (t == null) {
            throw new AdminException(Error.Code.NOT_FOUND, "no blob transfer " + id + " (closed, or idle for "
                    + TimeUnit.NANOSECONDS.toSeconds(idleNs) + " s)");
        }
        t.lastTouchNs = now;
        return t;
    }

    private Transfer newTransfer(State state, long now) {
        if (transfers.size() >= MAX_TRANSFERS) {
            throw new AdminException(Error.Code.BUSY, MAX_TRANSFERS + " blob transfers are open already (close one, "
                    + "or wait " + TimeUnit.NANOSECONDS.toSeconds(idleNs) + " s for an idle one to end)");
        }
        Transfer t = new Transfer(nextId++, state, now);
        transfers.put(t.id, t);
        opened.incrementAndGet();
        return t;
    }

    private BlobResult putOpen(long size, long now) {
        if (size < 1 || size > MAX_BLOB_BYTES) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "a blob holds 1 to " + MAX_BLOB_BYTES
                    + " bytes, not " + size);
        }
        long held = 0;
        for (Transfer o : transfers.values()) {
            held += o.size;
        }
        if (held + size > MAX_HELD_BYTES) {
            throw new AdminException(Error.Code.BUSY, "the open blob transfers hold " + held + " bytes; " + size
                    + " more would pass " + MAX_HELD_BYTES + " (close one, or wait for one to end)");
        }
        Transfer t = newTransfer(State.RECEIVING, now);
        t.size = size; // the buffer comes with the first chunk: an open alone holds no memory
        return result(t).build();
    }

    private BlobResult chunk(Transfer t, long offset, ByteString data) {
        if (t.state != State.RECEIVING) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "blob transfer " + t.id + " is " + t.state.label()
                    + ", not receiving");
        }
        if (offset != t.received) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "blob transfer " + t.id + ": a chunk at " + offset
                    + ", expected at " + t.received);
        }
        if (data.size() > MAX_CHUNK_BYTES || t.received + data.size() > t.size) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "blob transfer " + t.id + ": a chunk of "
                    + data.size() + " bytes at " + offset + " (at most " + MAX_CHUNK_BYTES + ", and " + t.size
                    + " bytes in all)");
        }
        if (t.data == null) {
            t.data = new byte[(int) t.size];
        }
        data.copyTo(t.data, (int) t.received);
        t.received += data.size();
        return BlobResult.newBuilder().setTransfer(t.id).setState(t.state.label()).setSize(t.size)
                .setReceived(t.received).build();
    }

    private BlobResult commit(Transfer t) {
        if (t.state != State.RECEIVING || t.received != t.size) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "blob transfer " + t.id + " cannot be committed: "
                    + (t.state != State.RECEIVING ? t.state.label() : "received " + t.received + " of " + t.size
                    + " bytes"));
        }
        t.state = State.STORING;
        byte[] blob = t.data;
        t.data = null; // the put holds it now
        node.put(blob, progress(t)).whenComplete((key, failure) -> {
            synchronized (this) {
                t.durationNs = clockNs.getAsLong() - t.startedNs;
                if (failure != null) {
                    fail(t, failure);
                } else {
                    t.key = key;
                    t.state = State.STORED;
                }
            }
        });
        return result(t).build();
    }

    private BlobResult getOpen(String keyText, long now) {
        NodeId key;
        try {
            key = NodeId.fromBytes(HexFormat.of().parseHex(keyText));
        } catch (IllegalArgumentException e) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "a blob key is 64 hex digits, not '" + keyText
                    + "'");
        }
        Transfer t = newTransfer(State.FETCHING, now);
        t.key = key;
        node.get(key, progress(t)).whenComplete((blob, failure) -> {
            synchronized (this) {
                t.durationNs = clockNs.getAsLong() - t.startedNs;
                if (failure != null) {
                    fail(t, failure);
                } else if (blob == null) {
                    t.state = State.FAILED;
                    t.error = "no node holds the manifest of blob " + key.toHex();
                } else {
                    t.data = blob;
                    t.size = blob.length;
                    t.state = State.READY;
                }
            }
        });
        return result(t).build();
    }

    private BlobResult getChunk(Transfer t, long offset, int maxBytes) {
        if (t.state != State.READY) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "blob transfer " + t.id + " is " + t.state.label()
                    + ", not ready");
        }
        if (offset < 0 || offset > t.size) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "blob transfer " + t.id + ": offset " + offset
                    + " past its " + t.size + " bytes");
        }
        int n = (int) Math.min(t.size - offset, maxBytes <= 0 ? MAX_CHUNK_BYTES : Math.min(maxBytes,
                MAX_CHUNK_BYTES));
        return result(t).setOffset(offset).setData(ByteString.copyFrom(t.data, (int) offset, n)).build();
    }

    private BlobProgress progress(Transfer t) {
        return (done, total) -> {
            synchronized (this) {
                t.fragmentsDone = Math.max(t.fragmentsDone, done);
                t.fragmentsTotal = total;
            }
        };
    }

    private static void fail(Transfer t, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        t.state = State.FAILED;
        t.error = cause instanceof java.util.concurrent.TimeoutException ? "timed out" : String.valueOf(
                cause.getMessage());
        t.data = null;
    }

    private static BlobResult.Builder result(Transfer t) {
        BlobResult.Builder b = BlobResult.newBuilder().setTransfer(t.id).setState(t.state.label()).setSize(t.size)
                .setReceived(t.received).setFragmentsDone(t.fragmentsDone).setFragmentsTotal(t.fragmentsTotal);
        if (t.key != null) {
            b.setKey(t.key.toHex());
        }
        if (t.error != null) {
            b.setError(t.error);
        }
        if (t.durationNs >= 0) {
            b.setDurationUs(TimeUnit.NANOSECONDS.toMicros(t.durationNs));
        }
        return b;
    }
}
