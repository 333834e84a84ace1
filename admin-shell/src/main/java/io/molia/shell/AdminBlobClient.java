package io.molia.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.google.protobuf.ByteString;
import io.molia.adminclient.AdminClient;
import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.BlobAction;
import io.molia.admin.proto.BlobChunk;
import io.molia.admin.proto.BlobGetChunk;
import io.molia.admin.proto.BlobGetOpen;
import io.molia.admin.proto.BlobPutOpen;
import io.molia.admin.proto.BlobResult;
import io.molia.admin.proto.BlobTransferRef;

/**
 * A file put as a blob, or a blob got into a file, through a node's admin socket in chunks (docs/admin-api.md
 * "Blobs"): the work behind {@code blob put} and {@code blob get}, which only parse and render. A download is written
 * to {@code FILE.part} and renamed to {@code FILE} once complete, so an interrupted or failed one (Ctrl-C included)
 * leaves no partial {@code FILE}. Not thread-safe: one transfer per instance at a time.
 */
final class AdminBlobClient {
    /** Bytes per request either way: half the node's cap of a request, so a chunk and its envelope always fit. */
    static final int CHUNK_BYTES = 512 << 10;
    static final long POLL_MS = 200;
    static final long CALL_TIMEOUT_S = 30;

    /** Why a blob transfer failed, in one line (the node's own reason where it gave one). */
    static final class BlobTransferException extends IOException {
        private static final long serialVersionUID = 1L;

        BlobTransferException(String message) {
            super(message);
        }
    }

    /** How far a transfer is: {@code phase} "upload", "store", "fetch" or "download"; {@code total} 0 when unknown. */
    interface Progress {
        void update(String phase, long done, long total);
    }

    private final AdminClient client;

    AdminBlobClient(AdminClient client) {
        this.client = client;
    }

    /** Uploads {@code file}, has the node put it, and returns its manifest key. */
    String put(Path file, Progress progress) throws IOException, InterruptedException {
        long size = Files.size(file);
        BlobResult open = call(BlobAction.newBuilder().setPutOpen(BlobPutOpen.newBuilder().setSize(size)));
        long transfer = open.getTransfer();
        try {
            byte[] buf = new byte[CHUNK_BYTES];
            long sent = 0;
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                    call(BlobAction.newBuilder().setChunk(BlobChunk.newBuilder().setTransfer(transfer)
                            .setOffset(sent).setData(ByteString.copyFrom(buf, 0, n))));
                    sent += n;
                    progress.update("upload", sent, size);
                }
            }
            if (sent != size) {
                throw new BlobTransferException(file + " changed while read (" + sent + " of " + size + " bytes)");
            }
            call(BlobAction.newBuilder().setCommit(ref(transfer)));
            BlobResult done = await(transfer, "storing", "store", progress);
            return done.getKey();
        } finally {
            closeQuietly(transfer);
        }
    }

    /** Has the node get blob {@code key}, downloads it to {@code file} (via {@code FILE.part}); returns its bytes. */
    long get(String key, Path file, Progress progress) throws IOException, InterruptedException {
        Path part = file.resolveSibling(file.getFileName() + ".part");
        BlobResult open = call(BlobAction.newBuilder().setGetOpen(BlobGetOpen.newBuilder().setKey(key)));
        long transfer = open.getTransfer();
        Thread cleanup = new Thread(() -> deleteQuietly(part), "molia-blob-part-cleanup"); // a JVM stopped by Ctrl-C
        Runtime.getRuntime().addShutdownHook(cleanup);
        boolean done = false;
        try {
            long size = await(transfer, "fetching", "fetch", progress).getSize();
            try (OutputStream out = Files.newOutputStream(part)) {
                long at = 0;
                while (at < size) {
                    BlobResult chunk = call(BlobAction.newBuilder().setGetChunk(BlobGetChunk.newBuilder()
                            .setTransfer(transfer).setOffset(at).setMaxBytes(CHUNK_BYTES)));
                    if (chunk.getData().isEmpty()) {
                        throw new BlobTransferException("the node sent no bytes at " + at + " of " + size);
                    }
                    chunk.getData().writeTo(out);
                    at += chunk.getData().size();
                    progress.update("download", at, size);
                }
            }
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            return size;
        } finally {
            if (!done) {
                deleteQuietly(part);
            }
            removeHook(cleanup);
            closeQuietly(transfer);
        }
    }

    /** Polls the transfer while it is in {@code runningState}; its result once done, else its error thrown. */
    private BlobResult await(long transfer, String runningState, String phase, Progress progress)
            throws IOException, InterruptedException {
        while (true) {
            BlobResult s = call(BlobAction.newBuilder().setStatus(ref(transfer)));
            progress.update(phase, s.getFragmentsDone(), s.getFragmentsTotal());
            if (s.getState().equals("failed")) {
                throw new BlobTransferException(s.getError());
            }
            if (!s.getState().equals(runningState)) {
                return s;
            }
            Thread.sleep(POLL_MS);
        }
    }

    private BlobResult call(BlobAction.Builder action) throws IOException, InterruptedException {
        AdminResponse r;
        try {
            r = client.call(AdminRequest.newBuilder().setBlob(action), CALL_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new BlobTransferException("no answer within " + CALL_TIMEOUT_S + " s");
        }
        if (r.hasError()) {
            throw new BlobTransferException(r.getError().getMessage());
        }
        if (!r.hasBlob()) {
            throw new BlobTransferException("the node does not know blob transfers (answered " + r.getBodyCase()
                    + ")");
        }
        return r.getBlob();
    }

    private static BlobTransferRef.Builder ref(long transfer) {
        return BlobTransferRef.newBuilder().setTransfer(transfer);
    }

    /** Frees the node's side at once (it would after its idle time anyway). */
    private void closeQuietly(long transfer) {
        if (Thread.currentThread().isInterrupted() || !client.isOpen()) {
            return;
        }
        try {
            call(BlobAction.newBuilder().setClose(ref(transfer)));
        } catch (IOException | InterruptedException e) {
            // the node drops it when idle
        }
    }

    private static void deleteQuietly(Path part) {
        try {
            Files.deleteIfExists(part);
        } catch (IOException e) {
            // nothing more to do on the way out
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is stopping: the hook runs
        }
    }
}
