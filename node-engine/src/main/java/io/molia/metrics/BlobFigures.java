package io.molia.metrics;

import java.util.List;
import java.util.function.ToLongFunction;

import io.molia.blob.BlobCounters;
import io.molia.blob.BlobTransfers;
import io.molia.metrics.NodeMetrics.NodeSource;

/**
 * The blob figures (docs/blobs.md, docs/metrics.md) of the node as a whole: what its store holds, and what its bulk
 * transfers did (pushes, fetches, chunks, refusals). Read racily from the scrape thread, as every figure is; a node
 * without blob transfers leaves them out.
 */
final class BlobFigures {
    static final List<Figure<NodeSource>> NODE = List.of(
            Figure.gauge("blob_store_objects", "Blob fragments and manifests this node holds",
                    n -> transfers(n, t -> t.store().size())),
            Figure.gauge("blob_store_bytes", "Bytes of blob fragments and manifests this node holds",
                    n -> transfers(n, t -> t.store().bytes())),
            Figure.counter("blob_fragments_stored", "Fragments peers pushed that this node stored",
                    n -> transfers(n, t -> t.store().fragmentsStored())),
            Figure.counter("blob_manifests_stored", "Manifests peers pushed that this node stored",
                    n -> transfers(n, t -> t.store().manifestsStored())),
            Figure.counter("blob_store_refused_full", "Pushed objects refused: the store was full (it never evicts)",
                    n -> transfers(n, t -> t.store().refusedFull())),
            Figure.gauge("blob_transfers_active", "Bulk transfers under way (pushes, fetches, served fetches)",
                    n -> transfers(n, BlobTransfers::activeTransfers)),
            Figure.counter("blob_pushes_started", "Pushes of fragments and manifests this node started",
                    n -> counters(n, BlobCounters::pushesStarted)),
            Figure.counter("blob_fetches_started", "Fetches this node started",
                    n -> counters(n, BlobCounters::fetchesStarted)),
            Figure.counter("blob_fetches_served", "Fetches of peers this node answered with the object",
                    n -> counters(n, BlobCounters::fetchesServed)),
            Figure.counter("blob_fetches_refused", "Fetches answered NOT_HELD (not here, or too many transfers)",
                    n -> counters(n, BlobCounters::fetchesRefused)),
            Figure.counter("blob_transfers_failed", "Transfers given up: the peer stopped answering or fell silent",
                    n -> counters(n, BlobCounters::transfersFailed)),
            Figure.counter("blob_transfers_refused", "Incoming transfers not started: too many, or too large",
                    n -> counters(n, BlobCounters::transfersRefused)),
            Figure.counter("blob_pushes_unauthorized", "Pushes dropped: no valid write token of this node",
                    n -> counters(n, BlobCounters::pushesUnauthorized)),
            Figure.counter("blob_objects_refused", "Pushed objects malformed, failing their hash, or not fitting",
                    n -> counters(n, BlobCounters::objectsRefused)),
            Figure.counter("blob_chunks_sent", "Chunks of bulk transfers sent", n -> counters(n, BlobCounters::chunksSent)),
            Figure.counter("blob_chunks_resent", "Chunks sent again (lost, or taken for lost)",
                    n -> counters(n, BlobCounters::chunksResent)),
            Figure.counter("blob_chunks_received", "Chunks of bulk transfers received",
                    n -> counters(n, BlobCounters::chunksReceived)),
            Figure.counter("blob_frames_malformed", "Blob frames that were not well formed: dropped",
                    n -> counters(n, BlobCounters::framesMalformed)),
            Figure.counter("blob_probes_sent", "PROBEs sent: does this holder hold that fragment? (repair checks)",
                    n -> counters(n, BlobCounters::probesSent)),
            Figure.counter("blob_probes_unanswered", "Probes of this node's that no answer came to after every resend",
                    n -> counters(n, BlobCounters::probesUnanswered)),
            Figure.counter("blob_probes_not_started", "Probes not started: too many under way (the check fails)",
                    n -> counters(n, BlobCounters::probesNotStarted)),
            Figure.counter("blob_probes_answered_held", "Peers' PROBEs this node answered HELD",
                    n -> counters(n, BlobCounters::probesAnsweredHeld)),
            Figure.counter("blob_probes_answered_not_held", "Peers' PROBEs this node answered NOT_HELD",
                    n -> counters(n, BlobCounters::probesAnsweredNotHeld)));

    private BlobFigures() {
    }

    private static long transfers(NodeSource n, ToLongFunction<BlobTransfers> read) {
        BlobTransfers t = n.blobTransfers();
        return t == null ? -1 : read.applyAsLong(t);
    }

    private static long counters(NodeSource n, ToLongFunction<BlobCounters> read) {
        BlobTransfers t = n.blobTransfers();
        return t == null ? -1 : read.applyAsLong(t.counters());
    }
}
